import test from 'ava';
import {Inspector} from '../../source/inspector/inspector.js';
import {claim} from '../../source/queue/transitions/claim.js';
import type {HeldLease} from '../../source/queue/transitions/lease-write.js';
import {enqueue, enqueueMany} from '../../source/queue/transitions/enqueue.js';
import {complete, fail} from '../../source/queue/transitions/finish.js';
import {heartbeat} from '../../source/queue/transitions/heartbeat.js';
import {collectAll} from '../../source/storage/object-store.js';
import {hashOf, makeQueue, registrationOf} from '../support/queue.js';

async function pipeline() {
	const queue = await makeQueue({max_retries: 1});
	const {context} = queue;
	await enqueueMany(
		context,
		[1, 2, 3, 4, 5].map(i => ({
			hash: hashOf(0xabc000 + i),
			priority: i === 5 ? 'critical' : 'normal',
			name: `report-${i}.pdf`,
			size: i * 1000,
		})),
	);
	const take = async (i: number, priority: 'normal' | 'critical' = 'normal') => {
		const outcome = await claim(context, `w-${i}`, {hash: hashOf(0xabc000 + i), priority});
		if (outcome.kind !== 'claimed') throw new Error(outcome.kind);
		return outcome.held;
	};
	await complete(context, await take(1), new Uint8Array([1]));
	await fail(context, await take(2), {error: 'the PDF is encrypted', permanent: true});
	await fail(context, await take(3), {error: 'converter crashed', permanent: false});
	const running: HeldLease = await take(4);
	await heartbeat(context, running, {stage: 'converting', pagesDone: 2, pagesTotal: 9});
	return {...queue, running, inspector: new Inspector(context)};
}

test('overview and job lists: counts per state, rows with names, sizes and errors', async t => {
	const {inspector} = await pipeline();
	const view = await inspector.overview();
	t.deepEqual(view.counts.total, {todo: 1, processing: 1, failed: 1, dead: 1, done: 1});
	t.is(view.counts.todo.critical, 1);
	const dead = await inspector.jobs({state: 'dead'});
	t.is(dead.length, 1);
	t.is(dead[0]?.name, 'report-2.pdf');
	t.is(dead[0]?.error, 'the PDF is encrypted');
	const active = await inspector.jobs({state: 'processing'});
	t.is(active[0]?.worker, 'w-4');
	t.is(view.active[0]?.lease.progress?.pagesDone, 2);
});

test('hash prefixes resolve when unambiguous, and say why when not', async t => {
	const {context} = await makeQueue();
	const [a1, a2, b] = ['aaaa1', 'aaaa2', 'bbbb3'].map(p => p.padEnd(64, '0'));
	await enqueueMany(
		context,
		[a1!, a2!, b!].map(hash => ({hash, priority: 'normal' as const})),
	);
	const inspector = new Inspector(context);
	t.deepEqual(await inspector.resolveHash('BBBB'), {ok: true, hash: b});
	t.deepEqual(await inspector.resolveHash(a1!), {ok: true, hash: a1});
	const ambiguous = await inspector.resolveHash('aaaa');
	t.regex(ambiguous.ok ? '' : ambiguous.reason, /the prefix aaaa matches 2 jobs/);
	const none = await inspector.resolveHash('cccc');
	t.regex(none.ok ? '' : none.reason, /no queued, active, failed or dead job starts with cccc/);
	const junk = await inspector.resolveHash('x!');
	t.regex(junk.ok ? '' : junk.reason, /not a SHA-256 hash/);
});

test('job detail explains why a job is where it is', async t => {
	const {inspector, clock} = await pipeline();
	t.regex(
		(await inspector.job(hashOf(0xabc004))).explanation,
		/lease last renewed 0s ago by w-4: converting, page 2 of 9; stale if not renewed for 15m00s more/,
	);
	t.regex(
		(await inspector.job(hashOf(0xabc003))).explanation,
		/attempt 1 failed \(converter crashed\); the janitor requeues it in 30s \(backoff\)/,
	);
	t.regex(
		(await inspector.job(hashOf(0xabc002))).explanation,
		/dead-lettered after a permanent failure: the PDF is encrypted/,
	);
	t.regex((await inspector.job(hashOf(0xabc005))).explanation, /queued at critical \(ingest\): waiting for a worker/);
	t.regex((await inspector.job(hashOf(0xabc001))).explanation, /^done/);
	t.regex((await inspector.job(hashOf(0xdead))).explanation, /nothing in this store has this hash/);
	clock.advance(17 * 60_000);
	t.regex(
		(await inspector.job(hashOf(0xabc004))).explanation,
		/lease last renewed 17m00s ago by w-4, stale after 15m00s: the janitor will requeue it/,
	);
});

test('actions through the inspector: retry from dead, cancel a running job, reprioritize, clear-dead', async t => {
	const {inspector, context, running} = await pipeline();
	const retried = await inspector.retry(hashOf(0xabc002), {resetRetries: true, priority: 'high'});
	t.true(retried.ok, JSON.stringify(retried));
	t.is((await inspector.overview()).stateOf(hashOf(0xabc002)), 'todo');
	t.false((await inspector.retry(hashOf(0xabc001))).ok, 'a done job is not retried');
	const cancelled = await inspector.cancel(hashOf(0xabc004));
	t.true(cancelled.ok);
	t.deepEqual(await heartbeat(context, running), {kind: 'cancelled'}, 'the worker learns at its next heartbeat');
	t.is((await inspector.overview()).stateOf(hashOf(0xabc004)), 'dead');
	t.true((await inspector.reprioritize(hashOf(0xabc005), 'background')).ok);
	t.is((await inspector.overview()).counts.todo.background, 1);
	t.deepEqual(await inspector.clearDead({dryRun: true}), {count: 1});
	t.deepEqual(await inspector.clearDead(), {count: 1});
	t.is((await inspector.overview()).counts.total.dead, 0);
});

test('rows are built once per change of the jobs, not on every refresh (a console at 1,000,000 queued)', async t => {
	const {inspector, context} = await pipeline();
	const first = await inspector.overview();
	const rows = inspector.queueRows(first);
	const again = await inspector.overview();
	t.is(again.version, first.version, 'a refresh that read nothing new keeps the version');
	t.is(inspector.queueRows(again), rows, 'and the rows');
	await enqueueMany(context, [{hash: hashOf(0xabc010), priority: 'low', name: 'late.pdf'}]);
	const changed = await inspector.overview();
	t.not(changed.version, first.version);
	t.true(
		inspector.queueRows(changed).some(r => r.name === 'late.pdf'),
		'a change is seen at once',
	);
	t.is(changed.counts.total.todo, first.counts.total.todo + 1);
});

test('workers --prune forgets gone and stopped workers, keeps live ones and those holding a lease', async t => {
	const {context, clock, keys} = await makeQueue();
	const register = async (worker: string, status: 'idle' | 'stopped' | 'processing') =>
		context.store.put(keys.worker(worker), JSON.stringify(registrationOf(worker, status)));
	await register('w-gone', 'idle');
	await register('w-busy', 'processing');
	await enqueue(context, {hash: hashOf(77), priority: 'normal'});
	const held = await claim(context, 'w-busy', {hash: hashOf(77), priority: 'normal'});
	t.is(held.kind, 'claimed');
	clock.advance(21 * 60_000);
	if (held.kind === 'claimed') await heartbeat(context, held.held, {stage: 'converting'});
	await register('w-live', 'idle');
	await register('w-stopped', 'stopped');
	const inspector = new Inspector(context);
	t.deepEqual((await inspector.pruneWorkers({dryRun: true})).sort(), ['w-gone', 'w-stopped']);
	t.is((await collectAll(context.store, keys.workerFolder())).length, 4, 'a dry run deletes nothing');
	t.deepEqual((await inspector.pruneWorkers()).sort(), ['w-gone', 'w-stopped']);
	t.deepEqual(
		(await inspector.workers()).workers.map(w => w.worker).sort(),
		['w-busy', 'w-live'],
		'silent 21 minutes but renewing its lease: kept',
	);
});
