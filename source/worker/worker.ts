/**
The worker loop: claim, convert in a child process, heartbeat, complete or fail; idle cheaply;
shut down cleanly.

Per job — requests: LIST todo + LIST processing (candidates) · claim (PUT lease, GET todo, HEAD
result) · GET raw PDF · a heartbeat per heartbeat_interval (PUT lease If-Match) · complete (PUT
fence, PUT result, DELETE todo, PUT ending) or fail (PUT ending, PUT record, DELETE todo) · PUT job
log. The registration is written when the status changes and at most once a heartbeat interval.
Idle: one conditional GET of queue/signal.json every 10 s (304 while nothing new), a full
candidate listing only when it changed or every 5 minutes.

Shutdown (SIGINT, SIGTERM, SIGHUP, SIGQUIT, or an unexpected error): the child is killed, the job
handed back with its retry count (a fenced requeue), the registration marked stopped. A second
signal does not skip this.
*/
import {mkdir, readdir, readFile, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {zipSync} from 'fflate';
import type {Clock} from '../lib/clock.js';
import {freeBytes, lowDiskBytes} from '../lib/disk-space.js';
import type {Logger} from '../lib/log.js';
import {listCandidates, type Candidate} from '../queue/candidates.js';
import {recoverOwnLeases, runJanitor} from '../queue/janitor.js';
import type {QueueContext} from '../queue/queue-context.js';
import type {RemoteConfigCache} from '../queue/remote-config.js';
import type {JobLog, WorkerRecord} from '../queue/records.js';
import {loadManifest, type Manifest, type ManifestEntry} from '../queue/manifest.js';
import {claim, type HeldLease} from '../queue/transitions/claim.js';
import {complete, fail, requeue} from '../queue/transitions/finish.js';
import {heartbeat} from '../queue/transitions/heartbeat.js';
import {HeartbeatLoop} from './heartbeat-loop.js';
import {makeJobFolder, removeAbandonedJobFolders} from './job-folders.js';
import {ObjectWatch} from '../queue/object-watch.js';
import {ConversionError} from './converter/conversion-error.js';
import {runConversion, startConversionChild} from './run-conversion.js';
import {SpareConverter} from './spare-converter.js';
import {processRss, systemLoad, type SystemLoad} from './system-load.js';
import {isStoreError, type StoreErrorKind} from '../storage/store-error.js';

/** Store errors that waiting cannot cure: the worker stops and says why. */
const fatalKinds = new Set<StoreErrorKind>(['access-denied', 'bad-credentials', 'bucket-missing', 'unsupported']);
const janitorEveryMs = 10 * 60_000;
/** How long one listing of candidates serves further claims. */
const listingReuseMs = 2000;

export type WorkerOptions = {
	context: QueueContext;
	remoteConfig: RemoteConfigCache;
	workerId: string;
	logger: Logger;
	clock: Clock;
	/** Where the store is, for the registration and the first log line. */
	storeLine: string;
	softwareVersion: string;
	/** Process at most one job, then exit. */
	runOnce?: boolean;
	/** External converter command template ({input}, {output}); the built-in one when absent. */
	converterCommand?: string;
	/** Seconds between idle polls of the signal object. @default 10 */
	idlePollSeconds?: number;
	/** Called with each state change, for a terminal view. */
	onStatus?: (status: WorkerStatus) => void;
};

export type WorkerStatus = {state: 'starting' | 'idle' | 'processing' | 'stopping' | 'stopped'; job?: {hash: string; name?: string; stage: string; pagesDone?: number; pagesTotal?: number}; jobsCompleted: number; jobsFailed: number};

export class Worker {
	private readonly stopController = new AbortController();
	/** The built-in converter's next child, started while a job converts (not for --run-once: no next job). */
	private readonly spare?: SpareConverter;
	private jobController?: AbortController;
	private record: WorkerRecord;
	private registrationWrittenAt = 0;
	/** This worker's last janitor pass (its clock): one is due ten minutes later, or at `retryDueAt` if sooner. */
	private janitorPassedAt = Number.NEGATIVE_INFINITY;
	/** When the earliest job this worker failed is due for its retry, which a janitor pass performs. */
	private retryDueAt = Number.POSITIVE_INFINITY;
	private listing?: {candidates: Candidate[]; at: number};
	/** Cycles that failed in a row on store errors, for the backoff. */
	private failedRounds = 0;
	/** Job logs being written; the next job does not wait for them, the worker's stop does. */
	private readonly logWrites = new Set<Promise<void>>();
	private manifestCache?: {manifest: Manifest; etag?: string; fetchedAt: number};
	/** A job that failed while the store was failing too: its failure is written once the store answers. */
	private unrecordedFailure?: {held: HeldLease; failure: Parameters<typeof fail>[2]; fields: Record<string, unknown>};
	private status: WorkerStatus = {state: 'starting', jobsCompleted: 0, jobsFailed: 0};

	constructor(private readonly options: WorkerOptions) {
		if (!options.converterCommand && !options.runOnce) this.spare = new SpareConverter(startConversionChild);
		this.record = {version: 1, worker: options.workerId, host: os.hostname(), pid: process.pid, softwareVersion: options.softwareVersion, status: 'idle', store: options.storeLine, startedAt: options.clock.now(), lastSeen: 0, jobsCompleted: 0, jobsFailed: 0, pagesProcessed: 0, bytesProcessed: 0, busyMs: 0};
	}

	/** Asks the worker to stop: the running job is handed back. Safe to call more than once. */
	stop(reason: string): void {
		if (this.stopController.signal.aborted) return;
		this.options.logger.info('shutdown-requested', {reason});
		this.setStatus({state: 'stopping'});
		this.stopController.abort(reason);
		this.jobController?.abort(`worker shutting down (${reason})`);
		this.spare?.dispose();
	}

	get stopping(): boolean {
		return this.stopController.signal.aborted;
	}

	async run(): Promise<void> {
		const {logger, context} = this.options;
		logger.info('worker-started', {store: this.options.storeLine, worker: this.options.workerId, pid: process.pid});
		await this.options.remoteConfig.get();
		await this.register('idle', true);
		const scratchFree = await freeBytes(os.tmpdir());
		if (scratchFree !== undefined && scratchFree < lowDiskBytes) logger.warn('low-disk', {dir: os.tmpdir(), freeMB: Math.round(scratchFree / 1024 ** 2), hint: 'jobs download and convert here; free space or set TMPDIR'});
		const leftovers = await removeAbandonedJobFolders();
		if (leftovers.length > 0) logger.info('removed-abandoned-job-folders', {count: leftovers.length, first: leftovers[0]});
		const recovered = await recoverOwnLeases(context, this.options.workerId);
		if (recovered.staleRecovered + recovered.deadLettered + recovered.finishedDone > 0) logger.warn('recovered-own-leases', {requeued: recovered.staleRecovered, dead: recovered.deadLettered, done: recovered.finishedDone});
		await this.janitorPass();
		// The signal is read before every listing that can end in idleness (here, then on each wake), so
		// an enqueue that lands after a listing always shows as a change at the next poll.
		// If this first read fails, the first idle poll counts as a change: one listing more, no job missed.
		const signalWatch = new ObjectWatch(context.store, context.keys.signal());
		await this.surviving(async () => {
			await signalWatch.changed();
			return 'continue';
		});
		try {
			while (!this.stopping) {
				// eslint-disable-next-line no-await-in-loop
				if ((await this.surviving(async () => this.cycle(signalWatch))) === 'stop') break;
			}
		} finally {
			this.spare?.dispose();
			// One last try on the way out; if the store still refuses, the lease goes stale and the
			// janitor (or this worker's next start) recovers it.
			await this.recordLateFailure().catch((error: unknown) => logger.warn('late-failure-not-recorded', {error: (error as Error).message}));
			await Promise.all(this.logWrites);
			await this.register('stopped', true).catch((error: unknown) => logger.warn('deregister-failed', {error: (error as Error).message}));
			this.setStatus({state: 'stopped', job: undefined});
			logger.info('worker-stopped', {completed: this.record.jobsCompleted, failed: this.record.jobsFailed});
		}
	}

	/**
	One claim, or one idle wait: claims and processes a job (and runs the janitor when it is due),
	or, with nothing to claim, polls the signal object until it changes (or five minutes pass, as a
	safety net). 'stop' after the one job of --run-once.
	*/
	private async cycle(signalWatch: ObjectWatch): Promise<'continue' | 'stop'> {
		const {clock} = this.options;
		await this.options.remoteConfig.get();
		await this.recordLateFailure();
		const listedAt = clock.now();
		const worked = await this.claimAndProcess();
		this.failedRounds = 0;
		if (this.options.runOnce) return 'stop';
		if (worked) {
			// Busy workers run the janitor too: otherwise stale leases and failed jobs would wait
			// for some worker to go idle, which a long queue may not allow for hours.
			if (this.janitorDue()) await this.janitorPass();
			return 'continue';
		}
		this.setStatus({state: 'idle', job: undefined});
		// No next job in sight: a waiting conversion child would only hold memory.
		this.spare?.dispose();
		await this.register('idle');
		while (!this.stopping && clock.now() - listedAt < 300_000) {
			// eslint-disable-next-line no-await-in-loop
			await clock.sleep((this.options.idlePollSeconds ?? 10) * 1000, this.stopController.signal).catch(() => undefined);
			if (this.stopping) break;
			// eslint-disable-next-line no-await-in-loop
			if (await signalWatch.changed()) break;
			// eslint-disable-next-line no-await-in-loop
			await this.register('idle');
			// eslint-disable-next-line no-await-in-loop
			if (this.janitorDue()) await this.janitorPass();
		}
		return 'continue';
	}

	/**
	Runs a cycle through the store's passing troubles: a network, server or throttling error (after
	the store's own retries) is logged and waited out, with backoff up to a minute, and the worker
	goes on; whatever a failed cycle left (a fresh lease) goes stale and the janitor recovers it.
	Errors no wait can cure (credentials, permissions, a missing bucket) and anything that is not a
	store error end the worker.
	*/
	private async surviving(cycle: () => Promise<'continue' | 'stop'>): Promise<'continue' | 'stop'> {
		try {
			return await cycle();
		} catch (error) {
			// Not a store error: a bug, which must surface (systemd restarts the worker) rather than loop.
			if (!isStoreError(error) || fatalKinds.has(error.kind)) throw error;
			this.failedRounds++;
			const waitMs = Math.min(60_000, 1000 * 2 ** Math.min(this.failedRounds - 1, 6));
			this.listing = undefined;
			this.options.logger.warn('store-trouble', {error: (error as Error).message, attempt: this.failedRounds, retryInMs: waitMs});
			await this.options.clock.sleep(waitMs, this.stopController.signal).catch(() => undefined);
			return 'continue';
		}
	}

	/**
	Claims one job and processes it; false when there was nothing to claim. A listing (2 LISTs)
	serves the following claims for up to `listingReuseMs`: a LIST costs 12.5 GETs, and a stale
	candidate costs at most one refused create-only PUT (its lease exists) or a claim that finds
	the job gone.
	*/
	private async claimAndProcess(): Promise<boolean> {
		const {context, workerId, clock} = this.options;
		for (;;) {
			let isFresh = false;
			if (!this.listing || this.listing.candidates.length === 0 || clock.now() - this.listing.at > listingReuseMs) {
				// eslint-disable-next-line no-await-in-loop
				const {candidates, malformedKeys} = await listCandidates(context, {maxKeys: 100});
				for (const key of malformedKeys) this.options.logger.warn('malformed-queue-key', {key});
				this.listing = {candidates, at: clock.now()};
				isFresh = true;
			}
			const listing = this.listing;
			while (listing.candidates.length > 0) {
				if (this.stopping) return false;
				const candidate = listing.candidates.shift()!;
				// eslint-disable-next-line no-await-in-loop
				const outcome = await claim(context, workerId, candidate);
				if (outcome.kind === 'already-done') this.options.logger.info('already-done', {job: candidate.hash});
				if (outcome.kind !== 'claimed') continue;
				// eslint-disable-next-line no-await-in-loop
				await this.process(outcome.held);
				return true;
			}
			// Everything in a reused listing was taken: only a fresh one may say the queue is empty.
			if (isFresh) return false;
			this.listing = undefined;
		}
	}

	private async process(held: HeldLease): Promise<void> {
		const {context, logger, clock} = this.options;
		const hash = held.lease.hash;
		const config = context.config();
		const startedAt = clock.now();
		const log: JobLog = {version: 1, hash, attempt: held.lease.attempt, worker: this.options.workerId, ...(held.lease.name ? {name: held.lease.name} : {}), startedAt, endedAt: 0, outcome: 'failed', timings: {}, output: ''};
		const fields = {job: hash, file: held.lease.name, attempt: held.lease.attempt, priority: held.lease.priority};
		logger.info('job-claimed', fields);
		this.jobController = new AbortController();
		if (this.stopping) this.jobController.abort('worker shutting down');
		const jobSignal = this.jobController.signal;
		const progress = {stage: 'downloading' as 'downloading' | 'converting' | 'uploading', pagesDone: 0, pagesTotal: 0};
		let load: SystemLoad & {childRssBytes?: number} = {};
		let childPid: number | undefined;
		this.setStatus({state: 'processing', job: {hash, name: held.lease.name, stage: progress.stage}});
		// Written when the worker turns busy, then with the heartbeats at most once a minute, not per
		// job: the console takes the current job from the leases.
		await this.register('processing', false, {hash, name: held.lease.name, startedAt});
		let lostReason: string | undefined;
		// System load is sampled beside the heartbeat, not before it: the first CPU sample takes
		// ~0.5 s, and a slow sample must never delay the lease renewal.
		let sampling = false;
		const sampleLoad = () => {
			if (sampling) return;
			sampling = true;
			void Promise.all([systemLoad(), processRss(childPid)])
				.then(([machine, childRssBytes]) => {
					load = {...machine, ...(childRssBytes === undefined ? {} : {childRssBytes})};
				})
				.finally(() => {
					sampling = false;
				});
		};
		sampleLoad();
		const beat = async () => {
			const elapsed = clock.now() - startedAt;
			const eta = progress.pagesDone > 0 && progress.pagesTotal > 0 ? (elapsed / progress.pagesDone) * (progress.pagesTotal - progress.pagesDone) : undefined;
			const outcome = await heartbeat(context, held, {stage: progress.stage, pagesDone: progress.pagesDone, pagesTotal: progress.pagesTotal, elapsedMs: elapsed, ...(eta === undefined ? {} : {etaMs: Math.round(eta)}), ...(held.lease.size ? {bytes: held.lease.size} : {}), ...load});
			sampleLoad();
			if (outcome.kind !== 'renewed') {
				lostReason = outcome.kind === 'cancelled' ? 'cancelled by the operator' : `lease lost${outcome.holder ? ` (now held by ${outcome.holder})` : ''}`;
				logger.warn(outcome.kind === 'cancelled' ? 'job-cancelled' : 'lease-lost', {...fields, reason: lostReason});
				this.jobController?.abort(lostReason);
				return;
			}
			await this.register('processing', false, {hash, name: held.lease.name, startedAt});
		};
		const beats = new HeartbeatLoop(clock, config.heartbeat_interval * 1000, beat, error => logger.warn('heartbeat-failed', {...fields, error: error.message}));
		const folder = await makeJobFolder();
		try {
			const t0 = clock.now();
			// Straight to disk: a large PDF never sits in the worker's memory.
			const input = path.join(folder, 'source.pdf');
			const raw = await context.store.getFile(context.keys.raw(hash), input);
			if (!raw) throw new ConversionError('the raw PDF is missing from the store', true);
			log.timings.downloadMs = clock.now() - t0;
			progress.stage = 'converting';
			this.setStatus({state: 'processing', job: {hash, name: held.lease.name, stage: 'converting'}});
			logger.info('conversion-started', fields);
			const t1 = clock.now();
			// The output folder exists before the converter starts (a converter may rely on it).
			const output = path.join(folder, 'output');
			await mkdir(output);
			const result = await runConversion({
				input,
				output,
				command: this.options.converterCommand,
				...(this.spare ? {spare: this.spare} : {}),
				timeoutMs: config.conversion_timeout > 0 ? config.conversion_timeout * 1000 : undefined,
				signal: jobSignal,
				onProgress: (done, total) => {
					progress.pagesDone = done;
					progress.pagesTotal = total;
					this.setStatus({state: 'processing', job: {hash, name: held.lease.name, stage: 'converting', pagesDone: done, pagesTotal: total}});
				},
				onStart: pid => {
					childPid = pid;
				},
				onOutput: text => {
					log.output = (log.output + text).slice(-20_000);
				},
			});
			log.timings.convertMs = clock.now() - t1;
			log.converter = result.converter;
			if (result.pages !== undefined) log.pages = result.pages;
			progress.stage = 'uploading';
			const t2 = clock.now();
			const entry = await this.manifestEntry(hash);
			const archive = await packageResult(output, {hash, name: held.lease.name, metadata: raw.metadata, size: raw.size, result, worker: this.options.workerId, timings: log.timings, ...(entry ? {paths: entry.paths, tags: entry.tags} : {})});
			await beats.stop();
			const done = lostReason ? ({kind: 'lost'} as const) : await complete(context, held, archive);
			log.timings.uploadMs = clock.now() - t2;
			if (done.kind === 'lost') throw new ConversionError(lostReason ?? 'lease lost before completion', false);
			log.outcome = 'completed';
			this.record.jobsCompleted++;
			this.record.pagesProcessed += result.pages ?? 0;
			this.record.bytesProcessed += raw.size;
			logger.info('job-completed', {...fields, pages: result.pages, ms: clock.now() - startedAt, resultExisted: done.resultExisted});
		} catch (error) {
			const conversionError = error instanceof ConversionError ? error : new ConversionError((error as Error).message, false);
			log.error = conversionError.message;
			await beats.stop();
			if (this.stopping && !lostReason) {
				const handedBack = await requeue(context, held, 'worker shutting down');
				log.outcome = handedBack.kind === 'requeued' ? 'requeued' : 'lost';
				logger.info('job-requeued', {...fields, reason: 'shutdown'});
			} else if (lostReason) {
				log.outcome = lostReason.startsWith('cancelled') ? 'cancelled' : 'lost';
			} else {
				const failure = {error: conversionError.message, permanent: conversionError.permanent, log: context.keys.jobLog(hash, held.lease.attempt)};
				try {
					log.outcome = await this.recordFailure(held, failure, fields);
				} catch (trouble) {
					// The store failed us (an outage, a full disk) and could not take the failure either: it is
					// recorded as soon as the store answers, before the next claim, instead of leaving the
					// lease to go stale.
					if (isStoreError(trouble)) this.unrecordedFailure = {held, failure, fields};
					throw trouble;
				}
			}
		} finally {
			await beats.stop();
			this.jobController = undefined;
			log.endedAt = clock.now();
			this.record.busyMs += log.endedAt - startedAt;
			const logWrite = context.store
				.put(context.keys.jobLog(hash, held.lease.attempt), JSON.stringify(log), {contentType: 'application/json'})
				.then(() => undefined)
				.catch((error: unknown) => logger.warn('job-log-failed', {...fields, error: (error as Error).message}))
				.finally(() => this.logWrites.delete(logWrite));
			this.logWrites.add(logWrite);
			await rm(folder, {recursive: true, force: true});
			this.setStatus({jobsCompleted: this.record.jobsCompleted, jobsFailed: this.record.jobsFailed});
		}
	}

	/** Writes the failure the store refused earlier, if any (it throws while the store still refuses). */
	private async recordLateFailure(): Promise<void> {
		if (!this.unrecordedFailure) return;
		const {held, failure, fields} = this.unrecordedFailure;
		await this.recordFailure(held, failure, {...fields, late: true});
		this.unrecordedFailure = undefined;
	}

	/** Ends the held lease as failed (or dead); the outcome for the job log. */
	private async recordFailure(held: HeldLease, failure: Parameters<typeof fail>[2], fields: Record<string, unknown>): Promise<JobLog['outcome']> {
		const failed = await fail(this.options.context, held, failure);
		const outcome = failed.kind === 'dead' ? 'dead' : failed.kind === 'failed' ? 'failed' : 'lost';
		if (failed.kind === 'failed') {
			// The janitor requeues a failed job; running it when this one's backoff ends (rather than at the
			// next ten-minute pass) keeps a retry close to its retry_backoff.
			const backoffMs = failed.retryAt - (failed.record.history.at(-1)?.at ?? failed.retryAt);
			this.retryDueAt = Math.min(this.retryDueAt, this.options.clock.now() + backoffMs + 1000);
		}
		this.record.jobsFailed++;
		this.options.logger.warn('job-failed', {...fields, error: failure.error, permanent: failure.permanent, outcome});
		return outcome;
	}

	/**
	The job's manifest entry (paths and tags) for info.json. The manifest is cached and re-read with a
	conditional GET at most every five minutes, or when a job's hash is missing from it (at most once a
	minute): never one manifest download per job.
	*/
	private async manifestEntry(hash: string): Promise<ManifestEntry | undefined> {
		const now = this.options.clock.now();
		const cache = this.manifestCache;
		const due = !cache || now - cache.fetchedAt > 300_000 || (!(hash in cache.manifest.entries) && now - cache.fetchedAt > 60_000);
		if (due) {
			try {
				const loaded = await loadManifest(this.options.context, cache?.etag);
				this.manifestCache = loaded === 'not-modified' ? {...cache!, fetchedAt: now} : {manifest: loaded.manifest, etag: loaded.etag, fetchedAt: now};
			} catch (error) {
				this.options.logger.warn('manifest-read-failed', {error: (error as Error).message});
			}
		}
		return this.manifestCache?.manifest.entries[hash];
	}

	private janitorDue(): boolean {
		const now = this.options.clock.now();
		return now >= Math.min(this.janitorPassedAt + janitorEveryMs, this.retryDueAt);
	}

	/**
	Workers run the janitor themselves (at start, then every ten minutes, busy or idle, and when a job
	this worker failed is due for its retry), so stale leases, failed jobs' retries and the read
	model's compaction need no cron job. Concurrent janitors are safe: the snapshot is
	compare-and-swap, and every recovery is fenced.
	*/
	private async janitorPass(): Promise<void> {
		const now = this.options.clock.now();
		this.janitorPassedAt = now;
		// A retry due by now is this pass's to perform; a later one keeps its own time (a pass before
		// its backoff ends must not push it to the next ten-minute pass).
		if (this.retryDueAt <= now) this.retryDueAt = Number.POSITIVE_INFINITY;
		try {
			const report = await runJanitor(this.options.context);
			const {malformed, ...counts} = report;
			if (Object.values(counts).some(n => n > 0)) this.options.logger.info('janitor', counts);
			for (const m of malformed) this.options.logger.warn('malformed-record', {key: m.key, reason: m.reason});
		} catch (error) {
			this.options.logger.warn('janitor-failed', {error: (error as Error).message});
		}
	}

	/** Writes the registration when the status changes, or at most once per heartbeat interval. */
	private async register(status: WorkerRecord['status'], force = false, job?: WorkerRecord['currentJob']): Promise<void> {
		const now = this.options.clock.now();
		const interval = Math.max(60_000, this.options.context.config().heartbeat_interval * 1000) * (status === 'idle' ? 10 : 1);
		if (!force && status === this.record.status && now - this.registrationWrittenAt < interval) return;
		this.record = {...this.record, status, lastSeen: await this.options.context.store.serverTime(), ...(job ? {currentJob: job} : {currentJob: undefined})};
		if (!job) delete this.record.currentJob;
		this.registrationWrittenAt = now;
		await this.options.context.store.put(this.options.context.keys.worker(this.options.workerId), JSON.stringify(this.record), {contentType: 'application/json'});
	}

	private setStatus(change: Partial<WorkerStatus>): void {
		this.status = {...this.status, ...change};
		this.options.onStatus?.(this.status);
	}
}

/** The result archive: content.md, assets/, info.json; entry names are ours, never from the input. */
export async function packageResult(output: string, info: {hash: string; name?: string; metadata: Record<string, string>; size: number; result: {pages?: number; scannedPages?: number[]; headings?: number; converter: string}; worker: string; timings: JobLog['timings']; paths?: string[]; tags?: string[]}): Promise<Uint8Array> {
	const files: Record<string, Uint8Array> = {};
	// Only regular files with plain names: a converter's symlink (to /etc/passwd, say) or odd entry
	// name never makes it into a result, whose entry names are fixed here.
	const regularFiles = async (folder: string) => {
		const entries = await readdir(folder, {withFileTypes: true}).catch(() => []);
		return entries.filter(e => e.isFile() && /^[\w.-]+$/.test(e.name)).map(e => e.name);
	};
	const markdownName = (await regularFiles(output)).find(name => name.endsWith('.md'));
	if (!markdownName) throw new ConversionError('the converter wrote no Markdown file', false);
	files['content.md'] = await readFile(path.join(output, markdownName));
	for (const name of await regularFiles(path.join(output, 'assets'))) files[`assets/${name}`] = await readFile(path.join(output, 'assets', name));
	let tags: unknown = info.tags ?? [];
	if (!info.tags) {
		try {
			tags = JSON.parse(info.metadata['tags'] ?? '[]');
		} catch {
			tags = [];
		}
	}
	files['info.json'] = new TextEncoder().encode(JSON.stringify({hash: info.hash, original_filename: info.metadata['original-name'] ?? info.name ?? 'unknown.pdf', paths: info.paths ?? [], tags, size_bytes: info.size, pages: info.result.pages, scanned_pages: info.result.scannedPages ?? [], headings: info.result.headings, converter: info.result.converter, converted_at: new Date().toISOString(), worker_id: info.worker, timings_ms: info.timings}, null, 2));
	return zipSync(files, {level: 6});
}
