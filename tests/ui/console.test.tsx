/** The console rendered with ink-testing-library on a fake source: what shows, and what keys do. */
import test, {type ExecutionContext} from 'ava';
import {render} from 'ink-testing-library';
import stringWidth from 'string-width';
import {App} from '../../source/ui/app.js';
import {fitStoreLine} from '../../source/ui/components/header.js';
import {makeTheme, ThemeContext} from '../../source/ui/theme.js';
import {FakeSource, job, running, serverNow, snapshot, worker} from '../support/console.js';

const hostile = `evil\u001B[2J\u001B]0;pwned\u0007name-${'x'.repeat(200)}.pdf`;

function busySnapshot() {
	return snapshot({
		active: [
			running(1, {pagesDone: 42, pagesTotal: 120}),
			running(2, {worker: 'w-2', health: 'stale', heartbeatAgeMs: 20 * 60_000}),
		],
		todo: [job(3, 'todo'), job(4, 'todo', {name: hostile})],
		failed: [job(5, 'failed', {attempts: 1, error: 'conversion timed out after 3600 s'})],
		dead: [job(6, 'dead', {attempts: 4, error: 'not a valid PDF (corrupt or truncated)'})],
		recent: [job(8, 'done')],
		workers: [
			worker('w-1', {status: 'processing', currentJob: 'file-1.pdf', cpuPercent: 93, memoryPercent: 41}),
			worker('w-2', {status: 'gone'}),
		],
		done: 1234,
	});
}

type Mounted = ReturnType<typeof render> & {source: FakeSource; quits: number[]};

function mount(
	t: ExecutionContext,
	options: {columns?: number; rows?: number; isReadOnly?: boolean; source?: FakeSource} = {},
): Mounted {
	const source = options.source ?? new FakeSource(busySnapshot());
	const quits: number[] = [];
	const rendered = render(
		<ThemeContext.Provider value={makeTheme({NO_COLOR: '1'})}>
			<App
				source={source}
				window={{columns: options.columns ?? 80, rows: options.rows ?? 24}}
				intervalMs={60_000}
				isReadOnly={options.isReadOnly}
				onQuit={() => quits.push(1)}
				now={() => serverNow + 3000}
			/>
		</ThemeContext.Provider>,
	);
	t.teardown(() => rendered.unmount());
	return {...rendered, source, quits};
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const plain = (frame: string | undefined) => (frame ?? '').replaceAll(/\u001B\[[0-9;]*m/g, '');

/**
Polls the last frame until `check` passes: no fixed sleeps, and a deadline that a loaded CI machine does not
reach.
*/
async function frameWhere(
	t: ExecutionContext,
	app: Mounted,
	what: string,
	check: (frame: string) => boolean,
): Promise<string> {
	const deadline = Date.now() + 30_000;
	while (Date.now() < deadline) {
		const frame = plain(app.lastFrame());
		if (check(frame)) return frame;
		await new Promise(resolve => setTimeout(resolve, 20));
	}
	t.fail(`no frame with ${what}; the last one:\n${plain(app.lastFrame())}`);
	return plain(app.lastFrame());
}

const containing = (t: ExecutionContext, app: Mounted, text: string | RegExp) =>
	frameWhere(t, app, String(text), frame => (typeof text === 'string' ? frame.includes(text) : text.test(frame)));

async function keys(app: Mounted, ...inputs: string[]) {
	for (const input of inputs) {
		app.stdin.write(input);
		await new Promise(resolve => setTimeout(resolve, 30));
	}
}

function assertFits(t: ExecutionContext, frame: string, columns: number, rows: number, where: string) {
	const lines = frame.split('\n');
	t.true(lines.length <= rows - 1, `${where}: ${lines.length} lines on a ${rows}-row terminal`);
	const widest = Math.max(...lines.map(line => stringWidth(line)));
	t.true(widest <= columns, `${where}: a line of ${widest} columns on a ${columns}-column terminal`);
}

test('the header, the overview and the Active pane show the busy pipeline', async t => {
	const app = mount(t, {columns: 100, rows: 30});
	const frame = await containing(t, app, 'file-1.pdf');
	t.regex(frame, /s3:\/\/bucket prefix pdf\//);
	t.regex(frame, /90 req\/min ≈ \$14\/mo/);
	t.regex(frame, /done\s+1234/);
	t.regex(frame, /42\/120/, 'pages done of total');
	t.regex(frame, /w-2\s+converting.*20m00s!!/, 'a stale heartbeat is marked');
	t.regex(frame, /1 Active 2 {2}2 Queue 2 {2}3 Failed 1 {2}4 Dead 1 {2}5 Done 1 {2}6 Workers 2/);
});

test('each pane lists its own rows', async t => {
	const app = mount(t, {columns: 100, rows: 30});
	await containing(t, app, 'file-1.pdf');
	await keys(app, '2');
	t.regex(await containing(t, app, 'file-3.pdf'), /QUEUED/);
	await keys(app, '3');
	t.regex(await containing(t, app, 'conversion timed out'), /file-5\.pdf/);
	await keys(app, '4');
	t.regex(await containing(t, app, 'not a valid PDF'), /file-6\.pdf/);
	await keys(app, '5');
	t.regex(await containing(t, app, 'file-8.pdf'), /DONE/);
	await keys(app, '6');
	const workers = await containing(t, app, '93%');
	t.regex(workers, /w-1.*processing.*file-1\.pdf/);
	t.regex(workers, /w-2.*gone/);
});

test('hostile and long file names are escaped and cut, never sent to the terminal raw', async t => {
	const app = mount(t, {columns: 80, rows: 24});
	await containing(t, app, 'file-1.pdf');
	await keys(app, '2');
	const frame = await containing(t, app, 'evil');
	const raw = app.lastFrame() ?? '';
	t.false(raw.includes('\u001B[2J'), 'the clear-screen sequence in the name is not passed through');
	t.false(raw.includes('\u001B]0;'), 'nor the title-setting one');
	t.regex(frame, /evil␛\[2J␛\]0;pwned�name-x+…/);
	assertFits(t, frame, 80, 24, 'queue pane');
});

test('at 80×24 every screen fits: panes, help, detail, logs, preview, dialogs', async t => {
	const app = mount(t, {columns: 80, rows: 24});
	assertFits(t, await containing(t, app, 'file-1.pdf'), 80, 24, 'active pane');
	for (const [input, marker, where] of [
		['6', 'w-1', 'workers pane'],
		['5', 'file-8.pdf', 'done pane'],
		['?', 'Keys', 'help'],
		['\u001B', 'TRIES', 'back'],
		['4', 'file-6.pdf', 'dead pane'],
		['\r', 'why', 'detail'],
		['\u001B', 'not a valid PDF', 'back to dead'],
		['l', 'converter said', 'logs'],
		['\u001B', 'not a valid PDF', 'back to dead'],
		['D', 'Type y', 'clear-dead confirmation'],
		['n', 'nothing was changed', 'cancelled'],
		['2', 'file-3.pdf', 'queue pane'],
		['P', 'Priority of', 'priority picker'],
		['\u001B', 'file-3.pdf', 'back'],
		['p', 'Body text.', 'preview'],
	] as const) {
		await keys(app, input);
		assertFits(t, await containing(t, app, marker), 80, 24, where);
	}
});

test('Enter shows every record with the "why is it here" line; l shows the log; p the Markdown', async t => {
	const app = mount(t, {columns: 100, rows: 30});
	await containing(t, app, 'file-1.pdf');
	await keys(app, '4', '\r');
	const detail = await containing(t, app, 'why');
	t.regex(detail, /dead-lettered after 4 failed attempts \(max_retries 3\): boom/);
	t.regex(detail, /path\s+a\/b\.pdf/);
	t.regex(detail, /tags\s+a/);
	await keys(app, 'l');
	const logs = await containing(t, app, 'converter said: boom');
	t.regex(logs, /attempt 1 on w-1: failed/);
	await keys(app, '\u001B', 'p');
	t.regex(await containing(t, app, 'Body text.'), /# Title/);
	t.deepEqual(
		app.source.calls.map(c => c.split(' ')[0]),
		['job', 'logs', 'preview'],
	);
});

test('r retries the selected dead job through the source and reports it on the status line', async t => {
	const app = mount(t);
	await containing(t, app, 'file-1.pdf');
	await keys(app, '4', 'r');
	await containing(t, app, 'queued at normal from dead');
	t.deepEqual(app.source.calls, [`retry ${job(6, 'dead').hash.slice(-4)}`]);
});

test('destructive keys ask first: D needs y, and c on a running job too', async t => {
	const app = mount(t);
	await containing(t, app, 'file-1.pdf');
	await keys(app, 'D');
	await containing(t, app, 'remove 1 dead job for good');
	t.deepEqual(app.source.calls, [], 'nothing before the answer');
	await keys(app, 'y');
	await containing(t, app, 'cleared the dead-letter queue: 1 job(s) removed');
	t.deepEqual(app.source.calls, ['clear-dead']);
	await keys(app, '1', 'c');
	await containing(t, app, 'stops at its next heartbeat');
	await keys(app, 'x');
	await containing(t, app, 'nothing was changed');
	t.deepEqual(app.source.calls, ['clear-dead']);
});

test('--read-only: actions are refused with a reason and the footer says read-only', async t => {
	const app = mount(t, {isReadOnly: true});
	const frame = await containing(t, app, 'file-1.pdf');
	t.regex(frame, /read-only/);
	t.notRegex(frame.split('\n').at(-1) ?? '', /retry/, 'the footer leaves out the actions');
	await keys(app, '4', 'r', 'D');
	await containing(t, app, 'actions are disabled');
	t.deepEqual(app.source.calls, []);
});

test('a failing refresh keeps the last data and warns that it is stale', async t => {
	const source = new FakeSource(busySnapshot());
	const app = mount(t, {source});
	await containing(t, app, 'file-1.pdf');
	source.failNext = 'connect ECONNREFUSED 127.0.0.1:7480';
	await keys(app, '\u0012'); // Ctrl-R: refresh now
	const frame = await containing(t, app, 'stale data');
	t.regex(frame, /ECONNREFUSED/);
	t.regex(frame, /file-1\.pdf/, 'the rows stay');
});

test('a clock that disagrees with the server is flagged in the header', async t => {
	const app = mount(t, {source: new FakeSource(snapshot({clockSkewMs: 125_000}))});
	t.regex(await containing(t, app, 'clock'), /this machine's clock is 2m05s behind the server's/);
});

test("a notice from the process that runs the console (the demo's ingest) shows in the header", async t => {
	const app = mount(t, {source: new FakeSource(snapshot({notices: ['ingest of scan.pdf failed: disk full']}))});
	t.regex(await containing(t, app, 'scan.pdf'), /⚠ ingest of scan\.pdf failed: disk full/);
});

test('q asks the program to quit', async t => {
	const app = mount(t);
	await containing(t, app, 'file-1.pdf');
	await keys(app, 'q');
	const deadline = Date.now() + 30_000;
	while (app.quits.length === 0 && Date.now() < deadline) {
		await new Promise(resolve => setTimeout(resolve, 20));
	}
	t.is(app.quits.length, 1);
});

test('a queue larger than the snapshot head carries: the tabs say how many of how many', async t => {
	const partial = busySnapshot();
	partial.partial = true;
	partial.counts.todo.normal = 1_234_567;
	partial.counts.total.todo = 1_234_567;
	partial.counts.total.dead = 1;
	const app = mount(t, {columns: 120, rows: 30, source: new FakeSource(partial)});
	const frame = await containing(t, app, 'Queue 2/1.2M');
	t.regex(frame, /Dead 1 /, 'a list that is whole shows its count alone');
});

test('waiting jobs with no live worker: a banner says so; the console opens on the pane that has rows', async t => {
	const quiet = snapshot({todo: [job(3, 'todo'), job(4, 'todo')]});
	quiet.unattended = {waiting: 36, sinceMs: 4 * 60_000};
	const app = mount(t, {columns: 120, rows: 30, source: new FakeSource(quiet)});
	const frame = await containing(t, app, '36 waiting, no live worker for 4m');
	t.regex(frame, /file-3\.pdf/, 'the Queue pane, not an empty Active one');
	t.notRegex(frame, /no job is running/);
});

test('workers asleep outside their run windows: the pane says until when, the banner is a warning, not an alarm', async t => {
	const wake = Date.UTC(2026, 11, 2, 22, 0);
	const night = snapshot({
		todo: [job(3, 'todo')],
		workers: [worker('w-night', {status: 'sleeping', sleepingUntil: wake})],
	});
	night.unattended = {waiting: 1, sleepingUntil: wake};
	const app = mount(t, {columns: 120, rows: 30, source: new FakeSource(night)});
	const frame = await containing(t, app, 'run windows until 22:00 UTC');
	t.notRegex(frame, /no live worker/);
	await keys(app, '6');
	t.regex(await containing(t, app, 'w-night'), /w-night.*sleeping.*until 22:00 UTC/);
	const narrow = mount(t, {columns: 80, rows: 24, source: new FakeSource(night)});
	await keys(narrow, '6');
	t.regex(await containing(t, narrow, 'w-night'), /w-night.*sleeping.*22:00Z/, 'at 80 columns the time still shows');
});

test('Z pauses the queue after a y, every console says so in its header, and Z again resumes it', async t => {
	const app = mount(t, {columns: 120, rows: 30});
	await containing(t, app, 'file-1.pdf');
	await keys(app, 'Z');
	await containing(t, app, 'Pause the queue');
	await keys(app, 'y');
	const paused = await containing(t, app, 'queue paused by op@host');
	t.regex(paused, /Z resumes/);
	t.regex(paused, /backlog 4 · ETA paused/, 'a paused queue gets no ETA for what waits');
	t.deepEqual(app.source.calls, ['pause']);
	await keys(app, 'Z');
	await containing(t, app, 'Resume the queue');
	await keys(app, 'y');
	await containing(t, app, 'resumed the queue');
	t.deepEqual(app.source.calls, ['pause', 'resume']);
});

test('the header says how old the running jobs are when the lease sweep is older than the refresh', async t => {
	const older = busySnapshot();
	older.leasesAgeMs = 14_000;
	older.leaseSweepMs = 20_000;
	const app = mount(t, {columns: 120, rows: 30, source: new FakeSource(older)});
	t.regex(await containing(t, app, 'running jobs'), /updated \d+s ago \(running jobs 1[4-9]s ago\)/);
});

test('a narrow header keeps the prefix and the end of the bucket, cutting the middle of the location', t => {
	t.is(
		fitStoreLine('s3://test-bucket-with-long-name prefix pdf/ at http://127.0.0.1:7480', 30),
		's3://…th-long-name prefix pdf/',
	);
	t.is(fitStoreLine('local:/tmp/demo-try/store prefix pdf/', 20), '…y/store prefix pdf/');
	t.is(fitStoreLine('s3://b prefix pdf/', 30), 's3://b prefix pdf/');
});

test('with a filter each tab counts the rows that match it', async t => {
	const app = mount(t, {columns: 120, rows: 30});
	await containing(t, app, 'file-1.pdf');
	await keys(app, '/', 'f', 'i', 'l', 'e', '-', '3', '\r');
	const frame = await containing(t, app, 'filter "file-3"');
	t.regex(frame, / 2 Queue 1 /, 'one queued row matches');
	t.regex(frame, / 4 Dead 0 /, 'no dead one does');
});

test("the detail's keys are those the job allows: retry on a dead job, cancel and priority on a queued one", async t => {
	const app = mount(t, {columns: 120, rows: 30});
	await containing(t, app, 'file-1.pdf');
	await keys(app, '4', '\r');
	const hintOf = (frame: string) => frame.split('\n').find(line => line.includes('Esc back')) ?? '';
	const dead = hintOf(await containing(t, app, 'Esc back'));
	t.regex(dead, /Esc back · l logs · r retry/);
	t.notRegex(dead, /P priority|p preview/);
	await keys(app, '\u001B');
	await new Promise(resolve => setTimeout(resolve, 100));
	await keys(app, '2', '\r');
	const queued = hintOf(await frameWhere(t, app, 'the queued job detail', f => /P priority/.test(hintOf(f))));
	t.regex(queued, /c cancel · P priority/);
	t.notRegex(queued, /r retry/);
});

test('the preview keeps the blank lines between paragraphs', async t => {
	const app = mount(t, {columns: 100, rows: 30});
	await containing(t, app, 'file-1.pdf');
	await keys(app, '5', 'p');
	const frame = await containing(t, app, 'Body text.');
	const lines = frame.split('\n');
	const title = lines.findIndex(l => l.startsWith('# Title'));
	t.is(lines[title + 1]?.trim(), '', 'a blank line after the heading');
	t.is(lines[title + 2]?.trim(), 'Body text.');
});

test('the column a pane is sorted by carries an arrow, which turns with the order', async t => {
	const app = mount(t, {columns: 120, rows: 30});
	await containing(t, app, 'file-1.pdf');
	t.regex(await containing(t, app, 'ELAPSED↓'), /ELAPSED↓/, 'Active sorts by elapsed');
	await keys(app, '4');
	t.regex(await containing(t, app, 'WHEN↓'), /WHEN↓/);
	await keys(app, 's');
	t.regex(await containing(t, app, 'FILE↓'), /FILE↓/, 's sorts by the next column');
	await keys(app, 'S');
	await containing(t, app, 'FILE↑');
	t.pass();
});

test('a pane with more rows than fit says which row is selected, of how many', async t => {
	const many = snapshot({todo: Array.from({length: 40}, (_, i) => job(i + 10, 'todo'))});
	const app = mount(t, {columns: 120, rows: 24, source: new FakeSource(many)});
	await containing(t, app, 'row 1 of 40');
	await keys(app, 'j', 'j');
	t.regex(await containing(t, app, 'row 3 of 40'), /row 3 of 40/);
});

test('? at 120×40 shows every key without scrolling (two columns)', async t => {
	const app = mount(t, {columns: 120, rows: 40});
	await containing(t, app, 'file-1.pdf');
	await keys(app, '?');
	const help = await containing(t, app, 'show every key');
	t.regex(help, /clear the dead-letter queue/, 'the last binding is on screen');
	t.notRegex(help, / of \d+/, 'no scroll position: it all fits');
	assertFits(t, help, 120, 40, 'help');
});
