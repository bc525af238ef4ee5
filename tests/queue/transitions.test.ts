import test from 'ava';
import {claim, type HeldLease} from '../../source/queue/transitions/claim.js';
import {enqueue} from '../../source/queue/transitions/enqueue.js';
import {complete, fail} from '../../source/queue/transitions/finish.js';
import {heartbeat} from '../../source/queue/transitions/heartbeat.js';
import {recoverOwnLeases, runJanitor} from '../../source/queue/janitor.js';
import {parseFailureRecord, parseTodoEntry} from '../../source/queue/records.js';
import {collectAll, type StoredObject} from '../../source/storage/object-store.js';
import {describeRequests, hashOf, makeQueue} from '../support/queue.js';

async function claimOne(context: Awaited<ReturnType<typeof makeQueue>>['context'], worker: string, hash: string): Promise<HeldLease> {
	const outcome = await claim(context, worker, {hash, priority: 'normal'});
	if (outcome.kind !== 'claimed') throw new Error(`expected a claim, got ${outcome.kind}`);
	return outcome.held;
}

test('enqueue → claim → heartbeat → complete makes exactly the documented requests', async t => {
	const {context, requests, keys} = await makeQueue();
	const h = hashOf(1);
	t.is((await enqueue(context, {hash: h, priority: 'normal'})).kind, 'queued');
	t.is((await enqueue(context, {hash: h, priority: 'normal'})).kind, 'already-queued', 'a second enqueue never resets the entry');
	requests.length = 0;
	const held = await claimOne(context, 'w-1', h);
	t.is(held.lease.attempt, 1);
	t.is((await heartbeat(context, held, {stage: 'converting', pagesDone: 1, pagesTotal: 2})).kind, 'renewed');
	t.is((await heartbeat(context, held)).kind, 'renewed');
	const done = await complete(context, held, new TextEncoder().encode('zip'));
	t.deepEqual(done, {kind: 'completed', resultExisted: false});
	t.deepEqual(describeRequests(requests, keys), [
		'put-create-only queue/processing/<hash>',
		'get queue/todo/3_normal/<hash>',
		'put-if-match queue/processing/<hash>',
		'delete queue/todo/3_normal/<hash>',
		'put-if-match queue/processing/<hash>',
		'put-if-match queue/processing/<hash>',
		'put-create-only store/out/<hash>.zip',
		'delete queue/processing/<hash>',
	]);
	t.deepEqual((await collectAll(context.store, 'pdf/queue/')).map(e => e.key), []);
});

test('a job completed without heartbeats deletes its todo entry at completion', async t => {
	const {context, requests, keys} = await makeQueue();
	const h = hashOf(2);
	await enqueue(context, {hash: h, priority: 'normal'});
	requests.length = 0;
	const held = await claimOne(context, 'w-1', h);
	await complete(context, held, new Uint8Array([1]));
	t.deepEqual(describeRequests(requests, keys), [
		'put-create-only queue/processing/<hash>',
		'get queue/todo/3_normal/<hash>',
		'put-if-match queue/processing/<hash>',
		'put-create-only store/out/<hash>.zip',
		'delete queue/todo/3_normal/<hash>',
		'delete queue/processing/<hash>',
	]);
});

test('a second claimer of a leased job is told "taken"; a claim on a finished job is "gone"', async t => {
	const {context} = await makeQueue();
	const h = hashOf(3);
	await enqueue(context, {hash: h, priority: 'normal'});
	const held = await claimOne(context, 'w-1', h);
	t.is((await claim(context, 'w-2', {hash: h, priority: 'normal'})).kind, 'taken');
	await complete(context, held, new Uint8Array([1]));
	// w-2 listed the job before it finished and tries again now.
	t.is((await claim(context, 'w-2', {hash: h, priority: 'normal'})).kind, 'gone');
	t.is(await context.store.head(context.keys.lease(h)), undefined, 'the stray lease is removed');
});

test('fencing: after the janitor recovers a stale lease, the old holder\'s heartbeat and completion write nothing', async t => {
	const {context, clock} = await makeQueue({stale_timeout_minutes: 15});
	const h = hashOf(4);
	await enqueue(context, {hash: h, priority: 'high'});
	const outcome = await claim(context, 'w-1', {hash: h, priority: 'high'});
	t.is(outcome.kind, 'claimed');
	const held = (outcome as {held: HeldLease}).held;
	await heartbeat(context, held);
	clock.advance(16 * 60_000);
	const report = await runJanitor(context);
	t.is(report.staleRecovered, 1);
	const hb = await heartbeat(context, held);
	t.is(hb.kind, 'lost');
	t.deepEqual(await complete(context, held, new Uint8Array([9])), {kind: 'lost'});
	t.is(await context.store.head(context.keys.result(h)), undefined, 'no result from the fenced-out worker');
	const todo = (await context.store.get(context.keys.todo('high', h))) as StoredObject;
	const entry = parseTodoEntry(todo.body, h, 'high');
	t.true(entry.ok && entry.value.attempts === 1 && entry.value.reason === 'stale-lease', 'requeued at its priority with the attempt counted');
});

test('staleness uses the server clock: a lease renewed within the timeout survives the janitor', async t => {
	const {context, clock} = await makeQueue({stale_timeout_minutes: 15});
	const h = hashOf(5);
	await enqueue(context, {hash: h, priority: 'normal'});
	const held = await claimOne(context, 'w-1', h);
	for (let i = 0; i < 5; i++) {
		clock.advance(10 * 60_000);
		// eslint-disable-next-line no-await-in-loop
		t.is((await heartbeat(context, held)).kind, 'renewed');
		// eslint-disable-next-line no-await-in-loop
		t.is((await runJanitor(context)).staleRecovered, 0);
	}
});

test('failures: retry with backoff, then dead-letter after max_retries, with the whole history', async t => {
	const {context, clock} = await makeQueue({max_retries: 2, retry_backoff: 30});
	const h = hashOf(6);
	await enqueue(context, {hash: h, priority: 'low'});
	for (let attempt = 1; attempt <= 3; attempt++) {
		// eslint-disable-next-line no-await-in-loop
		const held = (await claim(context, `w-${attempt}`, {hash: h, priority: 'low'})) as {kind: 'claimed'; held: HeldLease};
		t.is(held.kind, 'claimed');
		t.is(held.held.lease.attempt, attempt);
		// eslint-disable-next-line no-await-in-loop
		const outcome = await fail(context, held.held, {error: `boom ${attempt}`, permanent: false});
		if (attempt < 3) {
			t.is(outcome.kind, 'failed');
			// Not requeued before the backoff has passed.
			// eslint-disable-next-line no-await-in-loop
			t.is((await runJanitor(context)).failedRequeued, 0);
			clock.advance(30_000 * 2 ** (attempt - 1) + 1);
			// eslint-disable-next-line no-await-in-loop
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
		t.deepEqual(record.value.history.map(f => f.error), ['boom 1', 'boom 2', 'boom 3']);
	}
	t.deepEqual((await collectAll(context.store, 'pdf/queue/todo/')).length, 0);
	t.deepEqual((await collectAll(context.store, 'pdf/queue/processing/')).length, 0);
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

test('the janitor finishes a job whose holder died after uploading the result', async t => {
	const {context, clock} = await makeQueue();
	const h = hashOf(8);
	await enqueue(context, {hash: h, priority: 'normal'});
	await claimOne(context, 'w-1', h);
	await context.store.put(context.keys.result(h), 'zip'); // the holder uploaded, then was killed
	clock.advance(16 * 60_000);
	const report = await runJanitor(context);
	t.is(report.finishedDone, 1);
	t.is((await collectAll(context.store, 'pdf/queue/')).length, 0, 'no todo entry, no lease: done, not converted again');
});

test('start-up recovery takes only this worker\'s quiet leases, counted as an attempt', async t => {
	const {context, clock} = await makeQueue({heartbeat_interval: 60});
	await enqueue(context, {hash: hashOf(9), priority: 'normal'});
	await enqueue(context, {hash: hashOf(10), priority: 'normal'});
	const mine = await claimOne(context, 'w-1', hashOf(9));
	await claimOne(context, 'w-2', hashOf(10));
	t.is((await recoverOwnLeases(context, 'w-1')).staleRecovered, 0, 'a lease renewed recently may belong to a live twin');
	clock.advance(3 * 60_000);
	const report = await recoverOwnLeases(context, 'w-1');
	t.is(report.staleRecovered, 1);
	t.is(await context.store.head(context.keys.lease(hashOf(10))) !== undefined, true, 'the other worker\'s lease is untouched');
	const todo = (await context.store.get(context.keys.todo('normal', mine.lease.hash))) as StoredObject;
	const entry = parseTodoEntry(todo.body, mine.lease.hash, 'normal');
	t.true(entry.ok && entry.value.attempts === 1 && entry.value.reason === 'worker-restart');
});

test('malformed queue records are reported and skipped, never a crash', async t => {
	const {context, clock} = await makeQueue();
	await context.store.put(context.keys.lease(hashOf(11)), '{not json');
	await context.store.put(context.keys.failed(hashOf(12)), '{"version": 99}');
	clock.advance(16 * 60_000);
	const report = await runJanitor(context);
	t.deepEqual(report.malformed.map(m => m.reason.split(' (')[0]), ['not valid JSON', 'unknown version 99']);
	// The unreadable lease still held a job: it is requeued (at normal priority) rather than lost.
	t.is(report.staleRecovered, 1);
});

test('records written by the earlier system read back', t => {
	const todo = parseTodoEntry('', hashOf(1), 'normal');
	t.true(todo.ok && todo.value.attempts === 0);
	const legacy = parseTodoEntry('{"retries": 2, "queued_at": 5, "recovered_from": "stale_processing", "custom": 1}', hashOf(1), 'high');
	t.true(legacy.ok && legacy.value.attempts === 2 && legacy.value.reason === 'stale_processing' && legacy.value.extra?.['custom'] === 1);
	const dead = parseFailureRecord('{"error": "x", "total_retries": 4, "reason": "exceeded_max_retries"}', hashOf(1));
	t.true(dead.ok && dead.value.attempts === 4 && dead.value.reason === 'max-retries');
});
