/** The console's source on a real (local) store: what one snapshot shows, and the requests each refresh makes. */
import test from 'ava';
import {Inspector} from '../../source/inspector/inspector.js';
import {heartbeatHealth, InspectorFeed, throughput} from '../../source/inspector/console-feed.js';
import {RequestStats} from '../../source/storage/request-stats.js';
import type {QueueContext} from '../../source/queue/queue-context.js';
import {RemoteConfigCache, setRemoteConfig} from '../../source/queue/remote-config.js';
import {claim} from '../../source/queue/transitions/claim.js';
import {enqueue, enqueueMany} from '../../source/queue/transitions/enqueue.js';
import {complete, fail} from '../../source/queue/transitions/finish.js';
import {runJanitor} from '../../source/queue/janitor.js';
import {changePause} from '../../source/queue/transitions/pause.js';
import {heartbeat} from '../../source/queue/transitions/heartbeat.js';
import type {ObjectStore} from '../../source/storage/object-store.js';
import {StoreError} from '../../source/storage/store-error.js';
import {describeRequests, hashOf, letLeasesSettle, makeQueue, registrationOf} from '../support/queue.js';

async function busyQueue() {
	const queue = await makeQueue({max_retries: 0});
	const {context} = queue;
	await enqueueMany(
		context,
		[1, 2, 3, 4].map(n => ({hash: hashOf(n), priority: 'normal' as const, name: `doc-${n}.pdf`, size: n * 100})),
	);
	const running = await claim(context, 'w-1', {hash: hashOf(1), priority: 'normal'});
	if (running.kind !== 'claimed') throw new Error('claim');
	const failing = await claim(context, 'w-2', {hash: hashOf(2), priority: 'normal'});
	if (failing.kind !== 'claimed') throw new Error('claim');
	await fail(context, failing.held, {error: 'boom', permanent: false});
	let monotonic = 0;
	const feed = new InspectorFeed(new Inspector(context), 'local:/x prefix pdf/', {
		leaseSweepMs: 20_000,
		monotonic: () => monotonic,
		now: () => queue.clock.now(),
	});
	return {
		...queue,
		held: running.held,
		feed,
		advance: (ms: number) => {
			monotonic += ms;
			queue.clock.advance(ms);
		},
	};
}

test('a snapshot: rows per pane with names from the queue entry until the first heartbeat, then progress from the lease', async t => {
	const {feed, context, held} = await busyQueue();
	let snapshot = await feed.snapshot();
	t.deepEqual(
		snapshot.active.map(j => [j.name, j.run?.worker, j.run?.attempt, j.run?.stage]),
		[['doc-1.pdf', 'w-1', 1, 'claimed']],
		'the claim lease has no name yet: it comes from the todo entry',
	);
	t.deepEqual(snapshot.todo.map(j => j.name).sort(), ['doc-3.pdf', 'doc-4.pdf']);
	t.deepEqual(
		snapshot.dead.map(j => [j.name, j.error]),
		[['doc-2.pdf', 'boom']],
		'max_retries 0: straight to dead',
	);
	t.is(snapshot.counts.total.processing, 1);
	await heartbeat(context, held, {stage: 'converting', pagesDone: 3, pagesTotal: 9});
	snapshot = await feed.snapshot({full: true});
	t.like(snapshot.active[0]?.run, {stage: 'converting', pagesDone: 3, pagesTotal: 9, health: 'fine'});
});

test(
	'requests: a quiet refresh is one conditional GET; the leases are listed on their own slower clock; a change in the journal is read at ' +
		'once',
	async t => {
		const {feed, context, requests, keys, advance} = await busyQueue();
		await feed.snapshot();
		advance(2000);
		requests.length = 0;
		await feed.snapshot();
		t.deepEqual(describeRequests(requests, keys), ['get queue/changes.json'], 'between sweeps: only the change object');
		advance(20_000);
		requests.length = 0;
		await feed.snapshot();
		t.deepEqual(
			describeRequests(requests, keys).sort(),
			['get queue/changes.json', 'get queue/snapshot.json', 'get queue/todo/0_paused.json', 'list queue/processing/'],
			'a sweep: the snapshot (304), the leases and the pause (304)',
		);
		await enqueue(context, {hash: hashOf(9), priority: 'high', name: 'new.pdf'});
		advance(2000);
		requests.length = 0;
		const after = await feed.snapshot();
		t.deepEqual(
			describeRequests(requests, keys).map(r => r.replace(/journal\/\d{13}-[0-9a-f]+\.json/, 'journal/<time>.json')),
			['get queue/changes.json', 'get queue/snapshot.json', 'list queue/journal/', 'get queue/journal/<time>.json'],
			'the new job is read within one refresh',
		);
		t.true(after.todo.some(j => j.name === 'new.pdf'));
		requests.length = 0;
		await feed.snapshot({full: true});
		t.true(
			describeRequests(requests, keys).includes('list queue/processing/'),
			'a full read (after an action) lists the leases at once',
		);
	},
);

test('a refresh that fails after seeing a change reads the journal at the next refresh, not at the next change', async t => {
	const {context, clock} = await makeQueue();
	let failJournalList = false;
	const store: ObjectStore = {
		...context.store,
		location: context.store.location,
		async listPage(prefix, options) {
			if (failJournalList && prefix.endsWith('queue/journal/'))
				throw new StoreError('network', 'connection reset', {operation: 'list', key: prefix});
			return context.store.listPage(prefix, options);
		},
	};
	const feed = new InspectorFeed(new Inspector({...context, store}), 'local:/x prefix pdf/', {
		leaseSweepMs: 20_000,
		monotonic: () => clock.now(),
		now: () => clock.now(),
	});
	await feed.snapshot();
	await enqueue(context, {hash: hashOf(1), priority: 'normal', name: 'late.pdf'});
	failJournalList = true;
	await t.throwsAsync(feed.snapshot(), {message: /connection reset/});
	failJournalList = false;
	clock.advance(2000);
	const after = await feed.snapshot();
	t.deepEqual(
		after.todo.map(j => j.name),
		['late.pdf'],
		'nothing else changed, yet the job the failed refresh missed is shown',
	);
});

test('notices from the owning process ride along with each snapshot, and only while there are any', async t => {
	const {context, clock} = await makeQueue();
	const notices: string[] = [];
	const feed = new InspectorFeed(new Inspector(context), 'local:/x prefix pdf/', {
		monotonic: () => clock.now(),
		now: () => clock.now(),
		notices: () => notices,
	});
	t.is((await feed.snapshot()).notices, undefined);
	notices.push('ingest of scan.pdf failed: disk full');
	t.deepEqual((await feed.snapshot()).notices, ['ingest of scan.pdf failed: disk full']);
});

test('throughput: the rate counts from the first completion within the last ten minutes, and gives the backlog an ETA', t => {
	const minute = 1000;
	const serverNow = minute * 60_000 + 30_000; // half-way through the current minute
	const counts = {total: {todo: 30, processing: 0, failed: 0, dead: 0, done: 0}} as Parameters<
		typeof throughput
	>[0]['counts'];
	const fresh = throughput({serverNow, counts, completionsByMinute: {[String(minute - 1)]: 6, [String(minute)]: 3}});
	t.is(fresh.ratePerMinute, 9 / 1.5, 'nine jobs in the minute and a half since they began');
	t.is(fresh.backlogEtaMs, (30 / 6) * 60_000);
	t.is(fresh.perMinute.length, 30);
	t.deepEqual(fresh.perMinute.slice(-2), [6, 3]);
	const idle = throughput({serverNow, counts, completionsByMinute: {}});
	t.is(idle.ratePerMinute, 0);
	t.is(idle.backlogEtaMs, undefined);
});

test('heartbeat health: late after two missed heartbeats (or half the stale timeout), stale past it', t => {
	t.is(heartbeatHealth(30_000, 900_000, 60_000), 'fine');
	t.is(heartbeatHealth(130_000, 900_000, 60_000), 'late');
	t.is(heartbeatHealth(901_000, 900_000, 60_000), 'stale');
	t.is(heartbeatHealth(4000, 3000, 1000), 'stale');
});

test('a config set reaches a running console within a minute: stale after, and each lease health', async t => {
	const queue = await makeQueue();
	const {context, clock} = queue;
	const remote = new RemoteConfigCache(context);
	await remote.get();
	const reading: QueueContext = {...context, config: () => remote.config};
	await enqueue(reading, {hash: hashOf(1), priority: 'normal', name: 'a.pdf'});
	const claimed = await claim(reading, 'w-1', {hash: hashOf(1), priority: 'normal'});
	t.is(claimed.kind, 'claimed');
	let monotonic = 0;
	const feed = new InspectorFeed(new Inspector(reading), 'local', {
		leaseSweepMs: 0,
		monotonic: () => monotonic,
		now: () => clock.now(),
		remoteConfig: remote,
	});
	t.is((await feed.snapshot()).staleAfterMs, 15 * 60_000);
	await setRemoteConfig(context, {heartbeat_interval: 5, stale_timeout_minutes: 1});
	clock.advance(70_000);
	monotonic += 61_000;
	await feed.snapshot(); // reads the config (a conditional GET)
	const after = await feed.snapshot();
	t.is(after.staleAfterMs, 60_000, 'the new stale timeout');
	t.is(after.active[0]?.run?.health, 'stale', 'a lease not renewed for 70 s is stale under the new config');
});

test('jobs waiting with no live worker: the snapshot says since when, and gives no ETA', async t => {
	const queue = await makeQueue();
	const {context, clock, keys} = queue;
	await enqueueMany(
		context,
		[1, 2, 3].map(n => ({hash: hashOf(n), priority: 'normal' as const})),
	);
	let monotonic = 0;
	const feed = () =>
		new InspectorFeed(new Inspector(context), 'local', {
			leaseSweepMs: 0,
			monotonic: () => monotonic,
			now: () => clock.now(),
		});
	t.deepEqual((await feed().snapshot()).unattended, {waiting: 3}, 'no worker has ever registered');
	const registration = registrationOf('w-1');
	await context.store.put(keys.worker('w-1'), JSON.stringify(registration));
	t.is((await feed().snapshot()).unattended, undefined, 'an idle worker registered a moment ago is live');
	// Idle for 16 minutes: a registration rewritten every 10 is not yet gone at 16.
	clock.advance(16 * 60_000);
	t.is((await feed().snapshot()).unattended, undefined, 'an idle registration 16 minutes old is not yet gone');
	// A killed worker: its lease goes stale and its registration old.
	const claimed = await claim(context, 'w-1', {hash: hashOf(1), priority: 'normal'});
	t.is(claimed.kind, 'claimed');
	clock.advance(10 * 60_000);
	t.is((await feed().snapshot()).unattended, undefined, 'its lease is renewed in time: live');
	clock.advance(6 * 60_000);
	monotonic += 60_000;
	const late = await feed().snapshot();
	t.is(late.unattended?.waiting, 3);
	t.true((late.unattended?.sinceMs ?? 0) >= 16 * 60_000 - 1000, String(late.unattended?.sinceMs));
	t.is(late.backlogEtaMs, undefined);
});

test("the console's cost is measured from its first refresh, after half a minute of refreshes", async t => {
	const queue = await makeQueue();
	const stats = new RequestStats();
	stats.record('get', {latencyMs: 1});
	let monotonic = 0;
	const feed = new InspectorFeed(new Inspector(queue.context, stats), 'local', {
		leaseSweepMs: 0,
		monotonic: () => monotonic,
		now: () => queue.clock.now(),
	});
	t.true((await feed.snapshot()).costMeasuring, 'the first refresh reads everything once: no rate from it');
	monotonic += 10_000;
	t.true((await feed.snapshot()).costMeasuring);
	monotonic += 25_000;
	t.is((await feed.snapshot()).costMeasuring, undefined);
});

/** A queue of one job and a console that has listed no registration yet; `register` writes one, as a new worker does. */
async function feedBeforeAWorker() {
	const queue = await makeQueue();
	const {context, clock, keys} = queue;
	await enqueue(context, {hash: hashOf(1), priority: 'normal', name: 'doc-1.pdf'});
	let monotonic = 0;
	const feed = new InspectorFeed(new Inspector(context), 'local', {
		leaseSweepMs: 0,
		monotonic: () => monotonic,
		now: () => clock.now(),
	});
	const record = {
		version: 1,
		host: 'h',
		pid: 1,
		softwareVersion: 't',
		status: 'idle',
		store: 'l',
		startedAt: 0,
		lastSeen: 0,
	};
	return {
		...queue,
		feed,
		/** Two seconds later, as the console's next refresh. */
		later: () => {
			monotonic += 2000;
		},
		register: async (worker: string) => context.store.put(keys.worker(worker), JSON.stringify({...record, worker})),
	};
}

test('a worker that started after the last listing of registrations shows at the next refresh once it holds a lease', async t => {
	const {context, feed, later, register} = await feedBeforeAWorker();
	t.is((await feed.snapshot()).workers.length, 0);
	await register('w-new');
	t.is((await claim(context, 'w-new', {hash: hashOf(1), priority: 'normal'})).kind, 'claimed');
	later();
	await feed.snapshot(); // sees a lease of a worker it does not know
	later();
	t.deepEqual(
		(await feed.snapshot()).workers.map(w => [w.id, w.status, w.currentJob]),
		[['w-new', 'processing', 'doc-1.pdf']],
		'not a minute later, its job named before its first heartbeat',
	);
});

test('a worker whose jobs all ended between two sweeps shows at the next refresh, from its ended leases', async t => {
	const {context, feed, later, register} = await feedBeforeAWorker();
	t.is((await feed.snapshot()).workers.length, 0);
	await register('w-quick');
	const claimed = await claim(context, 'w-quick', {hash: hashOf(1), priority: 'normal'});
	if (claimed.kind !== 'claimed') throw new Error('claim');
	await complete(context, claimed.held, new Uint8Array([1]));
	later();
	t.deepEqual((await feed.snapshot()).workers, [], 'sees only an ended lease of a worker it does not know');
	later();
	t.deepEqual(
		(await feed.snapshot()).workers.map(w => w.id),
		['w-quick'],
		'not a minute later',
	);
});

test('a worker outside its run windows is sleeping until its window opens, and waiting jobs are not unattended', async t => {
	const queue = await makeQueue();
	const {context, clock, keys} = queue;
	await enqueue(context, {hash: hashOf(1), priority: 'normal'});
	const opensAt = clock.now() + 3 * 3_600_000;
	const registration = {...registrationOf('w-night'), sleepingUntil: opensAt};
	await context.store.put(keys.worker('w-night'), JSON.stringify(registration));
	const feed = () => new InspectorFeed(new Inspector(context), 'local', {leaseSweepMs: 0, now: () => clock.now()});
	// Asleep for hours: its registration is older than the 20 minutes that would make an idle worker gone.
	clock.advance(2 * 3_600_000);
	const night = await feed().snapshot();
	t.deepEqual(
		night.workers.map(w => [w.id, w.status, w.sleepingUntil]),
		[['w-night', 'sleeping', opensAt]],
	);
	t.deepEqual(night.unattended, {waiting: 1, sleepingUntil: opensAt});
	// Past its wake (and the grace for clocks): silent, so gone, and the jobs are unattended.
	clock.advance(3_600_000 + 21 * 60_000);
	const after = await feed().snapshot();
	t.deepEqual(
		after.workers.map(w => [w.id, w.status, w.sleepingUntil]),
		[['w-night', 'gone', undefined]],
	);
	t.is(after.unattended?.waiting, 1);
	t.is(after.unattended?.sleepingUntil, undefined);
});

test('a worker whose lease went stale is gone at once, though it registered when its job began; workers agrees', async t => {
	const queue = await makeQueue();
	const {context, clock, keys} = queue;
	await enqueueMany(context, [{hash: hashOf(1), priority: 'normal' as const}]);
	const claimed = await claim(context, 'w-9', {hash: hashOf(1), priority: 'normal'});
	t.is(claimed.kind, 'claimed');
	let monotonic = 0;
	const feed = () =>
		new InspectorFeed(new Inspector(context), 'local', {
			leaseSweepMs: 0,
			monotonic: () => monotonic,
			now: () => clock.now(),
		});
	// Killed 16 minutes into its job: the stale timeout is 15 minutes; its registration (written at the
	// claim and rewritten only every 30 minutes while busy) is 16 minutes old.
	await context.store.put(keys.worker('w-9'), JSON.stringify(registrationOf('w-9', 'processing')));
	clock.advance(16 * 60_000);
	monotonic += 60_000;
	const snapshot = await feed().snapshot();
	t.deepEqual(
		snapshot.workers.map(w => [w.id, w.status]),
		[['w-9', 'gone']],
	);
	t.is(snapshot.unattended?.waiting, 1, 'its job waits for the janitor with no live worker');
	const {workers} = await new Inspector(context).workers();
	t.false(workers[0]!.alive, '`workers --active` leaves it out');
});

test('list -v names the worker of a done or failed job, before and after the janitor folds its lease', async t => {
	const queue = await makeQueue({max_retries: 3, retry_backoff: 3600});
	const {context, clock} = queue;
	await enqueueMany(
		context,
		[1, 2].map(n => ({hash: hashOf(n), priority: 'normal' as const})),
	);
	const first = await claim(context, 'w-done', {hash: hashOf(1), priority: 'normal'});
	const second = await claim(context, 'w-fail', {hash: hashOf(2), priority: 'normal'});
	if (first.kind !== 'claimed' || second.kind !== 'claimed') throw new Error('claims');
	await complete(context, first.held, new Uint8Array([1]));
	await fail(context, second.held, {error: 'boom', permanent: false});
	const workers = async () =>
		Object.fromEntries((await new Inspector(context).jobs()).map(row => [row.hash.slice(-1), [row.state, row.worker]]));
	t.deepEqual(await workers(), {1: ['done', 'w-done'], 2: ['failed', 'w-fail']});
	letLeasesSettle(clock);
	await runJanitor(context, {readAllLeases: true});
	t.deepEqual(await workers(), {1: ['done', 'w-done'], 2: ['failed', 'w-fail']}, 'kept in the snapshot once folded');
});

test("another operator's pause reaches the console with the next lease sweep, not a minute later", async t => {
	const queue = await makeQueue();
	const {context, clock} = queue;
	let monotonic = 0;
	const feed = new InspectorFeed(new Inspector(context), 'local', {
		leaseSweepMs: 20_000,
		monotonic: () => monotonic,
		now: () => clock.now(),
	});
	t.is((await feed.snapshot()).paused, undefined);
	await changePause(context, {pause: true, by: 'other@host'});
	monotonic += 5000;
	t.is((await feed.snapshot()).paused, undefined, 'between sweeps: as last read');
	monotonic += 16_000;
	t.like((await feed.snapshot()).paused, {by: 'other@host'}, 'the sweep 21 s after the last one reads it');
});

test('a drain sent from the console reaches a job the worker claimed just after: the next sweep marks its lease', async t => {
	const queue = await makeQueue();
	const {context, clock, keys} = queue;
	await context.store.put(keys.worker('w-7'), JSON.stringify(registrationOf('w-7')));
	await enqueueMany(context, [{hash: hashOf(1), priority: 'normal' as const}]);
	let monotonic = 0;
	const feed = new InspectorFeed(new Inspector(context), 'local', {
		leaseSweepMs: 0,
		monotonic: () => monotonic,
		now: () => clock.now(),
	});
	await feed.snapshot();
	t.like(await feed.commandWorker('w-7', 'drain', []), {ok: true});
	// The worker claims in the moment after: the command found no lease to mark.
	const claimed = await claim(context, 'w-7', {hash: hashOf(1), priority: 'normal'});
	if (claimed.kind !== 'claimed') throw new Error(claimed.kind);
	t.is(claimed.held.lease.workerCommand, undefined);
	monotonic += 1000;
	await feed.snapshot();
	const outcome = await heartbeat(context, claimed.held);
	t.deepEqual(outcome, {kind: 'renewed', command: 'drain'}, 'its next heartbeat hears the drain');
});
