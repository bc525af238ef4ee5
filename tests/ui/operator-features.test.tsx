/**
The console's operator features on a fake source: a worker's detail with drain and stop, removing
a job, marks, failure groups and actions on a group, history, search in a text view, and copying
a hash with OSC 52.
*/
import test, {type ExecutionContext} from 'ava';
import {render} from 'ink-testing-library';
import {App} from '../../source/ui/app.js';
import {makeTheme, ThemeContext} from '../../source/ui/theme.js';
import {FakeSource, hashFor, job, running, serverNow, snapshot, worker} from '../support/console.js';

const timeout = 'conversion timed out after 3600 s';

function operatorSnapshot() {
	return snapshot({
		active: [running(1, {worker: 'w-1'})],
		todo: [job(3, 'todo')],
		failed: [
			job(20, 'failed', {error: 'conversion timed out after 3600 s'}),
			job(21, 'failed', {error: 'conversion timed out after 1800 s'}),
			job(22, 'failed', {error: 'pdfium: bad xref at offset 1234'}),
		],
		dead: [job(6, 'dead', {error: 'not a valid PDF'}), job(7, 'dead', {error: 'not a valid PDF'})],
		workers: [
			worker('w-1', {status: 'processing', currentJob: 'file-1.pdf', currentJobHash: hashFor(1)}),
			worker('w-2', {status: 'idle'}),
			worker('w-3', {status: 'processing', command: {command: 'drain', by: 'op'}}),
			worker('w-4', {status: 'stopped', command: {command: 'drain', by: 'op'}}),
		],
	});
}

type Mounted = ReturnType<typeof render> & {source: FakeSource; written: string[]};

function mount(t: ExecutionContext, columns = 120, rows = 40, shown = operatorSnapshot()): Mounted {
	const source = new FakeSource(shown);
	const written: string[] = [];
	const rendered = render(
		<ThemeContext.Provider value={makeTheme({NO_COLOR: '1'})}>
			<App
				source={source}
				window={{columns, rows}}
				intervalMs={60_000}
				onQuit={() => undefined}
				now={() => serverNow + 3000}
				writeTerminal={sequence => written.push(sequence)}
			/>
		</ThemeContext.Provider>,
	);
	t.teardown(() => rendered.unmount());
	return {...rendered, source, written};
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const plain = (frame: string | undefined) => (frame ?? '').replaceAll(/\u001B\[[0-9;]*m/g, '');

async function until(t: ExecutionContext, what: string, check: () => boolean): Promise<void> {
	const deadline = Date.now() + 30_000;
	while (!check()) {
		if (Date.now() > deadline) {
			t.fail(`no ${what}`);
			return;
		}
		await new Promise(resolve => setTimeout(resolve, 20));
	}
}

async function screen(t: ExecutionContext, app: Mounted, text: string | RegExp): Promise<string> {
	const has = () => {
		const frame = plain(app.lastFrame());
		return typeof text === 'string' ? frame.includes(text) : text.test(frame);
	};
	await until(t, `frame with ${String(text)}; the last one:\n${plain(app.lastFrame())}`, has);
	return plain(app.lastFrame());
}

async function keys(app: Mounted, ...inputs: string[]) {
	for (const input of inputs) {
		app.stdin.write(input);
		await new Promise(resolve => setTimeout(resolve, 30));
	}
}

const call = (app: Mounted, text: string) => app.source.calls.includes(text);

test('Workers: Enter shows the worker (host, pid, version, busy share); d drains it after y, K stops another', async t => {
	const app = mount(t);
	await screen(t, app, 'file-1.pdf');
	await keys(app, '6');
	await screen(t, app, 'w-2');
	const pane = await screen(t, app, 'w-4');
	t.regex(pane, /w-3\s+│[^│]+│\s+draining/, 'a worker asked to drain says so until it exits');
	t.regex(pane, /w-4\s+│[^│]+│\s+drained/);
	await keys(app, 'g', '\r');
	const detail = await screen(t, app, 'Worker w-1');
	t.regex(detail, /host\s+host-1, pid 4242, BlobForge 0\.1\.0/);
	t.regex(detail, /busy\s+50% of its time on jobs/);
	t.regex(detail, /job\s+file-1\.pdf \(a{63}1\)/);
	t.regex(detail, /d drain · K stop/);
	await keys(app, 'd');
	await screen(t, app, /Drain w-1 \(now on file-1\.pdf\): it finishes its job/);
	await keys(app, 'y');
	await until(t, 'a drain call', () => call(app, 'drain w-1 aaa1'));
	await screen(t, app, 'asked w-1 to drain');
	// The list's own keys: the draining worker (second row) is not asked twice; the idle one (third) is stopped.
	await keys(app, 'j', 'K');
	await screen(t, app, 'w-3 is already draining');
	await keys(app, 'j', 'K');
	await screen(t, app, /Stop w-2: its job is handed back/);
	await keys(app, 'y');
	await until(t, 'a stop call', () => call(app, 'stop w-2'));
	t.pass();
});

test('Workers: a worker of several slots shows how many are busy, and its detail lists their jobs', async t => {
	const shown = snapshot({
		active: [running(1, {worker: 'w-multi'}), running(2, {worker: 'w-multi'})],
		workers: [
			worker('w-multi', {
				status: 'processing',
				currentJob: 'file-1.pdf',
				currentJobHash: hashFor(1),
				slots: 4,
				runningJobs: 2,
			}),
		],
	});
	for (const [columns, rows] of [
		[120, 40],
		[80, 24],
	] as const) {
		const app = mount(t, columns, rows, shown);
		await screen(t, app, 'file-1.pdf');
		await keys(app, '6');
		const pane = await screen(t, app, 'w-multi');
		t.regex(
			pane,
			columns > 80 ? /processing\s+│\s+2\/4 file-1\.pdf/ : /processing\s+│\s+2\/4 f/,
			`at ${columns} columns`,
		);
		await keys(app, '\r');
		const detail = await screen(t, app, 'Worker w-multi');
		t.regex(detail, /slots\s+2 of 4 busy/);
		t.regex(detail, /jobs\s+file-1\.pdf, file-2\.pdf/);
		app.unmount();
	}
});

test('x removes a queued or dead job after y; a running one is refused with why', async t => {
	const app = mount(t);
	await screen(t, app, 'file-1.pdf');
	await keys(app, 'x');
	await screen(t, app, 'a running job is not removed: cancel it first');
	await keys(app, '4', 'x');
	await screen(t, app, /Remove file-\d\.pdf for good: queue records, raw PDF, logs/);
	await keys(app, 'n');
	await screen(t, app, 'nothing was changed');
	t.false(app.source.calls.some(c => c.startsWith('remove')));
	await keys(app, 'x', 'y');
	await until(t, 'a remove call', () => app.source.calls.some(c => /^remove aaa[67]$/.test(c)));
	t.pass();
});

test('m marks rows; r then retries every marked job after one confirmation; Esc clears the marks', async t => {
	const app = mount(t);
	await screen(t, app, 'file-1.pdf');
	await keys(app, '3');
	await screen(t, app, 'file-20.pdf');
	await keys(app, 'm', 'm');
	const marked = await screen(t, app, '2 marked');
	t.is(marked.match(/●/g)?.length, 2, 'two rows carry the mark');
	await keys(app, 'r');
	await screen(t, app, 'Retry 2 marked jobs?');
	await keys(app, 'y');
	await until(t, 'a retry of the two', () => app.source.calls.some(c => /^retry aa\w\w,aa\w\w$/.test(c)));
	await keys(app, '\u001B');
	await screen(t, app, 'marks cleared');
	t.false(plain(app.lastFrame()).includes('●'));
});

test('e groups Failed by error signature; Enter opens a group; r on a group retries all of its jobs', async t => {
	const app = mount(t);
	await screen(t, app, 'file-1.pdf');
	await keys(app, '3', 'e');
	const grouped = await screen(t, app, 'grouped by error: 2 groups');
	t.regex(grouped, /\s2 conversion timed out after # s/, 'the two timeouts are one group of 2');
	t.regex(grouped, /\s1 pdfium: bad xref at offset #/);
	await keys(app, '\r');
	const open = await screen(t, app, /file-2[01]\.pdf[\s\S]*file-2[01]\.pdf/);
	t.false(open.includes('file-22.pdf'), 'only the group is listed');
	await keys(app, '\u001B');
	await screen(t, app, 'JOBS');
	await keys(app, 'r');
	await screen(t, app, 'Retry 2 jobs failing with "conversion timed out after # s"?');
	await keys(app, 'y');
	await until(t, 'a retry of the group', () => app.source.calls.some(c => /^retry aa(14,aa15|15,aa14)$/.test(c)));
	t.regex(timeout, /timed out/);
});

test('H shows completed and failed per hour for a day and per day for a month', async t => {
	const app = mount(t);
	await screen(t, app, 'file-1.pdf');
	await keys(app, 'H');
	const history = await screen(t, app, 'per hour, the last 24 hours');
	t.regex(history, /History: done and failed per hour and per day/);
	t.regex(history, /\d\d-\d\d \d\d:00\s+230\s+2\s+█+/, 'the current hour last: 23 × 10 done, 23 % 3 failed');
	await keys(app, 'G');
	const end = await screen(t, app, 'per day, the last 30 days');
	t.regex(end, /total\s+3,435\s+30/, 'thirty days of 100…129 done and 1 failed each');
});

test('/ in a text view finds a word; n steps to the next match; Esc ends the search', async t => {
	const app = mount(t);
	await screen(t, app, 'file-1.pdf');
	await keys(app, '4', 'l');
	await screen(t, app, 'converter said');
	await keys(app, '/', 'b', 'o', 'o', 'm');
	const typing = await screen(t, app, '/boom▏');
	t.regex(typing, /match 1 of 2/);
	await keys(app, '\r');
	await screen(t, app, /\/boom {2}match 1 of 2 · n next/);
	await keys(app, 'n');
	await screen(t, app, /match 2 of 2/);
	await keys(app, '\u001B');
	const ended = await screen(t, app, 'Esc back');
	t.true(ended.includes('Logs of'), 'the view stays open; a second Esc closes it');
});

test('y puts the selected job hash on the clipboard with OSC 52', async t => {
	const app = mount(t);
	await screen(t, app, 'file-1.pdf');
	await keys(app, 'y');
	await screen(t, app, /copied a{16}…/);
	const hash = hashFor(1);
	const sequence = `\u001B]52;c;${Buffer.from(hash).toString('base64')}\u0007`;
	await until(t, 'the OSC 52 sequence', () => app.written.includes(sequence));
	t.deepEqual(app.written, [sequence], 'nothing else is written beside the frame');
});
