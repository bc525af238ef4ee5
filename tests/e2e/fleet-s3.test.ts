/**
Fleet behaviour on the real S3 server (Ceph RGW): the starvation case a crowded head of the queue
caused, with the real `blobforge worker`; and 150 workers in one process (each its own worker id,
store client chain and converter that sleeps) draining 1,000 jobs.
*/
import {mkdir, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import {openQueueContext} from '../../source/queue/queue-context.js';
import {listJobStates} from '../../source/queue/read-model/reconcile.js';
import {RemoteConfigCache} from '../../source/queue/remote-config.js';
import {claim} from '../../source/queue/transitions/claim.js';
import {enqueueMany} from '../../source/queue/transitions/enqueue.js';
import {collectAll} from '../../source/storage/object-store.js';
import {systemClock} from '../../source/lib/clock.js';
import type {Converter} from '../../source/worker/converters.js';
import {heldJobsInMemory} from '../../source/worker/held-jobs.js';
import {Worker} from '../../source/worker/worker.js';
import {cleanEnvironment, runCli} from '../support/cli.js';
import {hashOf} from '../support/queue.js';
import {createBucket, openTestStore, requireS3} from '../support/s3-server.js';
import {removedAtExit} from '../support/temp.js';

test('S3: with the 100 jobs first by hash in flight, `worker --run-once` still finds one of the other 50 and converts it', async t => {
	const server = requireS3(t);
	if (!server) return;
	const bucket = await createBucket(server);
	const {store} = openTestStore(server, bucket);
	const context = openQueueContext(store);
	const jobs = Array.from({length: 150}, (_, i) => ({
		hash: hashOf(i + 1),
		priority: 'normal' as const,
		name: `d${i}.pdf`,
	}));
	for (const job of jobs)
		await store.put(context.keys.raw(job.hash), '%PDF-1.4 not really', {metadata: {'original-name': job.name}});
	await enqueueMany(context, jobs);
	// Other workers hold the hundred that sort first (hashOf sorts by its number).
	for (const job of jobs.slice(0, 100)) t.is((await claim(context, 'busy-elsewhere', job)).kind, 'claimed');
	const environment = cleanEnvironment({
		BLOBFORGE_S3_BUCKET: bucket,
		BLOBFORGE_S3_ENDPOINT_URL: server.endpoint,
		BLOBFORGE_S3_ACCESS_KEY_ID: server.accessKeyId,
		BLOBFORGE_S3_SECRET_ACCESS_KEY: server.secretAccessKey,
		STATE_DIRECTORY: removedAtExit(path.join(os.tmpdir(), `bf-state-${bucket}`)),
	});
	t.is((await runCli(['doctor'], environment)).code, 0);
	const converter = removedAtExit(path.join(os.tmpdir(), `bf-conv-${bucket}.sh`));
	await writeFile(converter, '#!/bin/sh\nmkdir -p "$2" && echo "# done" > "$2/content.md"\n', {mode: 0o755});
	const run = await runCli(
		['--headless', 'worker', '--run-once', '--converter', `${converter} {input} {output}`],
		environment,
	);
	t.is(run.code, 0, run.stderr);
	t.regex(run.stdout, /"event":"job-completed"/, 'it claimed and converted a job');
	const results = await collectAll(store, 'pdf/store/out/');
	t.is(results.length, 1);
	const done = results[0]!.key.slice('pdf/store/out/'.length, -'.zip'.length);
	t.true(
		jobs.slice(100).some(j => j.hash === done),
		'the job was one of the fifty nobody held',
	);
});

/** Sleeps for the job, then writes a small content.md. */
function sleepingConverter(ms: () => number): Converter {
	return {
		async convert(job) {
			await systemClock.sleep(ms(), job.signal);
			await mkdir(job.output, {recursive: true});
			await writeFile(path.join(job.output, 'content.md'), '# slept\n');
			return {pages: 1, converter: 'sleeper'};
		},
		idle() {},
		dispose() {},
	};
}

test('S3: 150 workers drain 1,000 jobs: every job done once, and no worker idle while a job was waiting', async t => {
	const server = requireS3(t);
	if (!server) return;
	const bucket = await createBucket(server);
	const {store} = openTestStore(server, bucket);
	const context = openQueueContext(store);
	const count = 1000;
	const jobs = Array.from({length: count}, (_, i) => ({
		hash: hashOf(50_000 + i),
		priority: 'normal' as const,
		name: `j${i}.pdf`,
	}));
	for (let i = 0; i < jobs.length; i += 50)
		await Promise.all(jobs.slice(i, i + 50).map(async j => store.put(context.keys.raw(j.hash), '%PDF-1.4 sleeper')));
	await enqueueMany(context, jobs);
	const firstClaim = new Map<string, number>();
	const completed: string[] = [];
	const idleSpells: Array<{worker: string; at: number}> = [];
	const workers: Worker[] = [];
	const pollSeconds = 5;
	const started = Date.now();
	for (let i = 0; i < 150; i++) {
		const workerId = `fleet-${i}`;
		const own = openTestStore(server, bucket);
		const workerContext = openQueueContext(own.store);
		const worker = new Worker({
			context: workerContext,
			remoteConfig: new RemoteConfigCache(workerContext),
			workerId,
			clock: systemClock,
			storeLine: 'ceph',
			softwareVersion: 'test',
			idlePollSeconds: pollSeconds,
			heldJobs: heldJobsInMemory(),
			converter: sleepingConverter(() => 500 + Math.random() * 1000),
		});
		worker.on('job-claimed', ({job}) => {
			if (!firstClaim.has(job)) firstClaim.set(job, Date.now());
		});
		worker.on('job-completed', ({job}) => completed.push(job));
		worker.on('status', status => {
			if (status.state === 'idle') idleSpells.push({worker: workerId, at: Date.now()});
		});
		workers.push(worker);
	}
	const runs = workers.map(async w => w.run());
	// About a minute on a quiet machine; a loaded one (CI beside other work) may take several.
	const deadline = Date.now() + 900_000;
	while (completed.length < count && Date.now() < deadline) await systemClock.sleep(250);
	const drainedAt = Date.now();
	for (const w of workers) w.stop('test over');
	await Promise.all(runs);
	t.log(`1,000 jobs, 150 workers: drained in ${((drainedAt - started) / 1000).toFixed(1)} s`);
	t.is(completed.length, count, 'every job completed');
	t.is(new Set(completed).size, count, 'none completed twice');
	t.is((await collectAll(store, 'pdf/store/out/')).length, count);
	// Completed jobs' todo entries wait for the janitor; by every reader's precedence they are done.
	const states = await listJobStates(context);
	t.deepEqual(
		[...states.values()].filter(j => j.state !== 'done'),
		[],
		'every job done, nothing left queued',
	);
	// Idle while queued: a worker went idle, and a job nobody had claimed yet was first claimed more
	// than an idle poll (plus a margin for the loaded machine) later: that job had waited on an idle worker.
	const lastFirstClaim = Math.max(...firstClaim.values());
	const idleWhileQueued = idleSpells.filter(s => lastFirstClaim - s.at > (pollSeconds + 10) * 1000);
	t.deepEqual(
		idleWhileQueued.slice(0, 5),
		[],
		`${idleWhileQueued.length} idle spells while jobs were still waiting to be claimed`,
	);
});
