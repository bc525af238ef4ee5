/**
Records that are valid JSON with wrong types, or with huge strings, written straight into the bucket:
the console, the inspector's lists and the job detail show what can be shown and never crash or hang.
*/
import test from 'ava';
import {render} from 'ink-testing-library';
import {InspectorFeed} from '../../source/inspector/console-feed.js';
import {Inspector} from '../../source/inspector/inspector.js';
import {parseFailureRecord, parseJobEvent, parseLease, parseWorkerRecord} from '../../source/queue/records.js';
import {claim} from '../../source/queue/transitions/claim.js';
import {enqueueMany} from '../../source/queue/transitions/enqueue.js';
import {fail} from '../../source/queue/transitions/finish.js';
import {isNotModified} from '../../source/storage/object-store.js';
import {App} from '../../source/ui/app.js';
import {makeTheme, ThemeContext} from '../../source/ui/theme.js';
import {hashOf, makeQueue} from '../support/queue.js';

const huge = `${'x'.repeat(20 * 1024 * 1024)}.pdf`;

async function hostileQueue() {
	const queue = await makeQueue();
	const {context, keys} = queue;
	await enqueueMany(
		context,
		[1, 2, 3].map(n => ({hash: hashOf(n), priority: 'normal' as const, name: `doc-${n}.pdf`})),
	);
	const running = await claim(context, 'w-1', {hash: hashOf(1), priority: 'normal'});
	const failing = await claim(context, 'w-2', {hash: hashOf(2), priority: 'normal'});
	const other = await claim(context, 'w-3', {hash: hashOf(3), priority: 'normal'});
	if (running.kind !== 'claimed' || failing.kind !== 'claimed' || other.kind !== 'claimed') throw new Error('claim');
	await fail(context, failing.held, {error: 'boom', permanent: false});
	const rewriteLease = async (n: number, fields: Record<string, unknown>) => {
		const lease = await context.store.get(keys.lease(hashOf(n)));
		if (!lease || isNotModified(lease)) throw new Error('no lease');
		const body = JSON.parse(Buffer.from(lease.body).toString()) as Record<string, unknown>;
		await context.store.put(keys.lease(hashOf(n)), JSON.stringify({...body, ...fields}));
	};
	// One running job's lease with a 20 MB name; another's with a number for a name and nonsense progress.
	await rewriteLease(1, {name: huge});
	await rewriteLease(3, {name: 12345, size: 'big', progress: {stage: 7, pagesDone: 'x', pagesTotal: {}}});
	// The failed job's record: a 20 MB name, a history of wrong things.
	await context.store.put(
		keys.failed(hashOf(2)),
		JSON.stringify({
			version: 1,
			hash: hashOf(2),
			seq: 99,
			priority: 'normal',
			attempts: 1,
			reason: 'failed',
			name: huge,
			history: [{attempt: 'one'}, 5, {attempt: 1, error: huge, at: 'yesterday', worker: 7}],
		}),
	);
	// A registration with a number for a host and a string for a time.
	await context.store.put(
		keys.worker('w-9'),
		JSON.stringify({
			version: 1,
			worker: 'w-9',
			host: 5,
			status: 'idle',
			startedAt: 'yesterday',
			lastSeen: {},
			currentJob: {hash: 3},
		}),
	);
	// A journal event with an object for a name.
	await context.store.put(
		`${keys.journalFolder()}${String(queue.clock.now()).padStart(13, '0')}-ffff.json`,
		JSON.stringify({
			version: 1,
			events: [{hash: hashOf(4), seq: 1e15, state: 'todo', priority: 'normal', attempts: 0, at: 1, name: {x: 1}}],
		}),
	);
	return queue;
}

test('wrong-typed fields are dropped and long strings cut by the parsers', t => {
	const lease = parseLease(
		JSON.stringify({
			version: 1,
			seq: 1,
			worker: 'w',
			nonce: 'n',
			priority: 'normal',
			attempt: 1,
			counter: 0,
			name: 12345,
			progress: {stage: 7, pagesDone: 'x'},
		}),
		hashOf(1),
	);
	t.true(lease.ok);
	if (lease.ok) {
		t.is(lease.value.name, undefined);
		t.deepEqual(lease.value.progress, {stage: 'claimed'});
	}
	const failed = parseFailureRecord(
		JSON.stringify({version: 1, seq: 1, priority: 'low', attempts: 1, name: huge, history: [{attempt: 'x'}, 3]}),
		hashOf(2),
	);
	t.true(failed.ok && failed.value.name!.length === 1024 && failed.value.history.length === 0);
	const worker = parseWorkerRecord(JSON.stringify({version: 1, worker: 'w', status: 'idle', host: 5, lastSeen: 'x'}));
	t.true(worker.ok && worker.value.host === '?' && worker.value.lastSeen === 0);
	t.false(parseWorkerRecord(JSON.stringify({version: 1, worker: 'w', status: 'asleep'})).ok, 'an unknown status');
	const event = parseJobEvent({hash: hashOf(3), seq: 1, state: 'todo', priority: 'low', attempts: 0, at: 1, name: {}});
	t.true(event.ok && event.value.name === undefined);
});

test('the console draws a bucket of hostile records, and opens their details', async t => {
	const queue = await hostileQueue();
	const feed = new InspectorFeed(new Inspector(queue.context), 'local:/x prefix pdf/', {
		leaseSweepMs: 0,
		now: () => queue.clock.now(),
	});
	const snapshot = await feed.snapshot({full: true});
	const active = new Map(snapshot.active.map(a => [a.hash, a]));
	t.is(active.get(hashOf(1))?.name?.length, 1024, 'the 20 MB name is cut');
	t.is(active.get(hashOf(3))?.name, 'doc-3.pdf', 'a name that is not a string is taken from the queue entry');
	t.true(
		snapshot.todo.some(j => j.hash === hashOf(4) && j.name === undefined),
		'an event with an object for a name',
	);
	t.true(snapshot.workers.some(w => w.id === 'w-9' && w.host === '?'));
	const detail = await feed.job(hashOf(2));
	t.is(detail.failed?.name?.length, 1024);
	t.true(detail.failed!.history.length === 1 && detail.failed!.history[0]!.error.length === 4096);
	const running = await feed.job(hashOf(1));
	t.is(running.lease?.lease.name?.length, 1024);
	const rendered = render(
		<ThemeContext.Provider value={makeTheme({NO_COLOR: '1'})}>
			<App
				source={feed}
				window={{columns: 120, rows: 40}}
				intervalMs={60_000}
				onQuit={() => undefined}
				now={() => queue.clock.now()}
			/>
		</ThemeContext.Provider>,
	);
	t.teardown(() => rendered.unmount());
	const until = async (what: string, check: (frame: string) => boolean) => {
		const deadline = Date.now() + 30_000;
		while (Date.now() < deadline && !check(rendered.lastFrame() ?? '')) await new Promise(r => setTimeout(r, 20));
		t.true(check(rendered.lastFrame() ?? ''), `${what}; the last frame:\n${rendered.lastFrame()}`);
	};
	await until('the Active pane', frame => frame.includes('doc-3.pdf') && frame.includes('xxxxxxxx'));
	// The job with the 20 MB name: its detail opens (it hung the console when strings were not bounded).
	const pause = () => new Promise(r => setTimeout(r, 100));
	const names = (rendered.lastFrame() ?? '').split('\n').filter(l => l.includes('doc-3.pdf') || l.includes('xxxx'));
	if (names[0]?.includes('doc-3.pdf')) rendered.stdin.write('\u001B[B');
	await pause();
	rendered.stdin.write('\r');
	await until(
		'the detail of the job with the long name',
		frame => frame.includes(hashOf(1)) && !frame.includes('loading'),
	);
	rendered.stdin.write('\u001B');
	await pause();
	rendered.stdin.write('3');
	await until('the Failed pane', frame => frame.includes('doc-2.pdf'));
});
