/**
What a console left running costs, on a real S3 endpoint: 20 running jobs heartbeating once a
minute, 10,000 queued and 10,000 done, and `watch`'s source refreshed every 2 s for 10 simulated
minutes (300 refreshes; the schedules run on an injected clock, the requests are real). Counted by
operation, priced at AWS S3 Standard rates, for the default lease sweep (20 s) and for listing
everything every refresh. Prints a table and writes bench/results/console-cost.json.

Run: node dist/bench/console-cost.js [queued] [done]   (default 10000 10000)
*/
import {mkdir, writeFile} from 'node:fs/promises';
import {benchBucket, benchS3} from './bench-s3.js';
import {Inspector} from '../source/inspector/inspector.js';
import {InspectorFeed} from '../source/inspector/console-feed.js';
import {mapLimit} from '../source/lib/concurrency.js';
import {openQueueContext, type QueueContext} from '../source/queue/queue-context.js';
import {reconcile} from '../source/queue/read-model/reconcile.js';
import {claim} from '../source/queue/transitions/claim.js';
import type {HeldLease} from '../source/queue/transitions/lease-write.js';
import {enqueueMany} from '../source/queue/transitions/enqueue.js';
import {heartbeat} from '../source/queue/transitions/heartbeat.js';
import {awsPricePerRequest, diffStats, type StatsSnapshot} from '../source/storage/request-stats.js';

const [queued = 10_000, done = 10_000] = process.argv.slice(2).map(Number);
const s3 = benchS3();
const {endpoint} = s3;
const hash = (n: number, salt: string) => (salt + n.toString(16)).padStart(64, '0');
const minutes = 10;
const refreshMs = 2000;
const minutesPerMonth = 60 * 24 * 30;

const opened = await benchBucket(s3, `console`);
const context: QueueContext = openQueueContext(opened.store);
const fillStarted = performance.now();
await mapLimit(
	Array.from({length: done}, (_, i) => i),
	64,
	async i => opened.store.put(context.keys.result(hash(i, 'a')), 'zip'),
);
await enqueueMany(
	context,
	Array.from({length: queued + 20}, (_, i) => ({
		hash: hash(i, 'b'),
		priority: 'normal' as const,
		name: `queued-${i}.pdf`,
		size: 1000,
	})),
);
const held: HeldLease[] = [];
for (let i = 0; i < 20; i++) {
	const outcome = await claim(context, `w-${i}`, {hash: hash(i, 'b'), priority: 'normal'});
	if (outcome.kind === 'claimed') held.push(outcome.held);
}
await reconcile(context);
console.log(
	`filled ${done} done, ${queued} queued, 20 running in ${((performance.now() - fillStarted) / 1000).toFixed(0)} s`,
);

type Row = {
	mode: string;
	refreshes: number;
	perMinute: Record<string, number>;
	requestsPerMinute: number;
	dollarsPerMonth: number;
	medianRefreshMs: number;
};
const rows: Row[] = [];

function perMinuteOf(stats: StatsSnapshot): Record<string, number> {
	return Object.fromEntries(
		Object.entries(stats)
			.filter(([k, v]) => k !== 'total' && v.count > 0)
			.map(([k, v]) => [k, v.count / minutes]),
	);
}

for (const [mode, leaseSweepMs] of [
	['default: leases every 20 s', 20_000],
	['leases listed every refresh', 0],
] as const) {
	let clock = 0;
	// One heartbeat per running job per minute, spread over the minute, as workers do.
	const nextBeat = held.map((_, i) => (i * 60_000) / held.length);
	const feed = new InspectorFeed(new Inspector(context, opened.stats), 'bench', {leaseSweepMs, monotonic: () => clock});
	await feed.snapshot();
	// The heartbeats go through the same counters; they are counted apart and subtracted.
	const before = opened.stats.snapshot();
	let heartbeatStats = diffStats(before, before);
	const times: number[] = [];
	for (let step = 0; step < (minutes * 60_000) / refreshMs; step++) {
		clock += refreshMs;
		for (const [i, lease] of held.entries()) {
			if (nextBeat[i]! > clock) continue;
			nextBeat[i]! += 60_000;
			const b0 = opened.stats.snapshot();
			await heartbeat(context, lease, {stage: 'converting', pagesDone: step % 40, pagesTotal: 40});
			const spent = diffStats(opened.stats.snapshot(), b0);
			heartbeatStats = addStats(heartbeatStats, spent);
		}
		const t0 = performance.now();
		await feed.snapshot();
		times.push(performance.now() - t0);
	}
	const consoleStats = subtractStats(diffStats(opened.stats.snapshot(), before), heartbeatStats);
	const perMinute = perMinuteOf(consoleStats);
	const dollarsPerMinute = Object.entries(perMinute).reduce(
		(sum, [op, n]) => sum + n * awsPricePerRequest[op as keyof typeof awsPricePerRequest],
		0,
	);
	times.sort((a, b) => a - b);
	rows.push({
		mode,
		refreshes: times.length,
		perMinute,
		requestsPerMinute: consoleStats.total.count / minutes,
		dollarsPerMonth: dollarsPerMinute * minutesPerMonth,
		medianRefreshMs: times[Math.floor(times.length / 2)]!,
	});
}

function addStats(a: StatsSnapshot, b: StatsSnapshot): StatsSnapshot {
	return Object.fromEntries(
		Object.keys(a).map(k => [
			k,
			{...a[k as keyof StatsSnapshot], count: a[k as keyof StatsSnapshot].count + b[k as keyof StatsSnapshot].count},
		]),
	) as StatsSnapshot;
}

function subtractStats(a: StatsSnapshot, b: StatsSnapshot): StatsSnapshot {
	return Object.fromEntries(
		Object.keys(a).map(k => [
			k,
			{...a[k as keyof StatsSnapshot], count: a[k as keyof StatsSnapshot].count - b[k as keyof StatsSnapshot].count},
		]),
	) as StatsSnapshot;
}

console.log(
	`console at a 2 s refresh, ${queued} queued + ${done} done + 20 running (a heartbeat each a minute), ${minutes} simulated minutes`,
);
console.log('mode | requests/min by operation | requests/min | $/month at AWS prices | median refresh ms | target');
for (const r of rows)
	console.log(
		`${r.mode} | ${JSON.stringify(Object.fromEntries(Object.entries(r.perMinute).map(([k, v]) => [k, Number(v.toFixed(1))])))} | ` +
			`${r.requestsPerMinute.toFixed(1)} | ${r.dollarsPerMonth.toFixed(2)} | ${r.medianRefreshMs.toFixed(1)} | ≤ $2/month`,
	);
await mkdir('bench/results', {recursive: true});
await writeFile(
	'bench/results/console-cost.json',
	JSON.stringify({date: new Date().toISOString(), endpoint, queued, done, minutes, refreshMs, rows}, null, 2),
);
