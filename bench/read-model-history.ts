/**
Read-model refresh cost against history size, on a real S3 endpoint: fills a bucket with N done
jobs (result objects), 20 queued and 20 active, builds the snapshot by reconciliation, then
measures steady refreshes. Prints a table and writes bench/results/read-model-history.json.

Run: node dist/bench/read-model-history.js [N ...]   (default 100 100000)
Environment: BLOBFORGE_TEST_S3_ENDPOINT, BLOBFORGE_TEST_S3_ACCESS_KEY_ID, BLOBFORGE_TEST_S3_SECRET_ACCESS_KEY
(as printed by scripts/s3-test-server.sh start), or any S3 endpoint with a bucket you may fill.
*/
import {mkdir, writeFile} from 'node:fs/promises';
import {benchBucket, benchS3} from './bench-s3.js';
import {mapLimit} from '../source/lib/concurrency.js';
import {openQueueContext, type QueueContext} from '../source/queue/queue-context.js';
import {ReadModel} from '../source/queue/read-model/read-model.js';
import {reconcile} from '../source/queue/read-model/reconcile.js';
import {claim} from '../source/queue/transitions/claim.js';
import {enqueueMany} from '../source/queue/transitions/enqueue.js';
import {heartbeat} from '../source/queue/transitions/heartbeat.js';
import {diffStats} from '../source/storage/request-stats.js';

const sizes = process.argv
	.slice(2)
	.map(Number)
	.filter(n => n > 0);
const histories = sizes.length > 0 ? sizes : [100, 100_000];
const s3 = benchS3();
const {endpoint} = s3;
const hash = (n: number, salt: string) => (salt + n.toString(16)).padStart(64, '0');

type Row = {
	history: number;
	refreshRequests: Record<string, number>;
	refreshMs: number;
	afterHeartbeatRequests: number;
	fillSeconds: number;
};
const rows: Row[] = [];
for (const history of histories) {
	const opened = await benchBucket(s3, `rm-${history}`);
	const context: QueueContext = openQueueContext(opened.store);
	const fillStarted = performance.now();
	await mapLimit(
		Array.from({length: history}, (_, i) => i),
		64,
		async i => opened.store.put(context.keys.result(hash(i, 'a')), 'zip'),
	);
	await enqueueMany(
		context,
		Array.from({length: 40}, (_, i) => ({hash: hash(i, 'b'), priority: 'normal' as const, name: `queued-${i}.pdf`})),
	);
	const held = [];
	for (let i = 0; i < 20; i++) {
		const outcome = await claim(context, `w-${i}`, {hash: hash(i, 'b'), priority: 'normal'});
		if (outcome.kind === 'claimed') held.push(outcome.held);
	}
	await reconcile(context);
	const fillSeconds = (performance.now() - fillStarted) / 1000;
	const model = new ReadModel(context);
	const first = await model.refresh();
	if (first.counts.total.done !== history || first.counts.total.processing !== 20 || first.counts.total.todo !== 20)
		throw new Error(`counts wrong: ${JSON.stringify(first.counts.total)}`);
	const times: number[] = [];
	let requests: Record<string, number> = {};
	for (let i = 0; i < 10; i++) {
		const before = opened.stats.snapshot();
		const started = performance.now();
		await model.refresh();
		times.push(performance.now() - started);
		const diff = diffStats(opened.stats.snapshot(), before);
		requests = Object.fromEntries(
			Object.entries(diff)
				.filter(([k, v]) => k !== 'total' && v.count > 0)
				.map(([k, v]) => [k, v.count]),
		);
	}
	await heartbeat(context, held[0]!, {stage: 'converting'});
	const before = opened.stats.snapshot();
	await model.refresh();
	const afterHeartbeatRequests = diffStats(opened.stats.snapshot(), before).total.count;
	times.sort((a, b) => a - b);
	rows.push({
		history,
		refreshRequests: requests,
		refreshMs: times[Math.floor(times.length / 2)]!,
		afterHeartbeatRequests,
		fillSeconds,
	});
}
console.log('history (done jobs) | requests per steady refresh | median refresh ms | after one heartbeat | fill s');
for (const row of rows)
	console.log(
		`${row.history} | ${JSON.stringify(row.refreshRequests)} | ${row.refreshMs.toFixed(1)} | ${row.afterHeartbeatRequests} | ` +
			`${row.fillSeconds.toFixed(0)}`,
	);
await mkdir('bench/results', {recursive: true});
await writeFile(
	'bench/results/read-model-history.json',
	JSON.stringify({date: new Date().toISOString(), endpoint, rows}, null, 2),
);
