import {readFileSync} from 'node:fs';
import type {CommandModule} from 'yargs';
import {handOffSecrets} from '../lib/secret-handoff.js';
import {isStoreError} from '../storage/store-error.js';
import {systemClock} from '../lib/clock.js';
import {createLogger} from '../lib/log.js';
import {defaultWorkerId} from '../worker/identity.js';
import {mkdtemp, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {safeText} from '../lib/format.js';
import {listCandidates} from '../queue/candidates.js';
import {isNotModified} from '../storage/object-store.js';
import {systemLoad, type SystemLoad} from '../worker/system-load.js';
import {Worker} from '../worker/worker.js';
import type {WorkerStatus} from '../worker/events.js';
import {logWorkerEvents} from '../worker/event-log.js';
import {parseConverterSpec} from '../lib/converter-spec.js';
import {converterFor} from '../worker/converters.js';
import {WorkerMetrics} from '../worker/worker-metrics.js';
import {serveMetrics} from './metrics-server.js';
import {printLine} from './output.js';
import {fitText} from '../lib/fit-text.js';
import type {GlobalArgs} from './context.js';
import {openQueue, type OpenedQueue} from './queue-context.js';
import {loadCapabilities, saveCapabilities} from '../queue/capabilities.js';
import {probeStore} from '../storage/probe.js';
import {UserError, exitCodes} from '../lib/errors.js';
import {parseRunWindow} from '../lib/run-window.js';

type Args = GlobalArgs & {
	runOnce?: boolean;
	dryRun?: boolean;
	converter?: string;
	idlePoll?: number;
	slots?: number;
	'metrics-listen'?: string;
	'run-window'?: string[];
	'abort-outside-window'?: boolean;
};

export function softwareVersion(): string {
	try {
		return (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {version: string})
			.version;
	} catch {
		return 'unknown';
	}
}

/**
Workers refuse to run on a store that ignores conditional writes: two workers could then take the
same job and overwrite each other's leases. The answer of `doctor` (registry/capabilities.json, 1
GET) decides; when there is none, the worker probes once and saves it for the next ones.
*/
async function requireConditionalWrites(queue: OpenedQueue): Promise<void> {
	if (queue.settings.store.kind === 'local') return;
	const saved = await loadCapabilities(queue.store, queue.queue.keys);
	const capabilities = saved?.ok
		? saved.value
		: await saveCapabilities(
				queue.store,
				queue.queue.keys,
				await probeStore(queue.store, queue.backend, queue.queue.keys.prefix),
				queue.store.location,
			);
	if (capabilities.safeForLeases) return;
	const ignored = [capabilities.createOnly ? '' : 'If-None-Match: *', capabilities.compareAndSwap ? '' : 'If-Match']
		.filter(Boolean)
		.join(' and ');
	throw new UserError(
		`${queue.storeLine} ignores ${ignored || 'conditional writes'} (found by doctor on ${capabilities.checkedAt}): workers would take the ` +
			`same job twice and overwrite each other's leases, so none is started`,
		{
			hint: 'use a provider with conditional writes (AWS S3, R2, MinIO, Ceph RGW 16+); if the provider changed, run `blobforge doctor` again',
			exitCode: exitCodes.config,
		},
	);
}

export const workerCommand: CommandModule<GlobalArgs, Args> = {
	command: 'worker',
	describe: 'Claim and convert jobs until stopped (SIGTERM hands the running job back)',
	builder: y =>
		y
			.option('run-once', {type: 'boolean', describe: 'process at most one job, then exit'})
			.option('dry-run', {type: 'boolean', describe: 'convert the next queued job locally and claim or write nothing'})
			.option('converter', {
				type: 'string',
				describe:
					'builtin, a preset (marker, docling, mineru) or a command with {input} and {output}; ' +
					"default: the remote config's converter",
			})
			.option('idle-poll', {type: 'number', default: 10, describe: 'seconds between idle polls'})
			.option('slots', {
				type: 'number',
				describe:
					"jobs at once in this process (default: the remote config's worker_slots, else one per core for " +
					'the built-in converter and 1 for an external tool)',
			})
			.option('run-window', {
				type: 'string',
				array: true,
				describe:
					'claim only in HH:MM-HH:MM (repeatable; may cross midnight; local time, or @Zone: 22:00-06:00@Europe/Berlin)',
			})
			.option('abort-outside-window', {
				type: 'boolean',
				describe: 'at the end of a run window, hand the running job back (the attempt is not counted)',
			})
			.option('metrics-listen', {
				type: 'string',
				describe: "serve this worker's own Prometheus metrics at HOST:PORT/metrics (no store request per scrape)",
			})
			.example('$0 --headless worker', 'under systemd: JSON log lines on stdout'),
	async handler(argv) {
		// Before anything else: a converter must not find the store's secrets in this process's
		// environment (lib/secret-handoff.ts). Re-executes this process when there are any.
		handOffSecrets();
		const runWindows = (argv['run-window'] ?? []).map(text => {
			const parsed = parseRunWindow(String(text));
			if (!parsed.ok) throw new UserError(parsed.reason, {exitCode: exitCodes.usage});
			return parsed.window;
		});
		if (argv['abort-outside-window'] && runWindows.length === 0)
			throw new UserError('--abort-outside-window needs at least one --run-window', {exitCode: exitCodes.usage});
		if (argv.slots !== undefined && !(Number.isInteger(argv.slots) && argv.slots >= 1 && argv.slots <= 256))
			throw new UserError(`--slots must be a whole number from 1 to 256, not ${String(argv.slots)}`, {
				exitCode: exitCodes.usage,
			});
		if (argv.runOnce && argv.slots !== undefined && argv.slots > 1)
			throw new UserError('--run-once processes one job: it takes no --slots', {exitCode: exitCodes.usage});
		if (argv.converter !== undefined) {
			const spec = parseConverterSpec(argv.converter);
			if (!spec.ok) throw new UserError(`--converter: ${spec.reason}`, {exitCode: exitCodes.usage});
		}
		const queue = await openQueue(argv);
		const workerId = queue.settings.workerId ?? defaultWorkerId();
		if (argv.dryRun) {
			await dryRun(queue, argv.converter);
			return;
		}
		await requireConditionalWrites(queue);
		const converter = converterFor(argv.converter, {
			runOnce: argv.runOnce,
			remote: () => queue.remoteConfig.config.converter,
		});
		// A missing or broken tool is one clear error now, not a dead-letter queue of identical failures.
		const unavailable = await converter.ready?.();
		if (unavailable) throw new UserError(`the converter cannot run here: ${unavailable}`, {exitCode: exitCodes.config});
		const live = !argv.headless && process.stdout.isTTY;
		const view = live ? liveView() : undefined;
		const logger = createLogger({
			level: queue.settings.logLevel,
			json: !live,
			base: {worker: workerId},
			write: view ? view.log : logWriter(),
		});
		const worker = new Worker({
			context: queue.queue,
			remoteConfig: queue.remoteConfig,
			workerId,
			clock: systemClock,
			storeLine: queue.storeLine,
			softwareVersion: softwareVersion(),
			runOnce: argv.runOnce,
			converter,
			idlePollSeconds: argv.idlePoll,
			slots: argv.slots,
			runWindows,
			abortOutsideWindow: argv['abort-outside-window'],
		});
		logWorkerEvents(worker, logger);
		const metrics = new WorkerMetrics(worker, {
			worker: workerId,
			stats: queue.stats,
			isPriced: queue.settings.store.kind === 's3',
		});
		const server = argv['metrics-listen']
			? await serveMetrics(argv['metrics-listen'], () => metrics.scrape())
			: undefined;
		if (server) logger.info('metrics-listening', {url: server.url});
		if (view) worker.on('status', view.status);
		for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'] as const)
			process.on(signal, () => worker.stop(signal));
		const logRequests = () => {
			const stats = queue.stats.snapshot();
			const cpu = process.cpuUsage();
			// The worker's own CPU (not its conversion children's), for what one job costs the machine.
			logger.info('requests', {
				cpuMs: Math.round((cpu.user + cpu.system) / 1000),
				total: stats.total.count,
				get: stats.get.count,
				head: stats.head.count,
				put: stats.put.count + stats['put-create-only'].count + stats['put-if-match'].count,
				list: stats.list.count,
				delete: stats.delete.count + stats['delete-many'].count,
				createOnlyLost: stats['put-create-only'].errors,
				ifMatchLost: stats['put-if-match'].errors,
			});
		};
		try {
			await worker.run();
			logRequests();
		} catch (error) {
			view?.done();
			// An unexpected error takes the same path as a signal: the job is handed back first.
			worker.emit('worker-crashed', {error: (error as Error).message});
			worker.stop('unexpected error');
			// A store error no wait cures (credentials, permissions, bucket): one clear line and exit 4.
			if (isStoreError(error)) throw error;
			process.exitCode = 1;
		} finally {
			await server?.close();
		}
		view?.done();
	},
};

/**
Where a headless worker's log lines go: stdout, until it closes (`worker | head`, a log collector
that died), then stderr. A closed log pipe must not end the worker, leaving its job's lease to go
stale: the job is finished (or handed back) as always.
*/
function logWriter(): (line: string) => void {
	let stdoutClosed = false;
	process.stdout.on('error', () => {
		stdoutClosed = true;
	});
	process.stderr.on('error', () => undefined);
	const toStderr = (text: string) => {
		if (!process.stderr.destroyed) process.stderr.write(text);
	};
	return line => {
		const text = `${line}\n`;
		if (stdoutClosed || process.stdout.destroyed) {
			toStderr(text);
			return;
		}
		// A write to a pipe whose reader just left fails after the call: the line goes to stderr then, not lost.
		process.stdout.write(text, error => {
			if (!error) return;
			stdoutClosed = true;
			toStderr(text);
		});
	};
}

/** On a terminal: log lines above, and one status line (file, stage, pages, CPU/RAM, jobs done) kept at the bottom. */
function liveView(): {log: (line: string) => void; status: (status: WorkerStatus) => void; done: () => void} {
	let last = '';
	let load: SystemLoad = {};
	const timer = setInterval(() => void systemLoad().then(l => (load = l)), 2000);
	// Cut to the terminal's width: a status line that wrapped would leave its first row behind at each redraw.
	const draw = () => process.stdout.write(`\r\u001B[2K${fitText(last, (process.stdout.columns || 80) - 1)}`);
	return {
		log(line) {
			process.stdout.write(`\r\u001B[2K${line}\n`);
			draw();
		},
		status(status) {
			const [first] = status.jobs;
			const shown = first
				? `${fitText(first.name ?? first.hash.slice(0, 12), 40)} ` +
					`${first.stage}${first.pagesTotal ? ` ${first.pagesDone ?? 0}/${first.pagesTotal} pages` : ''}`
				: 'waiting for work';
			// Several slots: how many are busy, then the job that started first.
			const job = status.slots > 1 ? `${status.jobs.length}/${status.slots} slots · ${shown}` : shown;
			last =
				`[${status.state}] ${job} | done ${status.jobsCompleted}, failed ${status.jobsFailed} | CPU ${load.cpuPercent ?? '?'}% RAM ` +
				`${load.memoryPercent ?? '?'}%`;
			draw();
		},
		done() {
			clearInterval(timer);
			process.stdout.write('\r\u001B[2K');
		},
	};
}

/**
--dry-run: what the worker would do with the next job, converted in a temporary folder; nothing is claimed or
written.
*/
async function dryRun(queue: Awaited<ReturnType<typeof openQueue>>, command: string | undefined): Promise<void> {
	const {candidates} = await listCandidates(queue.queue, {maxKeys: 10});
	const next = candidates[0];
	if (!next) {
		printLine('dry run: nothing queued');
		return;
	}
	const raw = await queue.store.get(queue.queue.keys.raw(next.hash));
	if (!raw || isNotModified(raw)) {
		printLine(
			`dry run: next job ${next.hash.slice(0, 12)} (${next.priority}) has no raw PDF in the store; a worker would dead-letter it`,
		);
		return;
	}
	const folder = await mkdtemp(path.join(os.tmpdir(), 'blobforge-dry-'));
	await writeFile(path.join(folder, 'source.pdf'), raw.body);
	try {
		const converter = converterFor(command, {runOnce: true, remote: () => queue.remoteConfig.config.converter});
		const result = await converter.convert({
			input: path.join(folder, 'source.pdf'),
			output: path.join(folder, 'output'),
			onProgress: () => undefined,
		});
		printLine(
			`dry run: would claim ${next.hash.slice(0, 12)} (${safeText(raw.metadata['original-name'] ?? '')}, ${next.priority}); converted ` +
				`${result.pages ?? '?'} page(s) with ${result.converter} into ${folder}; nothing was written to the store`,
		);
	} catch (error) {
		printLine(`dry run: would claim ${next.hash.slice(0, 12)}; the conversion fails: ${(error as Error).message}`);
	}
}
