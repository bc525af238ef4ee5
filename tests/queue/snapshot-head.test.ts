/**
The snapshot's head and shards: a console reads a head whose size does not grow with the queue and
still counts exactly; the shards hold every job for the janitor and full readers.
*/
import {createHash} from 'node:crypto';
import test from 'ava';
import {runJanitor} from '../../source/queue/janitor.js';
import {locateJob} from '../../source/queue/locate.js';
import type {Priority} from '../../source/queue/keys.js';
import {headLimits} from '../../source/queue/read-model/head-jobs.js';
import {ReadModel, type QueueView} from '../../source/queue/read-model/read-model.js';
import {parseSnapshot} from '../../source/queue/read-model/event-fold.js';
import {reconcile} from '../../source/queue/read-model/reconcile.js';
import {shardLimits} from '../../source/queue/read-model/snapshot-shards.js';
import {cancelJob, reprioritizeJob, retryJob} from '../../source/queue/transitions/admin.js';
import {claim} from '../../source/queue/transitions/claim.js';
import {enqueueMany} from '../../source/queue/transitions/enqueue.js';
import {complete, fail} from '../../source/queue/transitions/finish.js';
import {collectAll, isNotModified} from '../../source/storage/object-store.js';
import {composeStore, type Middleware} from '../../source/storage/store-chain.js';
import {letLeasesSettle, makeQueue} from '../support/queue.js';

const spread = (n: number) => createHash('sha256').update(`job ${n}`).digest('hex');
const priorityOf = (n: number): Priority => (['high', 'normal', 'low'] as const)[n % 3]!;

async function queueOf(jobs: number) {
	const queue = await makeQueue({max_retries: 0});
	await enqueueMany(
		queue.context,
		Array.from({length: jobs}, (_, i) => ({hash: spread(i), priority: priorityOf(i), name: `f-${i}.pdf`, size: i})),
	);
	queue.clock.advance(61_000);
	await runJanitor(queue.context);
	return queue;
}

async function headOf(context: Awaited<ReturnType<typeof makeQueue>>['context']) {
	const got = await context.store.get(context.keys.snapshot());
	if (!got || isNotModified(got)) throw new Error('no head');
	const parsed = parseSnapshot(got.body);
	if (!parsed.ok) throw new Error(parsed.reason);
	return {head: parsed.value, bytes: got.body.byteLength};
}

const stored = (view: QueueView) => ({
	todo: view.counts.todo,
	processing: view.counts.processing,
	failed: view.counts.failed,
	dead: view.counts.dead,
	done: view.counts.done,
});

test.serial(
	'a queue of 3,000: the head carries the newest per state and priority; every job is in a shard',
	async t => {
		const saved = shardLimits.jobsPerShard;
		shardLimits.jobsPerShard = 100; // 3,000 jobs → 256 shards of about 12
		t.teardown(() => {
			shardLimits.jobsPerShard = saved;
		});
		const {context} = await queueOf(3000);
		const {head, bytes} = await headOf(context);
		t.is(head.shards.width, 2);
		t.is(Object.keys(head.shards.ids).length, 256);
		t.is(Object.keys(head.jobs).length, 3 * headLimits.perGroup, 'the newest 40 of each priority');
		// 120 jobs and 256 shard ids: the same at 3 million (what grows is the shards).
		t.true(bytes < 40_000, `head ${bytes} bytes`);
		t.deepEqual(head.counts.todo, {critical: 0, high: 1000, normal: 1000, low: 1000, background: 0});
		const newestHigh = Object.entries(head.jobs).filter(([, j]) => j.priority === 'high');
		t.is(newestHigh.length, headLimits.perGroup);
		const console = await new ReadModel(context).refresh();
		t.is(console.counts.total.todo, 3000);
		t.false(console.complete, 'a console knows it shows the newest of more');
		const full = await new ReadModel(context, {full: true}).refresh();
		t.true(full.complete);
		t.is(Object.values(full.jobs).filter(j => j.state === 'todo').length, 3000);
		t.is(full.jobs[spread(1234)]?.name, 'f-1234.pdf');
	},
);

test.serial(
	'a console that reads only the head counts every transition exactly, before and after compaction',
	async t => {
		const saved = shardLimits.jobsPerShard;
		shardLimits.jobsPerShard = 100;
		t.teardown(() => {
			shardLimits.jobsPerShard = saved;
		});
		const {context, clock} = await queueOf(1500);
		const {head} = await headOf(context);
		// Jobs the head does not carry: the oldest of each priority.
		const hidden = Array.from({length: 1500}, (_, i) => i).filter(i => !(spread(i) in head.jobs));
		const [a, b, c, d, e, f] = hidden.map(i => ({hash: spread(i), priority: priorityOf(i)}));
		const watching = new ReadModel(context);
		await watching.refresh();
		for (const job of [a!, b!]) {
			const claimed = await claim(context, 'w-1', job);
			if (claimed.kind !== 'claimed') throw new Error(claimed.kind);
			await complete(context, claimed.held, new Uint8Array([1]));
		}
		const failing = await claim(context, 'w-2', c!);
		if (failing.kind !== 'claimed') throw new Error(failing.kind);
		await fail(context, failing.held, {error: 'broken', permanent: true});
		t.is((await cancelJob(context, d!.hash)).code, 'applied');
		t.is((await reprioritizeJob(context, e!.hash, 'critical')).code, 'applied');
		const running = await claim(context, 'w-3', f!);
		t.is(running.kind, 'claimed');
		const check = async (label: string) => {
			const full = await new ReadModel(context, {full: true}).refresh();
			t.deepEqual(stored(await watching.refresh()), stored(full), `${label}: a console that kept watching`);
			t.deepEqual(stored(await new ReadModel(context).refresh()), stored(full), `${label}: a fresh console`);
			return full;
		};
		const full = await check('before compaction');
		t.is(full.counts.total.todo + full.counts.total.processing, 1500 - 4);
		t.is(full.counts.total.done, 2);
		t.is(full.counts.total.dead, 2);
		t.is(full.counts.todo.critical, 1, 'the reprioritized job');
		t.is(full.counts.total.processing, 1);
		letLeasesSettle(clock);
		await runJanitor(context);
		await check('after compaction');
		// A retry of a dead job the head does not carry: the journal event says where it came from.
		t.is((await retryJob(context, d!.hash)).code, 'applied');
		await check('after a retry');
		clock.advance(61_000);
		await runJanitor(context);
		await check('after the retry was compacted');
	},
);

test('leases the janitor folded but has not deleted yet are not counted twice', async t => {
	const {context, clock} = await queueOf(150);
	const watching = new ReadModel(context);
	// More completions at one priority than the head keeps rows for: some are known to it only as folded.
	const jobs = Array.from({length: 150}, (_, i) => ({hash: spread(i), priority: priorityOf(i)}))
		.filter(j => j.priority === 'high')
		.slice(0, headLimits.perGroup + 5);
	const endedLeases: Array<{key: string; body: Uint8Array}> = [];
	for (const job of jobs) {
		const claimed = await claim(context, 'w-1', job);
		if (claimed.kind !== 'claimed') throw new Error(claimed.kind);
		await complete(context, claimed.held, new Uint8Array([1]));
		const got = await context.store.get(context.keys.lease(job.hash));
		if (got && !isNotModified(got)) endedLeases.push({key: context.keys.lease(job.hash), body: got.body});
		clock.advance(1000);
	}
	t.is((await watching.refresh()).counts.total.done, jobs.length);
	letLeasesSettle(clock);
	await runJanitor(context);
	const {head} = await headOf(context);
	t.true(
		jobs.some(j => !(j.hash in head.jobs)),
		'some are not among the head rows',
	);
	// The janitor's delete has not landed yet: the leases are listed beside the head that folded them.
	for (const lease of endedLeases) await context.store.put(lease.key, lease.body);
	const view = await watching.refresh();
	t.is(view.counts.total.done, jobs.length);
	t.is(view.counts.total.todo, 150 - jobs.length);
	t.is((await new ReadModel(context).refresh()).counts.total.done, jobs.length, 'a fresh console too');
});

test('a version 1 snapshot (every job inline) is read as it was and rewritten as head and shards', async t => {
	const {context} = await makeQueue();
	const job = (n: number, state: string) => [spread(n), {seq: n, state, priority: 'normal', attempts: 0, at: 1000 + n}];
	await context.store.put(
		context.keys.snapshot(),
		JSON.stringify({
			version: 1,
			compactedAt: 1000,
			journalCursor: '',
			jobs: Object.fromEntries([job(1, 'todo'), job(2, 'todo'), job(3, 'dead'), job(4, 'failed')]),
			settledDone: {critical: 0, high: 0, normal: 7, low: 0, background: 0},
		}),
	);
	const before = await new ReadModel(context).refresh();
	t.is(before.counts.total.todo, 2);
	t.is(before.counts.total.done, 7);
	t.true(before.complete);
	await runJanitor(context);
	const {head} = await headOf(context);
	t.is(head.version, 2);
	t.is(Object.keys(head.shards.ids).length, 1);
	t.deepEqual(stored(await new ReadModel(context).refresh()), stored(before));
	t.deepEqual(stored(await new ReadModel(context, {full: true}).refresh()), stored(before));
});

test('reconciliation rebuilds head and shards from a listing and deletes the old shards', async t => {
	const {context} = await queueOf(30);
	const oldShards = (await collectAll(context.store, context.keys.snapshotShardFolder())).map(e => e.key);
	t.is(oldShards.length, 1);
	// A job whose events were lost: queued without a journal event.
	await context.store.put(
		context.keys.todo('low', spread(999)),
		JSON.stringify({
			version: 1,
			hash: spread(999),
			seq: 5,
			priority: 'low',
			attempts: 0,
			queuedAt: 0,
			reason: 'ingest',
		}),
	);
	const outcome = await reconcile(context);
	t.true(outcome.saved);
	t.is(outcome.corrected, 1);
	const now = (await collectAll(context.store, context.keys.snapshotShardFolder())).map(e => e.key);
	t.is(now.length, 1);
	t.notDeepEqual(now, oldShards);
	const full = await new ReadModel(context, {full: true}).refresh();
	t.is(full.counts.total.todo, 31);
	t.is(full.jobs[spread(999)]?.priority, 'low');
});

test('a full reader whose shards a janitor replaced meanwhile reads the new head and its shards', async t => {
	const {context, clock} = await queueOf(40);
	let raced = false;
	const racing: Middleware = {
		async around(call, next) {
			if (!raced && call.method === 'get' && call.key.startsWith(context.keys.snapshotShardFolder())) {
				raced = true;
				// Between the reader's head and its shard GET: a change, compacted, its old shard deleted.
				await enqueueMany(context, [{hash: spread(500), priority: 'low'}]);
				clock.advance(61_000);
				await runJanitor(context);
			}
			return next();
		},
	};
	const reader = {...context, store: composeStore(context.store, [racing])};
	const view = await new ReadModel(reader, {full: true}).refresh();
	t.true(raced);
	t.is(view.counts.total.todo, 41);
	t.is(view.jobs[spread(500)]?.state, 'todo');
	t.deepEqual(view.problems, []);
});

test('a corrupt head is reported as a degraded read model with its repair; a malformed todo entry is still queued', async t => {
	const {context} = await queueOf(5);
	await context.store.put(context.keys.snapshot(), '{"version": 2, "jobs": 7}');
	const view = await new ReadModel(context).refresh();
	t.true(
		view.problems.some(p => p.includes('degraded') && p.includes('blobforge janitor --reconcile')),
		view.problems.join('\n'),
	);
	await context.store.put(context.keys.todo('low', spread(77)), '{not json');
	const located = await locateJob(context, spread(77));
	t.is(located.state, 'todo', 'as the listing and the claimers see it');
	t.is(located.problems.length, 1);
});

test('journal objects of one millisecond fold in seq order, whatever order their keys list in', async t => {
	const {context, clock} = await makeQueue();
	const at = clock.now();
	const event = (n: number, seq: number, state: 'todo' | 'dead', from?: 'todo') => ({
		hash: spread(n),
		seq,
		state,
		priority: 'low',
		attempts: 0,
		at,
		...(from ? {from} : {}),
	});
	// Listed in key order: B queued, A dead (from todo), then A queued: A's queueing comes last but has the lower seq.
	const put = (suffix: string, events: object[]) =>
		context.store.put(context.keys.journal(at, suffix), JSON.stringify({version: 1, events}));
	await put('aaaa', [event(2, 1, 'todo')]);
	await put('bbbb', [event(1, 3, 'dead', 'todo')]);
	await put('cccc', [event(1, 2, 'todo')]);
	const console = await new ReadModel(context).refresh();
	t.is(console.counts.todo.low, 1, 'a console reading the journal');
	t.is(console.counts.dead.low, 1);
	clock.advance(61_000);
	await runJanitor(context);
	const after = await new ReadModel(context).refresh();
	t.is(after.counts.todo.low, 1, 'the compacted head');
	t.is(after.counts.dead.low, 1);
});

test('history: completions and failures per hour and per day are kept in the head; old periods go; bad entries are dropped', async t => {
	const {emptySnapshot, applyEvent, trimSeries, periodSeries} = await import(
		'../../source/queue/read-model/event-fold.js'
	);
	const snapshot = emptySnapshot();
	const hour = 3_600_000;
	const day = 24 * hour;
	const now = Date.UTC(2026, 11, 2, 12, 30);
	const event = (n: number, state: 'done' | 'failed', at: number) =>
		applyEvent(snapshot, {hash: spread(n), seq: 1, state, priority: 'normal', attempts: 0, at, from: 'todo'});
	event(1, 'done', now);
	event(2, 'done', now - hour);
	event(3, 'failed', now - hour);
	event(4, 'done', now - 3 * day);
	event(5, 'done', now - 70 * day);
	t.deepEqual(periodSeries(snapshot.history.completionsByHour, now, hour, 3), [0, 1, 1]);
	t.deepEqual(periodSeries(snapshot.history.failuresByHour, now, hour, 3), [0, 1, 0]);
	t.deepEqual(periodSeries(snapshot.history.completionsByDay, now, day, 4), [1, 0, 0, 2]);
	t.true(trimSeries(snapshot, now));
	t.is(Object.keys(snapshot.history.completionsByDay).length, 2, 'the day 70 days ago went; 3 days ago stays');
	t.is(Object.keys(snapshot.history.completionsByHour).length, 2, 'hours older than two days went');
	// Read back, as a console or the next compaction reads the head.
	const parsed = parseSnapshot(
		JSON.stringify({...snapshot, history: {...snapshot.history, failuresByDay: {x: 1, 5: 'many', 6: -1, 7: 2}}}),
	);
	if (!parsed.ok) throw new Error(parsed.reason);
	t.deepEqual(parsed.value.history.completionsByHour, snapshot.history.completionsByHour);
	t.deepEqual(parsed.value.history.failuresByDay, {7: 2}, 'wrong-typed, negative and non-period entries are dropped');
	const legacy = parseSnapshot(JSON.stringify({...snapshot, history: 'none', completionsByMinute: [1, 2]}));
	t.true(
		legacy.ok &&
			Object.keys(legacy.value.history.completionsByDay).length === 0 &&
			Object.keys(legacy.value.completionsByMinute).length === 0,
	);
});

test('an orphaned shard (its janitor died before the head named it) goes once an hour old, at the six-hourly look', async t => {
	const {context, clock, requests, keys} = await queueOf(3);
	const orphan = keys.snapshotShard('', 'died-000000');
	await context.store.put(orphan, JSON.stringify({version: 2, jobs: {}}));
	const pass = async (n: number) => {
		await enqueueMany(context, [{hash: spread(100 + n), priority: 'normal'}]);
		clock.advance(61_000);
		requests.length = 0;
		await runJanitor(context);
		return requests.some(r => r.operation === 'list' && r.key === keys.snapshotShardFolder());
	};
	clock.advance(2 * 60 * 60_000);
	t.false(await pass(1), 'two hours after the last look: no LIST of the shards');
	t.truthy(await context.store.head(orphan));
	clock.advance(shardLimits.orphanLookEveryMs);
	t.true(await pass(2), 'six hours on: the shards are listed');
	t.is(await context.store.head(orphan), undefined, 'and the orphan deleted');
	const {head} = await headOf(context);
	const live = (await collectAll(context.store, keys.snapshotShardFolder())).map(e => e.key);
	const named = Object.entries(head.shards.ids).map(([prefix, id]) => keys.snapshotShard(prefix, id));
	t.deepEqual(live, named.sort(), 'the named shards stay');
	t.false(await pass(3), 'and the next pass does not look again');
});
