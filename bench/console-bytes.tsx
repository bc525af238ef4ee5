/**
Bytes the console sends to its terminal, and how soon a key's frame is on the wire: the real App at
120×40 on a fake TTY, 20 running jobs whose progress changes at every refresh (1 s), and a key
press (move down) every 250 ms, for 10 s. Two ways to draw, in one run: our line-diff writer
(ui/frame-writer.ts, Ink in debug mode) and Ink's own `incrementalRendering`. What decides whether
Ink's mode can replace ours: bytes per second (an SSH link) and key → bytes latency.

Run: node dist/bench/console-bytes.js [seconds]   (default 10)
*/
import {mkdir, writeFile} from 'node:fs/promises';
import {PassThrough, Writable} from 'node:stream';
import {render} from 'ink';
import {App} from '../source/ui/app.js';
import {FrameWriter} from '../source/ui/frame-writer.js';
import {makeTheme, ThemeContext} from '../source/ui/theme.js';
import {FakeSource, job, running, snapshot, worker} from '../tests/support/console.js';

const seconds = Number(process.argv[2] ?? 10) || 10;

/** A terminal that counts what reaches it, and when. */
class CountingTerminal extends Writable {
	readonly isTTY = true;
	readonly columns = 120;
	readonly rows = 40;
	bytes = 0;
	writes = 0;
	lastWriteAt = 0;
	override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
		this.bytes += Buffer.byteLength(chunk);
		this.writes++;
		this.lastWriteAt = performance.now();
		done();
	}
}

/** A TTY stdin for Ink's raw mode. */
function fakeStdin(): NodeJS.ReadStream {
	const stdin = new PassThrough() as unknown as NodeJS.ReadStream & {setRawMode: (on: boolean) => void};
	Object.assign(stdin, {isTTY: true, setRawMode: () => undefined, ref: () => stdin, unref: () => stdin});
	return stdin;
}

function busy(tick: number) {
	return snapshot({
		active: Array.from({length: 20}, (_, i) =>
			running(100_000_000 + i, {worker: `w-${i}`, pagesDone: (tick + i) % 40, pagesTotal: 40, heartbeatAgeMs: 1000}),
		),
		todo: Array.from({length: 1000}, (_, i) => job(i + 1, 'todo', {name: `library/shelf-${i % 97}/document-${i}.pdf`})),
		workers: Array.from({length: 20}, (_, i) => worker(`w-${i}`, {status: 'processing'})),
		done: 250_000 + tick,
	});
}

type Mode = 'frame-writer' | 'ink-incremental';
type Row = {
	mode: Mode;
	seconds: number;
	bytes: number;
	bytesPerSecond: number;
	writes: number;
	keyToBytesMedianMs: number;
};

async function measure(mode: Mode): Promise<Row> {
	const terminal = new CountingTerminal();
	const source = new FakeSource(busy(0));
	const stdin = fakeStdin();
	const frames = mode === 'frame-writer' ? new FrameWriter(terminal) : undefined;
	const out = (frames ?? terminal) as unknown as NodeJS.WriteStream;
	const instance = render(
		<ThemeContext.Provider value={makeTheme({})}>
			<App source={source} window={{columns: 120, rows: 40}} intervalMs={1000} onQuit={() => undefined} />
		</ThemeContext.Provider>,
		mode === 'frame-writer'
			? {stdout: out, stdin, debug: true, exitOnCtrlC: false, patchConsole: false}
			: {stdout: out, stdin, incrementalRendering: true, interactive: true, exitOnCtrlC: false, patchConsole: false},
	);
	// Let the first frames land, then count from a steady screen.
	await new Promise(resolve => setTimeout(resolve, 1500));
	stdin.write('2');
	await new Promise(resolve => setTimeout(resolve, 500));
	const startBytes = terminal.bytes;
	const startWrites = terminal.writes;
	const started = performance.now();
	const latencies: number[] = [];
	let tick = 0;
	const refresher = setInterval(() => {
		source.current = busy(++tick);
	}, 1000);
	while (performance.now() - started < seconds * 1000) {
		const before = terminal.writes;
		const pressed = performance.now();
		stdin.write('j');
		while (terminal.writes === before && performance.now() - pressed < 250)
			await new Promise(resolve => setImmediate(resolve));
		if (terminal.writes > before) latencies.push(terminal.lastWriteAt - pressed);
		await new Promise(resolve => setTimeout(resolve, Math.max(0, 250 - (performance.now() - pressed))));
	}
	clearInterval(refresher);
	const elapsed = (performance.now() - started) / 1000;
	const bytes = terminal.bytes - startBytes;
	instance.unmount();
	frames?.dispose();
	latencies.sort((a, b) => a - b);
	return {
		mode,
		seconds: elapsed,
		bytes,
		bytesPerSecond: bytes / elapsed,
		writes: terminal.writes - startWrites,
		keyToBytesMedianMs: latencies[Math.floor(latencies.length / 2)] ?? Number.NaN,
	};
}

const results = [await measure('frame-writer'), await measure('ink-incremental')];
console.log('drawing | seconds | bytes | bytes/s | writes | key → bytes median ms');
for (const r of results)
	console.log(
		`${r.mode} | ${r.seconds.toFixed(1)} | ${r.bytes} | ${r.bytesPerSecond.toFixed(0)} | ${r.writes} | ` +
			`${r.keyToBytesMedianMs.toFixed(1)}`,
	);
await mkdir('bench/results', {recursive: true});
await writeFile('bench/results/console-bytes.json', JSON.stringify({date: new Date().toISOString(), results}, null, 2));
process.exit(0);
