import test from 'ava';
import {ReadModel} from '../../source/queue/read-model/read-model.js';
import {claim} from '../../source/queue/transitions/claim.js';
import type {HeldLease} from '../../source/queue/transitions/lease-write.js';
import {enqueue, enqueueMany} from '../../source/queue/transitions/enqueue.js';
import {namedJobs, namedJobsAtMost} from '../../source/queue/signal.js';
import {complete, fail, requeue} from '../../source/queue/transitions/finish.js';
import {heartbeat} from '../../source/queue/transitions/heartbeat.js';
import {cancelJob} from '../../source/queue/transitions/admin.js';
import {runJanitor} from '../../source/queue/janitor.js';
import {EndedLeases} from '../../source/queue/ended-leases.js';
import {resumeLease} from '../../source/queue/transitions/resume.js';
import {parseFailureRecord, parseLease, parseTodoEntry} from '../../source/queue/records.js';
import {collectAll, type StoredObject} from '../../source/storage/object-store.js';
import {describeRequests, hashOf, letLeasesSettle, makeQueue} from '../support/queue.js';

type Queue = Awaited<ReturnType<typeof makeQueue>>;

async function claimOne(
	context: Queue['context'],
	worker: string,
	hash: string,
	priority: 'normal' | 'high' | 'low' = 'normal',
): Promise<HeldLease> {
	const outcome = await claim(context, worker, {hash, priority});
	if (outcome.kind !== 'claimed') throw new Error(`expected a claim, got ${outcome.kind}`);
	return outcome.held;
}

async function todoOf(context: Queue['context'], hash: string, priority: 'normal' | 'high' | 'low' = 'normal') {
	const got = (await context.store.get(context.keys.todo(priority, hash))) as StoredObject | undefined;
	if (!got) return undefined;
	const parsed = parseTodoEntry(got.body, hash, priority);
	return parsed.ok ? parsed.value : undefined;
}

test('a critical or high job also touches queue/urgent.json, which busy workers ask before reusing a listing', async t => {
	const {context, requests, keys} = await makeQueue();
	const signals = () => describeRequests(requests, keys).filter(r => /(signal|urgent)\.json$/.test(r));
	await enqueue(context, {hash: hashOf(1), priority: 'low'});
	// The GET: the last touch, whose fresh names and pause this one carries on (claimable-touch.ts).
	t.deepEqual(signals(), ['get queue/signal.json', 'put queue/signal.json']);
	requests.length = 0;
	await enqueue(context, {hash: hashOf(2), priority: 'high'});
	t.deepEqual(signals(), ['get queue/signal.json', 'put queue/signal.json', 'put queue/urgent.json']);
});

test("complete with dropTodo deletes the done job's todo entry after its lease says done", async t => {
	const {context, requests, keys, clock} = await makeQueue();
	const h = hashOf(1);
	await enqueue(context, {hash: h, priority: 'low'});
	const held = await claimOne(context, 'w-1', h, 'low');
	requests.length = 0;
	t.deepEqual(await complete(context, held, new Uint8Array([1]), {dropTodo: true}), {
		kind: 'completed',
		replaced: false,
	});
	t.deepEqual(describeRequests(requests, keys), [
		'put-if-match queue/processing/<hash>',
		'put-create-only store/out/<hash>.zip',
		'put-if-match queue/processing/<hash>',
		'delete queue/todo/4_low/<hash>',
	]);
	t.is(await todoOf(context, h, 'low'), undefined);
	const lease = parseLease(((await context.store.get(keys.lease(h))) as StoredObject).body, h);
	t.true(
		lease.ok && lease.value.ending === 'done',
		'the ended lease still waits for the janitor (the completion event)',
	);
	t.is((await new ReadModel(context).refresh()).jobs[h]?.state, 'done', 'readers see it done, not gone');
	t.is((await claim(context, 'w-2', {hash: h, priority: 'low'})).kind, 'taken', 'a stale listing cannot claim it');
	letLeasesSettle(clock);
	t.is((await runJanitor(context)).leasesSwept, 1, 'the janitor sweeps the lease without its todo entry');
	t.deepEqual(
		(await collectAll(context.store, 'pdf/queue/')).filter(e => /queue\/(todo|processing)\//.test(e.key)),
		[],
	);
	t.is((await new ReadModel(context).refresh()).jobs[h]?.state, 'done');
});

test('enqueue → claim → heartbeat → complete makes exactly the documented requests', async t => {
	const {context, requests, keys, clock} = await makeQueue();
	const h = hashOf(1);
	t.is((await enqueue(context, {hash: h, priority: 'normal', name: 'a.pdf', size: 10})).kind, 'queued');
	t.deepEqual(
		describeRequests(requests, keys).map(r => r.replace(/journal\/\d{13}-[0-9a-f]+\.json/, 'journal/<time>.json')),
		[
			'put-create-only queue/todo/3_normal/<hash>',
			'put queue/journal/<time>.json',
			'put queue/changes.json',
			'get queue/signal.json',
			// No touch carried the pause yet: read (absent, so the old key too).
			'get queue/todo/0_paused.json',
			'get queue/paused.json',
			'put queue/signal.json',
		],
	);
	t.is(
		(await enqueue(context, {hash: h, priority: 'normal'})).kind,
		'already-queued',
		'a second enqueue never resets the entry',
	);
	requests.length = 0;
	const held = await claimOne(context, 'w-1', h);
	t.is(held.lease.attempt, 1);
	t.is(held.lease.name, 'a.pdf');
	t.is((await heartbeat(context, held, {stage: 'converting', pagesDone: 1, pagesTotal: 2})).kind, 'renewed');
	const done = await complete(context, held, new TextEncoder().encode('zip'));
	t.deepEqual(done, {kind: 'completed', replaced: false});
	t.deepEqual(describeRequests(requests, keys), [
		'put-create-only queue/processing/<hash>',
		'get queue/todo/3_normal/<hash>',
		'put-if-match queue/processing/<hash>',
		'put-if-match queue/processing/<hash>',
		'put-create-only store/out/<hash>.zip',
		'put-if-match queue/processing/<hash>',
	]);
	t.truthy(await todoOf(context, h), 'the todo entry waits for the janitor, which deletes it with the lease');
	t.is(
		(await claim(context, 'w-2', {hash: h, priority: 'normal'})).kind,
		'taken',
		'the ended lease keeps it unclaimable',
	);
	const lease = parseLease(((await context.store.get(keys.lease(h))) as StoredObject).body, h);
	t.true(lease.ok && lease.value.ending === 'done', 'the ended lease waits for the janitor');
	t.is((await runJanitor(context)).leasesSwept, 0, 'a lease written a moment ago is not even read');
	letLeasesSettle(clock); // and journal objects are folded once a minute old
	const report = await runJanitor(context);
	t.is(report.leasesSwept, 1);
	t.is(report.journalFolded, 1);
	t.is(await todoOf(context, h), undefined, 'swept with the lease');
	t.deepEqual(
		(await collectAll(context.store, 'pdf/queue/')).map(e =>
			e.key.replace(/\.[0-9a-z]+-[0-9a-f]{6}\.json$/, '.ID.json'),
		),
		['pdf/queue/changes.json', 'pdf/queue/signal.json', 'pdf/queue/snapshot.json', 'pdf/queue/snapshot/all.ID.json'],
	);
});

test('a pass takes the leases its own process ended (same ETag) without a GET, and reads one written since', async t => {
	const {context, requests, keys, clock} = await makeQueue();
	const known = new EndedLeases();
	const held: HeldLease[] = [];
	for (const n of [31, 32, 33]) {
		await enqueue(context, {hash: hashOf(n), priority: 'normal'});
		const h = await claimOne(context, 'w-1', hashOf(n));
		await complete(context, h, new TextEncoder().encode('zip'));
		known.note(h.lease, h.etag);
		held.push(h);
	}
	// One lease changed after this process ended it (as an operator's rewrite would): its ETag no longer matches.
	const changed = held[2]!;
	const body = JSON.stringify({...changed.lease, counter: changed.lease.counter + 1});
	await context.store.put(keys.lease(changed.lease.hash), body);
	letLeasesSettle(clock);
	requests.length = 0;
	const report = await runJanitor(context, {known});
	t.is(report.leasesSwept, 3, 'all three swept');
	t.deepEqual(
		describeRequests(requests, keys).filter(r => r === 'get queue/processing/<hash>'),
		['get queue/processing/<hash>'],
		'only the lease written since is read',
	);
	t.is(known.size, 0, 'swept leases are forgotten');
	t.is(await context.store.head(keys.lease(hashOf(31))), undefined);
	t.is(await todoOf(context, hashOf(31)), undefined, 'and their todo entries with them');
});

test('claiming a job whose result already exists finishes it without converting', async t => {
	const {context, requests, keys} = await makeQueue();
	const h = hashOf(17);
	// Not a first attempt: an earlier one may have stored the result and died before its ending.
	await enqueue(context, {hash: h, priority: 'normal', attempts: 1, reason: 'stale-lease'});
	await context.store.put(context.keys.result(h), 'zip from an earlier run');
	t.deepEqual(await claim(context, 'w-1', {hash: h, priority: 'normal'}), {kind: 'already-done'});
	t.is(await todoOf(context, h), undefined);
	const lease = parseLease(((await context.store.get(context.keys.lease(h))) as StoredObject).body, h);
	t.true(lease.ok && lease.value.ending === 'done', 'recorded as done for the read model');
	// A first attempt of an ingested job cannot have a result: its claim makes no HEAD.
	await enqueue(context, {hash: hashOf(18), priority: 'normal'});
	requests.length = 0;
	t.is((await claim(context, 'w-1', {hash: hashOf(18), priority: 'normal'})).kind, 'claimed');
	t.deepEqual(describeRequests(requests, keys), [
		'put-create-only queue/processing/<hash>',
		'get queue/todo/3_normal/<hash>',
	]);
});

test('a second claimer of a leased job is told "taken"; a claim on a job that left the queue is "gone"', async t => {
	const {context, clock} = await makeQueue();
	const h = hashOf(3);
	await enqueue(context, {hash: h, priority: 'normal'});
	const held = await claimOne(context, 'w-1', h);
	t.is((await claim(context, 'w-2', {hash: h, priority: 'normal'})).kind, 'taken');
	await complete(context, held, new Uint8Array([1]));
	t.is(
		(await claim(context, 'w-2', {hash: h, priority: 'normal'})).kind,
		'taken',
		'the ended lease blocks claims until it is swept',
	);
	letLeasesSettle(clock);
	await runJanitor(context);
	t.is((await claim(context, 'w-2', {hash: h, priority: 'normal'})).kind, 'gone');
	t.is(await context.store.head(context.keys.lease(h)), undefined, 'the stray lease is removed');
});

test("fencing: after the janitor recovers a stale lease, the old holder's heartbeat and completion write nothing", async t => {
	const {context, clock} = await makeQueue({stale_timeout_minutes: 15});
	const h = hashOf(4);
	await enqueue(context, {hash: h, priority: 'high'});
	const held = await claimOne(context, 'w-1', h, 'high');
	await heartbeat(context, held);
	clock.advance(16 * 60_000);
	const report = await runJanitor(context, {compact: false});
	t.is(report.staleRecovered, 1);
	t.is((await heartbeat(context, held)).kind, 'lost');
	t.deepEqual(await complete(context, held, new Uint8Array([9])), {kind: 'lost'});
	t.is(await context.store.head(context.keys.result(h)), undefined, 'no result from the fenced-out worker');
	const todo = await todoOf(context, h, 'high');
	t.is(todo?.attempts, 1, 'the lost attempt is counted');
	t.is(todo?.reason, 'stale-lease');
	letLeasesSettle(clock);
	const signal = await context.store.head(context.keys.signal());
	await runJanitor(context);
	// Claimable only now that the requeued lease is swept: idle workers are told, not left to their five-minute listing.
	t.not((await context.store.head(context.keys.signal()))?.etag, signal?.etag, 'the sweep touched the signal');
	const next = await claimOne(context, 'w-2', h, 'high');
	t.is(next.lease.attempt, 2);
});

test('a heartbeat whose earlier renewal answer was lost adopts its own lease instead of calling it lost', async t => {
	const {context, requests, keys} = await makeQueue();
	const h = hashOf(5);
	await enqueue(context, {hash: h, priority: 'normal'});
	const held = await claimOne(context, 'w-1', h);
	const behind: HeldLease = {...held, lease: {...held.lease}};
	t.is((await heartbeat(context, held)).kind, 'renewed'); // the write the other copy never heard about
	requests.length = 0;
	t.is((await heartbeat(context, behind)).kind, 'renewed');
	t.deepEqual(describeRequests(requests, keys), [
		'put-if-match queue/processing/<hash>',
		'get queue/processing/<hash>',
		'put-if-match queue/processing/<hash>',
	]);
	t.is(behind.lease.counter, held.lease.counter + 1);
	await cancelJob(context, h);
	t.is((await heartbeat(context, behind)).kind, 'cancelled', 'a cancelled lease is never adopted');
});

test('a stale lease that never heartbeated is recovered with the attempt count of its todo entry', async t => {
	const {context, clock} = await makeQueue();
	const h = hashOf(14);
	await enqueue(context, {hash: h, priority: 'normal', attempts: 2});
	await claimOne(context, 'w-1', h);
	clock.advance(16 * 60_000);
	await runJanitor(context);
	t.is((await todoOf(context, h))?.attempts, 3);
});

test('staleness uses the server clock: a lease renewed within the timeout survives the janitor', async t => {
	const {context, clock} = await makeQueue({stale_timeout_minutes: 15});
	const h = hashOf(5);
	await enqueue(context, {hash: h, priority: 'normal'});
	const held = await claimOne(context, 'w-1', h);
	for (let i = 0; i < 5; i++) {
		clock.advance(10 * 60_000);
		t.is((await heartbeat(context, held)).kind, 'renewed');
		t.is((await runJanitor(context)).staleRecovered, 0);
	}
});

test('a janitor pass names every job it made claimable in one touch: a retried failure and a swept requeued lease', async t => {
	const {context, clock, keys, requests} = await makeQueue({retry_backoff: 30, stale_timeout_minutes: 15});
	const [failed, stale] = [hashOf(20), hashOf(21)];
	await enqueueMany(context, [
		{hash: failed, priority: 'normal'},
		{hash: stale, priority: 'normal'},
	]);
	const held = await claimOne(context, 'w-1', failed);
	await claimOne(context, 'w-2', stale);
	t.is((await fail(context, held, {error: 'boom', permanent: false})).kind, 'failed');
	clock.advance(16 * 60_000);
	t.is((await runJanitor(context, {compact: false})).staleRecovered, 1);
	letLeasesSettle(clock);
	requests.length = 0;
	t.is((await runJanitor(context)).failedRequeued, 1);
	// Two touches a moment apart: idle workers polling every 10 s would see only the second one's names.
	t.deepEqual(
		describeRequests(requests, keys).filter(r => r.endsWith('signal.json')),
		['get queue/signal.json', 'put queue/signal.json'],
	);
	const named = namedJobs(((await context.store.get(keys.signal())) as StoredObject).body);
	t.deepEqual(named.map(j => j.hash).sort(), [failed, stale].sort());
});

test('failures: retry with backoff, then dead-letter after max_retries, with the whole history', async t => {
	const {context, clock} = await makeQueue({max_retries: 2, retry_backoff: 30});
	const h = hashOf(6);
	await enqueue(context, {hash: h, priority: 'low'});
	for (let attempt = 1; attempt <= 3; attempt++) {
		const held = await claimOne(context, `w-${attempt}`, h, 'low');
		t.is(held.lease.attempt, attempt);
		const outcome = await fail(context, held, {error: `boom ${attempt}`, permanent: false});
		if (attempt < 3) {
			t.is(outcome.kind, 'failed');
			// The first pass sweeps the ended lease; the failed job waits for its backoff.
			t.is((await runJanitor(context)).failedRequeued, 0);
			t.is((await runJanitor(context)).failedRequeued, 0, 'not before the backoff');
			clock.advance(30_000 * 2 ** (attempt - 1) + 1);
			t.is((await runJanitor(context)).failedRequeued, 1);
		} else {
			t.is(outcome.kind, 'dead');
		}
	}
	const dead = (await context.store.get(context.keys.dead(h))) as StoredObject;
	const record = parseFailureRecord(dead.body, h);
	t.true(record.ok);
	if (record.ok) {
		t.is(record.value.reason, 'max-retries');
		t.is(record.value.priority, 'low');
		t.deepEqual(
			record.value.history.map(f => f.error),
			['boom 1', 'boom 2', 'boom 3'],
		);
	}
	t.is((await collectAll(context.store, 'pdf/queue/todo/')).length, 0);
});

test('a permanent failure goes straight to dead-letter', async t => {
	const {context} = await makeQueue();
	const h = hashOf(7);
	await enqueue(context, {hash: h, priority: 'normal'});
	const held = await claimOne(context, 'w-1', h);
	const outcome = await fail(context, held, {error: 'the PDF is encrypted', permanent: true});
	t.is(outcome.kind, 'dead');
	t.is(outcome.kind === 'dead' && outcome.record.reason, 'permanent');
});

test('a holder killed after its failure fence: the janitor writes the record from the lease', async t => {
	const {context, clock} = await makeQueue();
	const h = hashOf(15);
	await enqueue(context, {hash: h, priority: 'normal'});
	const held = await claimOne(context, 'w-1', h);
	// Simulate the crash: the fence is written, the record and the todo deletion are not.
	const {writeHeldLease} = await import('../../source/queue/transitions/lease-write.js');
	await writeHeldLease(context, held, {
		ending: 'dead',
		endedAt: 1,
		seq: held.lease.seq + 1,
		attemptsAfter: 1,
		failure: {attempt: 1, worker: 'w-1', error: 'corrupt PDF', at: 1, permanent: true},
	});
	letLeasesSettle(clock);
	const report = await runJanitor(context);
	t.is(report.rolledForward, 1);
	t.truthy(await context.store.head(context.keys.dead(h)));
	t.is(await todoOf(context, h), undefined);
});

test('the janitor finishes a job whose holder died after uploading the result', async t => {
	const {context, clock} = await makeQueue();
	const h = hashOf(8);
	await enqueue(context, {hash: h, priority: 'normal'});
	await claimOne(context, 'w-1', h);
	await context.store.put(context.keys.result(h), 'zip'); // the holder uploaded, then was killed
	clock.advance(16 * 60_000);
	const report = await runJanitor(context);
	t.is(report.finishedDone, 1);
	t.deepEqual(
		(await collectAll(context.store, 'pdf/queue/')).map(e =>
			e.key.replace(/\.[0-9a-z]+-[0-9a-f]{6}\.json$/, '.ID.json'),
		),
		['pdf/queue/changes.json', 'pdf/queue/signal.json', 'pdf/queue/snapshot.json', 'pdf/queue/snapshot/all.ID.json'],
		'no todo entry, no lease: done, not converted again',
	);
});

test('a worker whose earlier process is known dead resumes its lease at once, however recently renewed', async t => {
	const {context} = await makeQueue();
	await enqueue(context, {hash: hashOf(19), priority: 'normal'});
	await claimOne(context, 'w-1', hashOf(19));
	const outcome = await resumeLease(context, 'w-1', hashOf(19), {ownerGone: true});
	t.is(outcome.kind, 'resumed');
	if (outcome.kind === 'resumed') t.is(outcome.held.lease.resumed, 1);
});

test('a restarted worker resumes its own quiet lease in three requests, and leaves the rest', async t => {
	const {context, clock, requests, keys} = await makeQueue({heartbeat_interval: 60});
	await enqueue(context, {hash: hashOf(9), priority: 'normal', name: 'mine.pdf'});
	await enqueue(context, {hash: hashOf(10), priority: 'normal'});
	const mine = await claimOne(context, 'w-1', hashOf(9));
	await claimOne(context, 'w-2', hashOf(10));
	t.is(
		(await resumeLease(context, 'w-1', hashOf(9))).kind,
		'left',
		'a lease renewed recently may belong to a live twin',
	);
	t.is(
		(await resumeLease(context, 'w-1', hashOf(10), {ownerGone: true})).kind,
		'left',
		"another worker's lease is left however recent",
	);
	clock.advance(3 * 60_000);
	t.deepEqual(await resumeLease(context, 'w-1', hashOf(10)), {kind: 'left', reason: 'held by w-2'});
	requests.length = 0;
	const outcome = await resumeLease(context, 'w-1', hashOf(9));
	t.deepEqual(describeRequests(requests, keys), [
		'get queue/processing/<hash>',
		'get queue/todo/3_normal/<hash>',
		'put-if-match queue/processing/<hash>',
	]);
	if (outcome.kind !== 'resumed') return t.fail(`not resumed: ${JSON.stringify(outcome)}`);
	t.is(outcome.held.lease.attempt, 1, 'the same attempt goes on: a restart is not counted against the PDF');
	t.is(outcome.held.lease.name, 'mine.pdf');
	t.not(outcome.held.lease.nonce, mine.lease.nonce);
	t.is((await heartbeat(context, mine, {stage: 'converting'})).kind, 'lost', "the dead process's fence is gone");
	t.deepEqual(await complete(context, outcome.held, new TextEncoder().encode('zip')), {
		kind: 'completed',
		replaced: false,
	});
	const other = parseLease(
		((await context.store.get(context.keys.lease(hashOf(10)))) as StoredObject).body,
		hashOf(10),
	);
	t.true(other.ok && other.value.ending === undefined, "the other worker's lease is untouched");
});

test('a lease resumed twice already goes to recovery: the attempt is counted', async t => {
	const {context, clock} = await makeQueue({heartbeat_interval: 60});
	await enqueue(context, {hash: hashOf(12), priority: 'normal'});
	await claimOne(context, 'w-1', hashOf(12));
	for (const round of [1, 2]) {
		clock.advance(3 * 60_000);
		const outcome = await resumeLease(context, 'w-1', hashOf(12));
		t.is(outcome.kind, 'resumed', `restart ${round}`);
	}
	clock.advance(3 * 60_000);
	t.deepEqual(await resumeLease(context, 'w-1', hashOf(12)), {kind: 'recovered', ending: 'requeued'});
	const todo = await todoOf(context, hashOf(12));
	t.is(todo?.attempts, 1);
	t.is(todo?.reason, 'worker-restart');
});

test('graceful shutdown hands the job back without counting an attempt', async t => {
	const {context} = await makeQueue();
	const h = hashOf(16);
	await enqueue(context, {hash: h, priority: 'normal'});
	const held = await claimOne(context, 'w-1', h);
	const watching = new ReadModel(context);
	await watching.refresh();
	t.deepEqual(await requeue(context, held), {kind: 'requeued'});
	const signal = (await context.store.get(context.keys.signal())) as StoredObject;
	t.deepEqual(namedJobs(signal.body), [{hash: h, priority: 'normal'}], 'idle workers hear of it at once');
	const view = await watching.refresh();
	t.is(view.jobs[h]?.state, 'todo');
	t.is(view.jobs[h]?.error, undefined, 'a clean hand-back is no error for the LAST ERROR column');
	await runJanitor(context);
	const again = await claimOne(context, 'w-2', h);
	t.is(again.lease.attempt, 1);
});

test('malformed queue records are reported and skipped, never a crash', async t => {
	const {context, clock} = await makeQueue();
	await context.store.put(context.keys.lease(hashOf(11)), '{not json');
	await context.store.put(context.keys.failed(hashOf(12)), '{"version": 99}');
	await context.store.put(`${context.keys.journalFolder()}0000000000001-ab.json`, 'garbage');
	clock.advance(16 * 60_000);
	const report = await runJanitor(context);
	t.deepEqual(
		report.malformed.map(m => m.reason.split(' (')[0]).sort(),
		['not valid JSON', 'pdf/queue/journal/0000000000001-ab.json: not valid JSON', 'unknown version 99'].sort(),
	);
});

test('records written by the earlier system read back', t => {
	const todo = parseTodoEntry('', hashOf(1), 'normal');
	t.true(todo.ok && todo.value.attempts === 0);
	const legacy = parseTodoEntry(
		'{"retries": 2, "queued_at": 5, "recovered_from": "stale_processing", "custom": 1}',
		hashOf(1),
		'high',
	);
	t.true(
		legacy.ok &&
			legacy.value.attempts === 2 &&
			legacy.value.reason === 'stale_processing' &&
			legacy.value.extra?.['custom'] === 1,
	);
	const dead = parseFailureRecord('{"error": "x", "total_retries": 4, "reason": "exceeded_max_retries"}', hashOf(1));
	t.true(dead.ok && dead.value.attempts === 4 && dead.value.reason === 'max-retries');
	const lock = parseLease(
		'{"worker": "abc", "started": 5, "last_heartbeat": 6, "priority": "2_high", "retries": 1}',
		hashOf(1),
	);
	t.true(lock.ok && lock.value.priority === 'high' && lock.value.attempt === 2);
});

test('a holder paused past its fence: the live holder replaces its late result, and after a cancel it withdraws it', async t => {
	const {context, requests, keys, clock} = await makeQueue({stale_timeout_minutes: 15, heartbeat_interval: 60});
	const h = hashOf(21);
	await enqueue(context, {hash: h, priority: 'normal'});
	const paused = await claimOne(context, 'w-paused', h);
	// Fenced ('completing'), then paused: its lease goes stale and the janitor requeues the job.
	const {writeHeldLease} = await import('../../source/queue/transitions/lease-write.js');
	t.true(await writeHeldLease(context, paused, {ending: 'completing'}));
	clock.advance(16 * 60_000);
	t.is((await runJanitor(context)).staleRecovered, 1);
	letLeasesSettle(clock);
	const live = await claimOne(context, 'w-live', h);
	// The paused holder resumes: its create-only result lands first, its final write is refused.
	await context.store.put(keys.result(h), 'late result', {
		condition: {kind: 'create-only'},
		metadata: {attempt: paused.lease.nonce},
	});
	requests.length = 0;
	t.deepEqual(await complete(context, live, new TextEncoder().encode('live result')), {
		kind: 'completed',
		replaced: true,
	});
	t.deepEqual(describeRequests(requests, keys), [
		'put-if-match queue/processing/<hash>',
		'put-create-only store/out/<hash>.zip',
		'head store/out/<hash>.zip',
		'put-if-match queue/processing/<hash>',
		'put-if-match store/out/<hash>.zip',
		'put-if-match queue/processing/<hash>',
	]);
	const result = async () => {
		const got = await context.store.get(keys.result(h));
		return got && 'body' in got ? new TextDecoder().decode(got.body) : undefined;
	};
	t.is(await result(), 'live result', 'the result is the completing attempt’s');

	// A second job: the operator cancels it while its holder is paused after its fence.
	const c = hashOf(22);
	await enqueue(context, {hash: c, priority: 'normal'});
	const late = await claimOne(context, 'w-late', c);
	let fenced = false;
	const pausedStore = {
		...context.store,
		put: async (key: string, body: Uint8Array | string, options?: Parameters<typeof context.store.put>[2]) => {
			const written = await context.store.put(key, body, options);
			if (key === keys.lease(c) && !fenced) {
				fenced = true;
				t.true((await cancelJob(context, c)).ok, 'cancelled while the holder is paused');
			}
			return written;
		},
	};
	t.deepEqual(await complete({...context, store: pausedStore}, late, new TextEncoder().encode('late')), {kind: 'lost'});
	t.is(await context.store.head(keys.result(c)), undefined, 'the cancel holds: the late result is withdrawn');
});

test('a signal names the jobs it made claimable, up to 100; past that, or malformed, it names none', async t => {
	const {context, keys} = await makeQueue();
	const named = async () => namedJobs(((await context.store.get(keys.signal())) as StoredObject).body);
	await enqueue(context, {hash: hashOf(1), priority: 'low'});
	t.deepEqual(await named(), [{hash: hashOf(1), priority: 'low'}]);
	const most = Array.from({length: namedJobsAtMost}, (_, i) => ({hash: hashOf(i + 1000), priority: 'normal' as const}));
	await enqueueMany(context, most);
	t.is((await named()).length, namedJobsAtMost, 'an ingest batch of 100 is named');
	await enqueueMany(
		context,
		Array.from({length: namedJobsAtMost + 1}, (_, i) => ({hash: hashOf(i + 2), priority: 'normal' as const})),
	);
	t.deepEqual(await named(), [], 'one past the most: woken workers list the queue');
	for (const body of ['{"jobs": [["not-a-hash", "low"]]}', '{"jobs": "x"}', 'garbage', '{"jobs": [[1, 2]]}'])
		t.deepEqual(namedJobs(new TextEncoder().encode(body)), [], body);
});
