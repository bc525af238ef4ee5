import {openTestStore} from '../support/s3-server.js';
/**
The chaos soak: real worker processes (`blobforge --headless worker`) and a janitor loop on the real
S3 server, every process with injected store faults (BLOBFORGE_FAULTS), while workers are killed
at random (kill -9 or SIGTERM) and restarted under the same id. At the end it counts what the
promise is about: no job lost, none stuck, every result present and the right one.

Used by tests/soak/soak.test.ts (a short run in `npm test`) and tests/soak/main.ts (`npm run soak`).
*/
import {spawn, type ChildProcess} from 'node:child_process';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {CreateBucketCommand} from '@aws-sdk/client-s3';
import {unzipSync} from 'fflate';
import {mapLimit} from '../../source/lib/concurrency.js';
import {openQueueContext, type QueueContext} from '../../source/queue/queue-context.js';
import {ReadModel} from '../../source/queue/read-model/read-model.js';
import {setRemoteConfig} from '../../source/queue/remote-config.js';
import {enqueueMany} from '../../source/queue/transitions/enqueue.js';
import {collectAll, isNotModified} from '../../source/storage/object-store.js';
import type {S3Store} from '../../source/storage/s3-store.js';
import type {TestS3} from '../support/s3-server.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const cli = path.resolve(here, '../../source/cli.js');
const converter = `sh ${path.resolve(here, '../../../tests/support/soak-converter.sh')} {input} {output}`;

export type SoakOptions = {
	jobs: number;
	workers: number;
	/** Slots of every other worker (worker 1, 3, …): several jobs per process, each killed with it. @default 1 */
	slots?: number;
	kills: number;
	/** Probability of a fault per store request in every process. */
	faultRate: number;
	/** Give up after this long. */
	timeoutMs: number;
	log?: (line: string) => void;
};

export type SoakReport = {
	jobs: number;
	workers: number;
	slots: number;
	jobsDone: number;
	jobsLost: number;
	jobsStuck: number;
	jobsDead: number;
	resultsValid: number;
	resultsInvalid: string[];
	/** Jobs whose conversion started more than once, and why that happens. */
	convertedMoreThanOnce: number;
	completedTwice: number;
	extraAttempts: number;
	kills: {sigkill: number; sigterm: number};
	faultsInjected: number;
	faultsByKind: Record<string, number>;
	wallSeconds: number;
	/** Requests made by all processes that exited cleanly (kill -9 loses a process's counters). */
	workerRequests: number;
};

type Line = {event: string; job?: string; kind?: string; total?: number};

export async function runSoak(server: TestS3, options: SoakOptions): Promise<SoakReport> {
	const log = options.log ?? (() => undefined);
	const bucket = `bf-soak-${Date.now().toString(36)}`;
	const opened = openTestStore(server, bucket);
	await (opened.backend as S3Store).client.send(new CreateBucketCommand({Bucket: bucket}));
	const context: QueueContext = openQueueContext(opened.store);
	// Fast heartbeats and a short stale timeout, so kill -9 recoveries happen within the run; retries
	// enough that injected faults surfacing as failed attempts never exhaust a job.
	await setRemoteConfig(context, {heartbeat_interval: 1, stale_timeout_minutes: 0.1, max_retries: 8, retry_backoff: 1});
	const hash = (n: number) => `5${n.toString(16).padStart(63, '0')}`;
	const marker = (n: number) => `soak job ${n} `;
	await mapLimit(
		Array.from({length: options.jobs}, (_, i) => i),
		32,
		async i => opened.store.put(context.keys.raw(hash(i)), `%PDF-1.4\n% ${marker(i)}\n`),
	);
	await enqueueMany(
		context,
		Array.from({length: options.jobs}, (_, i) => ({
			hash: hash(i),
			priority: (['high', 'normal', 'low'] as const)[i % 3]!,
			name: `soak-${i}.pdf`,
			size: 30,
		})),
	);

	const environment = {
		...process.env,
		BLOBFORGE_S3_BUCKET: bucket,
		BLOBFORGE_S3_ENDPOINT_URL: server.endpoint,
		BLOBFORGE_S3_ACCESS_KEY_ID: server.accessKeyId,
		BLOBFORGE_S3_SECRET_ACCESS_KEY: server.secretAccessKey,
		BLOBFORGE_FAULTS: `rate=${options.faultRate},latency=30`,
		BLOBFORGE_LOG_LEVEL: 'info',
	};
	const lines: Line[] = [];
	const collect = (child: ChildProcess) => {
		for (const stream of [child.stdout!, child.stderr!]) {
			let partial = '';
			stream.on('data', (chunk: Buffer) => {
				const parts = (partial + chunk.toString()).split('\n');
				partial = parts.pop() ?? '';
				for (const text of parts) {
					if (!text.startsWith('{')) continue;
					try {
						lines.push(JSON.parse(text) as Line);
					} catch {
						// a line cut by kill -9
					}
				}
			});
		}
	};
	const startWorker = (i: number) => {
		const child = spawn(
			process.execPath,
			[
				cli,
				'--headless',
				'--worker-id',
				`soak-${i}`,
				'worker',
				'--converter',
				converter,
				'--idle-poll',
				'1',
				'--slots',
				String(i % 2 === 1 ? (options.slots ?? 1) : 1),
			],
			{env: environment, stdio: ['ignore', 'pipe', 'pipe']},
		);
		collect(child);
		return child;
	};
	const started = Date.now();
	const workers = Array.from({length: options.workers}, (_, i) => startWorker(i));
	const janitor = spawn(process.execPath, [cli, '--headless', 'janitor', '--loop', '--interval', '2'], {
		env: environment,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	collect(janitor);

	// The chaos: kills spread over the expected run, each worker restarted at once under its own id.
	const kills = {sigkill: 0, sigterm: 0};
	let stopChaos = false;
	const chaos = (async () => {
		const every = Math.max(300, (options.jobs * 90) / options.kills);
		for (let k = 0; k < options.kills && !stopChaos; k++) {
			await new Promise(resolve => setTimeout(resolve, every * (0.5 + Math.random())));
			if (stopChaos) break;
			const i = Math.floor(Math.random() * workers.length);
			const victim = workers[i]!;
			const signal = Math.random() < 0.5 ? 'SIGKILL' : 'SIGTERM';
			const exited = new Promise(resolve => {
				if (victim.exitCode !== null || victim.signalCode !== null) resolve(undefined);
				else victim.once('exit', resolve);
			});
			victim.kill(signal);
			await exited;
			kills[signal === 'SIGKILL' ? 'sigkill' : 'sigterm']++;
			workers[i] = startWorker(i);
		}
	})();

	// Done when every job has its result and nothing is queued, failed or running.
	const model = new ReadModel(context);
	let settled = false;
	while (Date.now() - started < options.timeoutMs) {
		await new Promise(resolve => setTimeout(resolve, 2000));
		const results = (await collectAll(opened.store, `${context.keys.prefix}store/out/`)).length;
		const view = await model.refresh();
		const t = view.counts.total;
		log(
			`  ${Math.round((Date.now() - started) / 1000)} s: results ${results}/${options.jobs}, queued ${t.todo}, running ${t.processing}, ` +
				`failed ${t.failed}, dead ${t.dead}; kills ${kills.sigkill + kills.sigterm}`,
		);
		if (results + t.dead >= options.jobs && t.todo + t.processing + t.failed === 0) {
			settled = true;
			break;
		}
	}
	stopChaos = true;
	await chaos;
	const wallSeconds = (Date.now() - started) / 1000;
	await Promise.all(
		[...workers, janitor].map(
			async child =>
				new Promise(resolve => {
					if (child.exitCode !== null || child.signalCode !== null) {
						resolve(undefined);
						return;
					}
					child.once('exit', resolve);
					child.kill('SIGTERM');
				}),
		),
	);
	if (!settled) log('  the soak did not settle before its timeout');

	// The verdict, from the bucket itself.
	const resultKeys = new Set((await collectAll(opened.store, `${context.keys.prefix}store/out/`)).map(e => e.key));
	const deadKeys = new Set((await collectAll(opened.store, `${context.keys.prefix}queue/dead/`)).map(e => e.key));
	const view = await new ReadModel(context).refresh();
	let jobsLost = 0;
	let resultsValid = 0;
	const resultsInvalid: string[] = [];
	await mapLimit(
		Array.from({length: options.jobs}, (_, i) => i),
		16,
		async i => {
			const h = hash(i);
			if (!resultKeys.has(context.keys.result(h))) {
				if (!deadKeys.has(context.keys.dead(h))) jobsLost++;
				return;
			}
			const got = await opened.store.get(context.keys.result(h));
			try {
				if (!got || isNotModified(got)) throw new Error('result vanished');
				const content = Buffer.from(unzipSync(got.body)['content.md'] ?? new Uint8Array()).toString();
				if (content.includes(marker(i))) resultsValid++;
				else resultsInvalid.push(`${h.slice(0, 12)}: content.md does not quote its own PDF`);
			} catch (error) {
				resultsInvalid.push(`${h.slice(0, 12)}: ${(error as Error).message}`);
			}
		},
	);
	const starts = new Map<string, number>();
	const completions = new Map<string, number>();
	for (const line of lines) {
		if (line.event === 'conversion-started' && line.job) starts.set(line.job, (starts.get(line.job) ?? 0) + 1);
		if (line.event === 'job-completed' && line.job) completions.set(line.job, (completions.get(line.job) ?? 0) + 1);
	}
	const faults = lines.filter(l => l.event === 'fault-injected');
	const faultsByKind: Record<string, number> = {};
	for (const fault of faults) faultsByKind[fault.kind ?? '?'] = (faultsByKind[fault.kind ?? '?'] ?? 0) + 1;
	return {
		jobs: options.jobs,
		workers: options.workers,
		slots: options.slots ?? 1,
		jobsDone: resultKeys.size,
		jobsLost,
		jobsStuck: view.active.length,
		jobsDead: deadKeys.size,
		resultsValid,
		resultsInvalid,
		convertedMoreThanOnce: [...starts.values()].filter(n => n > 1).length,
		completedTwice: [...completions.values()].filter(n => n > 1).length,
		extraAttempts: [...starts.values()].reduce((a, b) => a + b, 0) - starts.size,
		kills,
		faultsInjected: faults.length,
		faultsByKind,
		wallSeconds,
		workerRequests: lines.filter(l => l.event === 'requests').reduce((sum, l) => sum + (l.total ?? 0), 0),
	};
}

export function formatSoakReport(r: SoakReport): string {
	return [
		`soak: ${r.jobs} jobs, ${r.workers} worker processes (every other one of ${r.slots} slots) + a janitor loop, faults in every process`,
		`  jobs lost                  ${r.jobsLost}   (must be 0)`,
		`  jobs stuck in processing   ${r.jobsStuck}   (must be 0)`,
		`  jobs done                  ${r.jobsDone} of ${r.jobs}; dead ${r.jobsDead}`,
		`  results valid              ${r.resultsValid} of ` +
			`${r.jobsDone}${r.resultsInvalid.length > 0 ? `; invalid: ${r.resultsInvalid.slice(0, 3).join('; ')}` : ''}`,
		`  converted more than once   ${r.convertedMoreThanOnce} jobs (${r.extraAttempts} extra attempts: a worker killed or its lease recovered ` +
			`mid-conversion; one result stands, the completing attempt's)`,
		`  completed twice            ${r.completedTwice}   (must be 0)`,
		`  kills survived             ${r.kills.sigkill + r.kills.sigterm} (${r.kills.sigkill} kill -9, ${r.kills.sigterm} SIGTERM)`,
		`  faults injected            ${r.faultsInjected} ${JSON.stringify(r.faultsByKind)}`,
		`  wall time                  ${r.wallSeconds.toFixed(1)} s`,
	].join('\n');
}
