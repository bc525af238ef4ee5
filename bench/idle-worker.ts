/**
An idle worker's cost and pickup latency against a real S3 endpoint: a worker with an empty queue
runs for N seconds (default 65); a job is enqueued part-way and the time until the worker claims it
is measured. Requests come from the worker's own counters (its `requests` log line).
Run: node dist/bench/idle-worker.js [seconds]
*/
import {spawn} from 'node:child_process';
import {mkdir, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {benchBucket, benchS3} from './bench-s3.js';
import {openQueueContext, type QueueContext} from '../source/queue/queue-context.js';
import {enqueue} from '../source/queue/transitions/enqueue.js';

const seconds = Number(process.argv[2] ?? 65);
const s3 = benchS3();
const {endpoint, credentials} = s3;
const opened = await benchBucket(s3, `idle`);
const bucket = opened.bucket;
const context: QueueContext = openQueueContext(opened.store);
const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../source/cli.js');
// The no-op stand-in of the throughput bench: it only writes content.md (a template needs {input} and {output}).
const converter = `sh ${path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bench/noop-converter.sh')} {input} {output}`;
type Line = {event: string; time: string; total?: number; get?: number; put?: number; list?: number};

/** Runs a worker; `during` runs while it is up; SIGTERM after `runSeconds` (unless --run-once ends it). */
async function runWorker(args: string[], runSeconds: number, during?: () => Promise<void>): Promise<Line[]> {
	const child = spawn(process.execPath, [cli, '--headless', 'worker', '--converter', converter, ...args], {
		env: {
			...process.env,
			BLOBFORGE_S3_BUCKET: bucket,
			BLOBFORGE_S3_ENDPOINT_URL: endpoint,
			BLOBFORGE_S3_ACCESS_KEY_ID: credentials.accessKeyId,
			BLOBFORGE_S3_SECRET_ACCESS_KEY: credentials.secretAccessKey,
			BLOBFORGE_WORKER_ID: 'idle-bench',
		},
		stdio: ['ignore', 'pipe', 'inherit'],
	});
	const lines: Line[] = [];
	child.stdout.on('data', (chunk: Buffer) => {
		for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Line);
	});
	const exited = new Promise(resolve => child.on('exit', resolve));
	await during?.();
	const timer = setTimeout(() => child.kill('SIGTERM'), runSeconds * 1000);
	await exited;
	clearTimeout(timer);
	return lines;
}

const requestsOf = (lines: Line[]) => lines.find(l => l.event === 'requests')!;
// 1. Start-up and shutdown alone: a run-once worker on an empty queue. The first worker on a new
// bucket probes it for conditional writes and saves the answer; later ones read it, so the first
// run is left out.
await runWorker(['--run-once'], 60);
const startup = requestsOf(await runWorker(['--run-once'], 60));
// 2. The same, then idle for `seconds`.
const idle = requestsOf(await runWorker([], seconds));
const idlePerMinute = ((idle.total! - startup.total!) / seconds) * 60;
const idleGetsPerMinute = ((idle.get! - startup.get!) / seconds) * 60;
const idlePutsListsPerMinute = ((idle.put! + idle.list! - (startup.put! + startup.list!)) / seconds) * 60;
const dollarsPerMonth = ((idleGetsPerMinute * 0.0004) / 1000 + (idlePutsListsPerMinute * 0.005) / 1000) * 60 * 24 * 30;
// 3. Pickup: a job enqueued while the worker idles.
let enqueuedAt = 0;
const pickupLines = await runWorker([], 40, async () => {
	await new Promise(resolve => setTimeout(resolve, 15_000));
	enqueuedAt = Date.now();
	await enqueue(context, {hash: 'ab'.repeat(32), priority: 'normal', name: 'pickup.pdf'});
});
const claimed = pickupLines.find(l => l.event === 'job-claimed');
const pickupSeconds = claimed ? (Date.parse(claimed.time) - enqueuedAt) / 1000 : undefined;
const result = {
	date: new Date().toISOString(),
	idleSeconds: seconds,
	startupRequests: startup.total,
	idleRequestsPerMinute: idlePerMinute,
	dollarsPerMonth,
	pickupSeconds,
};
console.log('idle worker | requests/min | $/month at AWS prices | new work picked up after');
console.log(
	`this run | ${idlePerMinute.toFixed(2)} | ${dollarsPerMonth.toFixed(3)} | ${pickupSeconds?.toFixed(1) ?? 'not picked up'} s`,
);
await mkdir('bench/results', {recursive: true});
await writeFile('bench/results/idle-worker.json', JSON.stringify(result, null, 2));
