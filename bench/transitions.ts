/**
S3 requests per job, by operation, for each path a job takes, on a real S3 endpoint: ingest of one
new PDF; claim → heartbeat → complete; failure → retry → success; dead → manual retry → success.
Counted with the same counters the console shows, in steady state (a bucket that already has a
manifest and other jobs). The janitor's per-pass listings (LIST processing, failed, journal) serve
every job in the pass; they are shown apart. Priced at AWS rates per 1,000 jobs. Prints a table and
writes bench/results/transitions.json.

Run: node dist/bench/transitions.js
*/
import {mkdir, mkdtemp, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {benchBucket, benchS3} from './bench-s3.js';
import {ingest} from '../source/ingest/ingest.js';
import {ManualClock, type Clock} from '../source/lib/clock.js';
import {listCandidates} from '../source/queue/candidates.js';
import {runJanitor} from '../source/queue/janitor.js';
import {openQueueContext, type QueueContext} from '../source/queue/queue-context.js';
import {defaultRemoteConfig} from '../source/queue/records.js';
import {retryJob} from '../source/queue/transitions/admin.js';
import {claim} from '../source/queue/transitions/claim.js';
import type {HeldLease} from '../source/queue/transitions/lease-write.js';
import {enqueueMany} from '../source/queue/transitions/enqueue.js';
import {complete, fail} from '../source/queue/transitions/finish.js';
import {heartbeat} from '../source/queue/transitions/heartbeat.js';
import {awsPricePerRequest, diffStats, operations, type StatsSnapshot} from '../source/storage/request-stats.js';

const s3 = benchS3();
const {endpoint} = s3;
const opened = await benchBucket(s3, `tr`);
// The janitor compares retry times with the server's clock; a manual clock lets the backoff pass at once.
const clock = new ManualClock(Date.now());
const config = {...defaultRemoteConfig, max_retries: 1, retry_backoff: 0};
const context: QueueContext = openQueueContext(opened.store, {clock: clock as Clock, config});
const hash = (n: number) => `e${n.toString(16).padStart(63, '0')}`;

/** Requests by the kinds of issue 8's table, and dollars per 1,000 of them. */
type Counted = {
	get: number;
	head: number;
	put: number;
	conditionalPut: number;
	list: number;
	delete: number;
	total: number;
	dollarsPer1000: number;
};
function counted(stats: StatsSnapshot): Counted {
	const dollars = operations.reduce((sum, op) => sum + stats[op].count * awsPricePerRequest[op], 0);
	return {
		get: stats.get.count,
		head: stats.head.count,
		put: stats.put.count,
		conditionalPut: stats['put-create-only'].count + stats['put-if-match'].count,
		list: stats.list.count,
		delete: stats.delete.count + stats['delete-many'].count,
		total: stats.total.count - stats.time.count,
		dollarsPer1000: dollars * 1000,
	};
}

async function measure(run: () => Promise<unknown>): Promise<Counted> {
	const before = opened.stats.snapshot();
	await run();
	return counted(diffStats(opened.stats.snapshot(), before));
}

async function claimOne(h: string): Promise<HeldLease> {
	const outcome = await claim(context, 'w-bench', {hash: h, priority: 'normal'});
	if (outcome.kind !== 'claimed') throw new Error(`claim: ${outcome.kind}`);
	return outcome.held;
}

const rows: Array<{path: string; counted: Counted; note: string}> = [];
// Steady state: a bucket with other jobs and a manifest already.
await enqueueMany(
	context,
	Array.from({length: 20}, (_, i) => ({hash: hash(1000 + i), priority: 'normal' as const})),
);
const dir = await mkdtemp(path.join(os.tmpdir(), 'bf-bench-tr-'));
await writeFile(path.join(dir, 'first.pdf'), '%PDF-1.4\n% first\n');
await ingest(context, [path.join(dir, 'first.pdf')]);
await writeFile(path.join(dir, 'new.pdf'), '%PDF-1.4\n% a new file\n');
rows.push({
	path: 'ingest of one new PDF (a batch of one)',
	counted: await measure(async () => ingest(context, [path.join(dir, 'new.pdf')])),
	note: 'state reads, manifest CAS, raw PDF, todo, journal append (journal + changes + signal); in a batch of 100 about 2 per file',
});

const h1 = hash(1);
await enqueueMany(context, [{hash: h1, priority: 'normal', name: 'a.pdf'}]);
rows.push({
	path: 'claim → heartbeat → complete',
	counted: await measure(async () => {
		const held = await claimOne(h1);
		await heartbeat(context, held, {stage: 'converting'});
		await complete(context, held, new TextEncoder().encode('zip'));
	}),
	note: 'lease, todo (a first attempt: no result check), one heartbeat, fence, result, done (the todo entry goes with the lease at compaction)',
});
rows.push({
	path: '  + the candidate listing a claim round needs',
	counted: await measure(async () => listCandidates(context)),
	note: 'LIST todo + LIST processing over its range (the leases only while claims are lost or jobs in flight are many)',
});

const h2 = hash(2);
await enqueueMany(context, [{hash: h2, priority: 'normal', name: 'b.pdf'}]);
const failurePath = await measure(async () => {
	const held = await claimOne(h2);
	await heartbeat(context, held);
	await fail(context, held, {error: 'converter exited with code 3', permanent: false});
});
// The janitor's pass: it sweeps the ended lease (compaction) and requeues the job once its backoff
// passed. Its listings and the snapshot write serve every job in the pass; here there is one.
const janitorBefore = opened.stats.snapshot();
clock.advance(61_000);
await runJanitor(context);
const janitorPass = counted(diffStats(opened.stats.snapshot(), janitorBefore));
const success = await measure(async () => {
	const held = await claimOne(h2);
	await heartbeat(context, held);
	await complete(context, held, new TextEncoder().encode('zip'));
});
rows.push({
	path: 'failure → retry → success',
	counted: sum(failurePath, sum(janitorPass, success)),
	note: 'attempt 1 fails, the janitor requeues it after the backoff, attempt 2 succeeds; all of one janitor pass included',
});
rows.push({
	path: '  of which the janitor pass',
	counted: janitorPass,
	note: 'LISTs of processing, failed, journal; snapshot GET and CAS PUT; the requeue; shared by every job in a pass',
});

// The same path in steady state: a janitor pass that requeues 100 failed jobs at once.
const many = Array.from({length: 100}, (_, i) => hash(5000 + i));
await enqueueMany(
	context,
	many.map(h => ({hash: h, priority: 'normal' as const})),
);
for (const h of many) await fail(context, await claimOne(h), {error: 'converter exited with code 3', permanent: false});
clock.advance(61_000);
const bulkBefore = opened.stats.snapshot();
const bulkReport = await runJanitor(context);
if (bulkReport.failedRequeued !== 100) throw new Error(`requeued ${bulkReport.failedRequeued} of 100`);
const bulk = counted(diffStats(opened.stats.snapshot(), bulkBefore));
const perJob = (c: Counted, n: number): Counted => ({
	get: c.get / n,
	head: c.head / n,
	put: c.put / n,
	conditionalPut: c.conditionalPut / n,
	list: c.list / n,
	delete: c.delete / n,
	total: c.total / n,
	dollarsPer1000: c.dollarsPer1000 / n,
});
rows.push({
	path: '  janitor pass, per job, 100 failed jobs in the pass',
	counted: perJob(bulk, 100),
	note: 'GET failed, PUT todo, DELETE failed each; listings, snapshot, one journal append and the lease sweep shared',
});
rows.push({
	path: 'failure → retry → success, steady state',
	counted: sum(failurePath, sum(perJob(bulk, 100), success)),
	note: 'as above with the janitor pass shared by 100 jobs',
});

const h3 = hash(3);
await enqueueMany(context, [{hash: h3, priority: 'normal', name: 'c.pdf'}]);
const dead = await claimOne(h3);
await fail(context, dead, {error: 'not a valid PDF', permanent: true});
clock.advance(61_000);
await runJanitor(context);
rows.push({
	path: 'dead → manual retry → success',
	counted: await measure(async () => {
		const outcome = await retryJob(context, h3);
		if (!outcome.ok) throw new Error(outcome.reason);
		const held = await claimOne(h3);
		await heartbeat(context, held);
		await complete(context, held, new TextEncoder().encode('zip'));
	}),
	note: 'locate (10 parallel reads), todo, dead delete, journal append, then claim → complete',
});

function sum(a: Counted, b: Counted): Counted {
	return {
		get: a.get + b.get,
		head: a.head + b.head,
		put: a.put + b.put,
		conditionalPut: a.conditionalPut + b.conditionalPut,
		list: a.list + b.list,
		delete: a.delete + b.delete,
		total: a.total + b.total,
		dollarsPer1000: a.dollarsPer1000 + b.dollarsPer1000,
	};
}

const targets: Record<string, string> = {
	'claim → heartbeat → complete': '≤ 7',
	'failure → retry → success, steady state': '≤ 12',
	'ingest of one new PDF (a batch of one)': '',
};
console.log('path | GET | HEAD | PUT | cond. PUT | LIST | DELETE | total | $ per 1,000 jobs | target | what');
for (const r of rows) {
	const c = r.counted;
	const n = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(2));
	console.log(
		`${r.path} | ${n(c.get)} | ${n(c.head)} | ${n(c.put)} | ${n(c.conditionalPut)} | ${n(c.list)} | ${n(c.delete)} | ${n(c.total)} | ` +
			`${c.dollarsPer1000.toFixed(4)} | ${targets[r.path] ?? ''} | ${r.note}`,
	);
}
await mkdir('bench/results', {recursive: true});
await writeFile(
	'bench/results/transitions.json',
	JSON.stringify({date: new Date().toISOString(), endpoint, rows}, null, 2),
);
