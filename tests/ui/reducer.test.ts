/** The console's key handling as tables: a state, keys, the state and effects wanted. No screen, no store. */
import test from 'ava';
import {initialState, reducer, selectedJob, type ConsoleState, type Effect} from '../../source/ui/state/reducer.js';
import {hashFor, job, running, snapshot, worker} from '../support/console.js';

const now = 1_000_000;
const busy = snapshot({
	active: [running(1), running(2, {worker: 'w-2', health: 'late'})],
	todo: [job(3, 'todo', {priority: 'low'}), job(4, 'todo', {priority: 'high', tags: ['invoices']})],
	failed: [job(5, 'failed', {attempts: 1, error: 'timeout'})],
	dead: [
		job(6, 'dead', {attempts: 4, error: 'boom'}),
		job(7, 'dead', {attempts: 4, error: 'boom', name: 'invoice-7.pdf'}),
	],
	workers: [worker('w-1', {status: 'processing'}), worker('w-2')],
	done: 10,
});

function start(options: Partial<Parameters<typeof initialState>[0]> = {}): ConsoleState {
	const state = initialState({window: {columns: 120, rows: 40}, now, ...options});
	// The first refresh is queued at start; take it and deliver the snapshot.
	return reducer({...state, effects: []}, {type: 'snapshot', snapshot: busy, now});
}

function press(state: ConsoleState, ...keys: string[]): ConsoleState {
	return reducer(state, {type: 'keys', keys, now});
}

const kinds = (effects: Effect[]) => effects.map(e => e.kind);

test('the console starts by asking for a refresh, on the Active pane', t => {
	const state = initialState({window: {columns: 80, rows: 24}, now});
	t.deepEqual(kinds(state.effects), ['refresh']);
	t.is(state.pane, 'active');
	t.is(state.intervalMs, 2000);
});

test('Tab, Shift-Tab and number keys switch panes; j k and arrows move; Home End jump', t => {
	let s = start();
	t.is(press(s, 'tab').pane, 'todo');
	t.is(press(s, 'shift-tab').pane, 'workers');
	t.is(press(s, '4').pane, 'dead');
	s = press(s, '2');
	t.is(selectedJob(s)?.hash, hashFor(4), 'the queue is in claim order: high before low');
	t.is(selectedJob(press(s, 'j'))?.hash, hashFor(3));
	t.is(selectedJob(press(s, 'down', 'down', 'down'))?.hash, hashFor(3), 'the selection stops at the last row');
	t.is(selectedJob(press(s, 'G', 'k'))?.hash, hashFor(4));
	t.is(selectedJob(press(s, 'end', 'home'))?.hash, hashFor(4));
});

test('the selection stays on its job when a refresh reorders the rows', t => {
	let s = press(start(), '4', 'j');
	t.is(selectedJob(s)?.hash, hashFor(7));
	const reordered = snapshot({
		active: busy.active,
		todo: busy.todo,
		failed: busy.failed,
		workers: busy.workers,
		dead: [job(8, 'dead'), job(6, 'dead'), job(7, 'dead')],
	});
	s = reducer(s, {type: 'snapshot', snapshot: reordered, now});
	t.is(selectedJob(s)?.hash, hashFor(7));
});

test('/ filters by name, hash, worker or tag; Enter keeps the filter, Esc clears it', t => {
	let s = press(start(), '2', '/', 'i', 'n', 'v');
	t.is(s.filterDraft, 'inv');
	t.is(selectedJob(s)?.hash, hashFor(4), 'matched by its tag');
	s = press(s, 'enter');
	t.is(s.filterDraft, undefined);
	t.is(s.filter, 'inv');
	t.is(press(s, '1').filter, 'inv', 'the filter applies in every pane');
	t.is(selectedJob(press(s, '1')), undefined, 'no running job matches');
	t.is(
		selectedJob(press(s, '1', '/', 'backspace', 'backspace', 'backspace', 'w', '-', '2', 'enter'))?.hash,
		hashFor(2),
		'matched by worker',
	);
	t.is(press(s, 'escape').filter, '', 'Esc in a list clears the filter');
	t.is(press(s, '/', 'x', 'escape').filter, '', 'Esc while typing clears it too');
});

test('s cycles the sort column and S reverses it', t => {
	let s = press(start(), '4');
	t.is(selectedJob(s)?.hash, hashFor(6), 'dead: newest first');
	s = press(s, 's');
	t.regex(s.status?.text ?? '', /sorted by name/);
	t.is(selectedJob(press(s, 'home'))?.hash, hashFor(6), 'file-6.pdf before invoice-7.pdf');
	s = press(s, 'S', 'home');
	t.is(selectedJob(s)?.hash, hashFor(7));
	t.regex(s.status?.text ?? '', /reversed/);
});

test('r retries a dead job at once; on a queued job it explains instead', t => {
	const s = press(start(), '4', 'r');
	t.deepEqual(
		s.effects.map(e => (e.kind === 'retry' ? e.hashes : e.kind)),
		[[hashFor(6)]],
	);
	const refused = press(start(), '2', 'r');
	t.deepEqual(refused.effects, []);
	t.regex(refused.status?.text ?? '', /only failed and dead jobs/);
});

test('R asks first, with the count the filter matches; only y goes ahead', t => {
	let s = press(start(), '4', '/', 'i', 'n', 'v', 'o', 'enter', 'R');
	t.is(s.overlay?.kind, 'confirm');
	t.regex(s.overlay?.kind === 'confirm' ? s.overlay.confirmation.prompt : '', /Retry 1 dead job matching "invo"/);
	t.deepEqual(s.effects, [], 'nothing happens before the answer');
	const no = press(s, 'n');
	t.deepEqual(no.effects, []);
	t.is(no.overlay, undefined);
	t.regex(no.status?.text ?? '', /nothing was changed/);
	s = press(s, 'y');
	t.deepEqual(
		s.effects.map(e => (e.kind === 'retry' ? e.hashes : e.kind)),
		[[hashFor(7)]],
	);
	const everywhere = press(start(), '1', 'R');
	t.regex(
		everywhere.overlay?.kind === 'confirm' ? everywhere.overlay.confirmation.prompt : '',
		/Retry 3 failed and dead jobs\?/,
	);
});

test('c cancels a running job only after confirmation, naming its worker', t => {
	const s = press(start(), '1', 'c');
	t.regex(
		s.overlay?.kind === 'confirm' ? s.overlay.confirmation.prompt : '',
		/Cancel file-2\.pdf\? Its worker \(w-2\) stops at its next heartbeat/,
		'the longest-running job is first',
	);
	t.deepEqual(kinds(press(s, 'y').effects), ['cancel']);
	t.deepEqual(press(s, 'escape').effects, []);
	t.regex(press(start(), '4', 'c').status?.text ?? '', /a dead job cannot be cancelled/);
});

test('D shows how many dead jobs go and needs y; an empty dead-letter queue says so', t => {
	const s = press(start(), 'D');
	t.regex(s.overlay?.kind === 'confirm' ? s.overlay.confirmation.prompt : '', /remove 2 dead jobs for good/);
	t.deepEqual(kinds(press(s, 'y').effects), ['clear-dead']);
	t.deepEqual(kinds(press(s, 'D').effects), [], 'pressing D again is not a yes');
	const empty = reducer(start(), {type: 'snapshot', snapshot: snapshot({}), now});
	t.regex(press(empty, 'D').status?.text ?? '', /empty/);
});

test('P picks a new priority for a queued job with arrows or a digit, set by Enter', t => {
	const s = press(start(), '2', 'P');
	t.is(s.overlay?.kind, 'priority');
	t.is(s.overlay?.kind === 'priority' ? s.overlay.index : -1, 1, 'starts at its current priority (high)');
	const picked = press(s, 'down', 'down', 'enter');
	t.deepEqual(
		picked.effects.map(e => (e.kind === 'reprioritize' ? e.priority : e.kind)),
		['low'],
	);
	const moved = press(s, '1');
	t.deepEqual(moved.effects, [], 'a digit moves the choice; it does not apply it (the hint says Enter sets it)');
	t.is(moved.overlay?.kind === 'priority' ? moved.overlay.index : -1, 0);
	t.deepEqual(
		press(moved, 'enter').effects.map(e => (e.kind === 'reprioritize' ? e.priority : e.kind)),
		['critical'],
	);
	t.regex(press(start(), '4', 'P').status?.text ?? '', /only queued jobs/);
});

test('--read-only blocks every action and says so; looking around still works', t => {
	const s = start({isReadOnly: true});
	for (const keys of [['4', 'r'], ['4', 'R'], ['1', 'c'], ['2', 'P'], ['D']]) {
		const after = press(s, ...keys);
		t.deepEqual(after.effects, [], keys.join(' '));
		t.is(after.overlay, undefined);
		t.regex(after.status?.text ?? '', /read-only/);
	}
	t.deepEqual(kinds(press(s, '4', 'enter').effects), ['load-detail']);
	t.deepEqual(kinds(press(s, '4', 'l').effects), ['load-logs']);
});

test('Enter opens the detail, l the logs, p the preview; Esc goes back; the same keys act from the detail', t => {
	let s = press(start(), '4', 'enter');
	t.is(s.overlay?.kind, 'detail');
	t.deepEqual(
		s.effects.map(e => (e.kind === 'load-detail' ? e.hash : e.kind)),
		[hashFor(6)],
	);
	t.is(press(s, 'escape').overlay, undefined);
	t.is(press(s, 'l').overlay?.kind, 'logs');
	s = reducer({...s, effects: []}, {type: 'keys', keys: ['r'], now});
	t.deepEqual(kinds(s.effects), ['retry'], 'r in the detail retries the job shown');
	t.deepEqual(kinds(press(start(), '2', 'p').effects), ['load-preview']);
});

test('a followed log starts at its end; scrolling up stops following; End follows again', t => {
	let s = press(start({window: {columns: 80, rows: 24}}), '1', 'l');
	const lines = Array.from({length: 100}, (_, i) => `line ${i}`);
	t.is(selectedJob(s)?.hash, hashFor(2));
	s = reducer(s, {type: 'text-loaded', kind: 'logs', hash: hashFor(2), lines});
	const o = () => (s.overlay?.kind === 'logs' ? s.overlay : undefined);
	t.is(o()?.scroll, 100 - 17, 'scrolled to the last page (24 rows leave 17 for text)');
	t.true(o()?.follow);
	s = press(s, 'up');
	t.false(o()?.follow);
	s = press(s, 'end');
	t.true(o()?.follow);
	// When the job stops running, its log is read again (the attempt's log has just been written).
	s = reducer({...s, effects: []}, {type: 'snapshot', snapshot: snapshot({active: [running(1)]}), now});
	t.deepEqual(
		s.effects.map(e => (e.kind === 'load-logs' ? e.hash : e.kind)),
		[hashFor(2)],
	);
});

test('space pauses; + and - step the interval, never below the floor from config', t => {
	let s = start({minIntervalMs: 2000});
	s = press(s, 'space');
	t.true(s.isPaused);
	t.deepEqual(reducer({...s, effects: []}, {type: 'poll'}).effects, [], 'no refresh while paused');
	s = press(s, 'space');
	t.deepEqual(
		reducer({...s, effects: []}, {type: 'poll'}).effects.map(e => (e.kind === 'refresh' ? Boolean(e.full) : e.kind)),
		[false],
		'a timer refresh reads what changed',
	);
	t.deepEqual(
		press({...s, effects: []}, 'ctrl-r').effects.map(e => (e.kind === 'refresh' ? Boolean(e.full) : e.kind)),
		[true],
		'Ctrl-R reads everything',
	);
	t.is(press(s, '-').intervalMs, 5000);
	const floor = press(s, '+');
	t.is(floor.intervalMs, 2000);
	t.regex(floor.status?.text ?? '', /floor: console_min_refresh = 2 s/);
	t.is(start({intervalMs: 500, minIntervalMs: 1000}).intervalMs, 1000, '--refresh below the floor is raised to it');
});

test('a failed refresh is kept for the header; an answer clears it; one refresh at a time', t => {
	let s = reducer(start(), {type: 'refresh-failed', message: 'connect ECONNREFUSED', now: now + 5000});
	t.is(s.refreshError?.message, 'connect ECONNREFUSED');
	t.truthy(s.snapshot, 'the last good data stays on screen');
	s = reducer(s, {type: 'refresh-started'});
	t.deepEqual(reducer({...s, effects: []}, {type: 'poll'}).effects, [], 'no second refresh while one is in flight');
	s = reducer(s, {type: 'snapshot', snapshot: busy, now: now + 7000});
	t.is(s.refreshError, undefined);
});

test('an action answer shows on the status line and asks for a refresh; the line clears after a while', t => {
	let s = reducer(start(), {type: 'action-finished', text: 'queued at normal from dead', ok: true, now});
	t.is(s.status?.tone, 'ok');
	t.deepEqual(
		s.effects.map(e => (e.kind === 'refresh' ? Boolean(e.full) : e.kind)),
		[true],
		'after an action everything is read at once',
	);
	s = reducer(s, {type: 'tick', now: now + 20_000});
	t.is(s.status, undefined);
});

test('q and Ctrl-C quit from anywhere, also from the filter field and overlays', t => {
	t.deepEqual(kinds(press(start(), 'q').effects), ['quit']);
	t.deepEqual(kinds(press(start(), '/', 'ctrl-c').effects), ['quit']);
	t.deepEqual(kinds(press(start(), '?', 'ctrl-c').effects), ['quit']);
	t.is(press(start(), '?', 'q').overlay, undefined, 'q closes the help first');
});

test('what a key may do to a job is what its row says (the source decides), not what the console guesses', t => {
	// A dead job the source says cannot be retried (the store refused it meanwhile, say): r explains.
	const locked = snapshot({dead: [job(8, 'dead', {actions: []})]});
	let s = reducer(
		{...initialState({window: {columns: 120, rows: 40}, now}), effects: []},
		{type: 'snapshot', snapshot: locked, now},
	);
	s = press(s, '4', 'r');
	t.false(kinds(s.effects).includes('retry'));
	t.regex(s.status?.text ?? '', /only failed and dead jobs/);
	// A queued job the source allows to be retried: r retries it.
	const open = snapshot({todo: [job(9, 'todo', {actions: ['retry', 'cancel']})]});
	s = reducer(
		{...initialState({window: {columns: 120, rows: 40}, now}), effects: []},
		{type: 'snapshot', snapshot: open, now},
	);
	s = press(s, '2', 'r');
	t.true(kinds(s.effects).includes('retry'));
});

test('an open detail is read again when its job moves on, and every 30 s while it stays', t => {
	let s = press(start(), 'enter');
	t.deepEqual(kinds(s.effects), ['load-detail']);
	s = {...s, effects: []};
	const again = (state: ConsoleState, snap: typeof busy, at: number) =>
		reducer({...state, effects: []}, {type: 'snapshot', snapshot: snap, now: at});
	t.deepEqual(kinds(again(s, busy, now + 5000).effects), [], 'unchanged and read 5 s ago: not again');
	t.deepEqual(kinds(again(s, busy, now + 30_000).effects), ['load-detail'], '30 s later: read again');
	const selected = selectedJob(start())!;
	const moved = snapshot({
		active: busy.active.filter(j => j.hash !== selected.hash),
		todo: busy.todo,
		failed: busy.failed,
		dead: busy.dead,
		workers: busy.workers,
		recent: [job(1, 'done')],
	});
	t.deepEqual(kinds(again(s, moved, now + 2000).effects), ['load-detail'], 'its job is done now: read again');
});

test('a refusal about the selected row goes when the selection moves; an action answer stays', t => {
	const refused = press(start(), 'r');
	t.regex(refused.status?.text ?? '', /only failed and dead jobs are retried; this one is running/);
	t.is(press(refused, 'j').status, undefined, 'the next row is another job: the refusal is no longer true');
	t.is(press(refused, '2').status, undefined, 'nor on another pane');
	const answered = reducer(start(), {type: 'action-finished', text: 'retried', ok: true, now});
	t.is(press(answered, 'j').status?.text, 'retried');
});
