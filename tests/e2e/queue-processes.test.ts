import {execFile} from 'node:child_process';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import test from 'ava';
import {runJanitor} from '../../source/queue/janitor.js';
import {openQueueContext, type QueueContext} from '../../source/queue/queue-context.js';
import {ReadModel} from '../../source/queue/read-model/read-model.js';
import {listJobStates} from '../../source/queue/read-model/reconcile.js';
import {enqueueMany} from '../../source/queue/transitions/enqueue.js';
import {collectAll} from '../../source/storage/object-store.js';
import {createBucket, requireS3, openTestStore} from '../support/s3-server.js';
import {hashOf} from '../support/queue.js';

const workerScript = path.join(path.dirname(fileURLToPath(import.meta.url)), '../support/queue-worker-process.js');

test('8 worker processes on the real S3 server, 300 jobs: every job done exactly once, nothing left queued or leased', async t => {
	const server = requireS3(t);
	if (!server) return;
	const bucket = await createBucket(server);
	const {store} = openTestStore(server, bucket);
	const context: QueueContext = openQueueContext(store);
	const jobs = 300;
	const priorities = ['critical', 'high', 'normal', 'low', 'background'] as const;
	await enqueueMany(
		context,
		Array.from({length: jobs}, (_, i) => ({hash: hashOf(i + 1), priority: priorities[i % 5]!, name: `doc-${i}.pdf`})),
	);
	const started = Date.now();
	const outputs = await Promise.all(
		Array.from(
			{length: 8},
			async (_, i) =>
				new Promise<string>((resolve, reject) => {
					execFile(
						process.execPath,
						[workerScript, `w-${i}`],
						{env: {...process.env, BLOBFORGE_TEST_BUCKET: bucket}, maxBuffer: 10 * 1024 * 1024, timeout: 150_000},
						(error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)),
					);
				}),
		),
	);
	const seconds = (Date.now() - started) / 1000;
	const lines = outputs
		.flatMap(o => o.trim().split('\n'))
		.map(l => JSON.parse(l) as {hash?: string; summary?: {converted: number; taken: number; requests: number}});
	const conversions = lines.filter(l => l.hash).map(l => l.hash!);
	const summaries = lines.filter(l => l.summary).map(l => l.summary!);
	t.is(conversions.length, jobs, 'one conversion per job');
	t.is(new Set(conversions).size, jobs, 'no job converted twice');
	const requests = summaries.reduce((s, x) => s + x.requests, 0);
	const taken = summaries.reduce((s, x) => s + x.taken, 0);
	t.log(
		`${jobs} jobs, 8 processes: ${seconds.toFixed(1)} s (${(jobs / seconds).toFixed(1)} jobs/s), ${(requests / jobs).toFixed(2)} worker ` +
			`requests per job, ${taken} claims lost to 412 (${((taken / jobs) * 100).toFixed(1)} % of jobs)`,
	);
	await runJanitor(context, {journalSettleMs: 0, readAllLeases: true});
	const listed = await listJobStates(context);
	t.is([...listed.values()].filter(j => j.state === 'done').length, jobs);
	t.deepEqual(await collectAll(store, context.keys.leaseFolder()), [], 'no lease left behind');
	for (const p of priorities)
		t.deepEqual(await collectAll(store, context.keys.todoFolder(p)), [], `nothing left in ${p}`);
	const view = await new ReadModel(context).refresh();
	t.is(view.counts.total.done, jobs);
	t.is(view.counts.total.todo + view.counts.total.processing + view.counts.total.failed + view.counts.total.dead, 0);
});
