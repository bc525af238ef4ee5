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
import {CreateBucketCommand} from '@aws-sdk/client-s3';
import {systemClock} from '../source/lib/clock.js';
import {Keys} from '../source/queue/keys.js';
import type {QueueContext} from '../source/queue/queue-context.js';
import {defaultRemoteConfig} from '../source/queue/records.js';
import {enqueue} from '../source/queue/transitions/enqueue.js';
import {openStore} from '../source/storage/open-store.js';
import {S3Store} from '../source/storage/s3-store.js';

const seconds = Number(process.argv[2] ?? 65);
const endpoint = process.env['BLOBFORGE_TEST_S3_ENDPOINT']!;
const credentials = {accessKeyId: process.env['BLOBFORGE_TEST_S3_ACCESS_KEY_ID']!, secretAccessKey: process.env['BLOBFORGE_TEST_S3_SECRET_ACCESS_KEY']!};
const bucket = `bf-bench-idle-${Date.now().toString(36)}`;
const opened = openStore({kind: 's3', bucket, region: 'us-east-1', endpoint, forcePathStyle: true, credentials});
await (opened.backend as S3Store).client.send(new CreateBucketCommand({Bucket: bucket}));
const context: QueueContext = {store: opened.store, keys: new Keys('pdf/'), clock: systemClock, config: () => defaultRemoteConfig};
const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../source/cli.js');
const child = spawn(process.execPath, [cli, '--headless', 'worker', '--converter', `${process.execPath} -e "require('fs').mkdirSync(process.argv[2],{recursive:true});require('fs').writeFileSync(process.argv[2]+'/content.md','x')" {output}`], {
	env: {...process.env, BLOBFORGE_S3_BUCKET: bucket, BLOBFORGE_S3_ENDPOINT_URL: endpoint, BLOBFORGE_S3_ACCESS_KEY_ID: credentials.accessKeyId, BLOBFORGE_S3_SECRET_ACCESS_KEY: credentials.secretAccessKey, BLOBFORGE_WORKER_ID: 'idle-bench'},
	stdio: ['ignore', 'pipe', 'inherit'],
});
const lines: Array<{event: string; time: string; [k: string]: unknown}> = [];
child.stdout.on('data', (chunk: Buffer) => {
	for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as {event: string; time: string});
});
await new Promise(resolve => setTimeout(resolve, (seconds / 2) * 1000));
// A raw PDF is not needed to measure pickup: the claim is what we time.
const enqueuedAt = Date.now();
await enqueue(context, {hash: 'ab'.repeat(32), priority: 'normal', name: 'pickup.pdf'});
await new Promise(resolve => setTimeout(resolve, (seconds / 2) * 1000));
child.kill('SIGTERM');
await new Promise(resolve => child.on('exit', resolve));
const claimed = lines.find(l => l.event === 'job-claimed');
const requests = lines.find(l => l.event === 'requests') as {total: number; get: number; put: number; list: number} | undefined;
const pickupSeconds = claimed ? (Date.parse(claimed.time) - enqueuedAt) / 1000 : undefined;
// Requests of the idle half: from the worker's counters minus what the one job cost (measured: claim, job, log).
const result = {date: new Date().toISOString(), seconds, pickupSeconds, requests, note: 'requests include start-up (registration, recovery, janitor pass) and one job'};
console.log('idle worker | seconds | pickup s | requests total (GET / PUT / LIST)');
console.log(`this run | ${seconds} | ${pickupSeconds?.toFixed(1) ?? 'not picked up'} | ${requests?.total} (${requests?.get} / ${requests?.put} / ${requests?.list})`);
await mkdir('bench/results', {recursive: true});
await writeFile('bench/results/idle-worker.json', JSON.stringify(result, null, 2));
