import {EventEmitter} from 'node:events';
import test from 'ava';
import {FrameWriter, frameUpdate} from '../../source/ui/frame-writer.js';

class FakeTerminal extends EventEmitter {
	columns = 40;
	rows = 10;
	readonly writes: string[] = [];
	write(data: string): boolean {
		this.writes.push(data);
		return true;
	}
}

const at = (row: number, text: string) => `\u001B[${row};1H\u001B[2K${text}`;
const drain = async () => new Promise(resolve => setImmediate(resolve));

test('frameUpdate: only changed lines, each at its row; lines the new frame lacks are erased', t => {
	t.is(frameUpdate([], ['a', 'b']), at(1, 'a') + at(2, 'b'));
	t.is(frameUpdate(['a', 'b', 'c'], ['a', 'B', 'c']), at(2, 'B'));
	t.is(frameUpdate(['a', 'b', 'c'], ['a']), at(2, '') + at(3, ''));
	t.is(frameUpdate(['a'], ['a']), '');
});

test('the writer sends a first frame whole, then only what changed, and nothing for an unchanged frame', async t => {
	const terminal = new FakeTerminal();
	const writer = new FrameWriter(terminal, 0);
	writer.write('header · updated 0s ago\nrow one\nrow two');
	await drain();
	t.deepEqual(terminal.writes, [at(1, 'header · updated 0s ago') + at(2, 'row one') + at(3, 'row two')]);
	writer.write('header · updated 1s ago\nrow one\nrow two');
	await drain();
	t.is(terminal.writes.at(-1), at(1, 'header · updated 1s ago'));
	writer.write('header · updated 1s ago\nrow one\nrow two');
	await drain();
	t.is(terminal.writes.length, 2, 'an identical frame writes nothing');
	t.is(
		writer.bytesSent,
		terminal.writes.reduce((sum, w) => sum + Buffer.byteLength(w), 0),
	);
	writer.dispose();
});

test('a resize clears the screen and draws whole every frame of the next quarter second, and is passed on to Ink', async t => {
	const terminal = new FakeTerminal();
	let now = 1000;
	const writer = new FrameWriter(terminal, 0, () => now);
	writer.write('a\nb');
	await drain();
	let resized = 0;
	writer.on('resize', () => resized++);
	terminal.columns = 80;
	terminal.emit('resize');
	t.is(resized, 1);
	t.is(writer.columns, 80);
	writer.write('a\nb');
	await drain();
	t.is(terminal.writes.at(-1), `\u001B[2J${at(1, 'a')}${at(2, 'b')}`);
	// Ink's first frame after a resize still has the old layout; the console's own follows.
	now += 100;
	writer.write('a\nB');
	await drain();
	t.is(terminal.writes.at(-1), `\u001B[2J${at(1, 'a')}${at(2, 'B')}`);
	now += 200;
	writer.write('A\nB');
	await drain();
	t.is(terminal.writes.at(-1), at(1, 'A'), 'once settled, only changes again');
	writer.dispose();
	terminal.emit('resize');
	t.is(resized, 1, 'a disposed writer no longer follows the terminal');
});

test('frames that come faster than the interval are coalesced: the latest one is drawn', async t => {
	const terminal = new FakeTerminal();
	const now = 1000;
	const writer = new FrameWriter(terminal, 20, () => now);
	writer.write('frame 1');
	writer.write('frame 2');
	writer.write('frame 3');
	await drain();
	t.deepEqual(terminal.writes, [at(1, 'frame 1')], 'the first frame at once, the rest wait');
	await new Promise(resolve => setTimeout(resolve, 60));
	t.deepEqual(terminal.writes, [at(1, 'frame 1'), at(1, 'frame 3')], 'frame 2 is skipped');
	writer.write('frame 4');
	writer.dispose();
	await new Promise(resolve => setTimeout(resolve, 60));
	t.is(terminal.writes.length, 2, 'nothing is drawn after dispose');
});
