/**
One claimed job, start to end: download the raw PDF to disk, convert, package, complete; or fail,
hand back (shutdown), or stop (cancelled, lease lost). Requests: GET raw PDF · heartbeats (JobLease)
· complete (PUT fence, PUT result, DELETE todo, PUT ending) or fail (PUT ending, PUT record, DELETE
todo) or requeue (PUT ending, PUT todo) · PUT job log.
*/
import {mkdir, rm} from 'node:fs/promises';
import path from 'node:path';
import type {Clock} from '../lib/clock.js';
import type {QueueContext} from '../queue/queue-context.js';
import type {JobLog} from '../queue/records.js';
import type {HeldLease} from '../queue/transitions/lease-write.js';
import {complete, requeue} from '../queue/transitions/finish.js';
import {ConversionError} from './converter/conversion-error.js';
import type {Converter} from './converters.js';
import type {JobFields, ShownJob, WorkerEmitter} from './events.js';
import {JobLease, type JobProgress} from './job-lease.js';
import {makeJobFolder} from './job-folders.js';
import {type JobLogWriter, newJobLog, redacted} from './job-logs.js';
import type {FailureRecorder} from './pending-failure.js';
import type {Registration} from './registration.js';
import type {WorkerCommands} from './worker-commands.js';
import {packageResult} from './result-archive.js';

export type JobRunDeps = {
	context: QueueContext;
	clock: Clock;
	workerId: string;
	converter: Converter;
	events: WorkerEmitter;
	registration: Registration;
	failures: FailureRecorder;
	logs: JobLogWriter;
	/** The worker is stopping: a job that ends now is handed back, not failed. */
	isStopping: () => boolean;
	/** The job as a terminal view shows it. */
	show: (job: ShownJob) => void;
	/** An operator's command found in the lease (drain, stop). */
	commands: Pick<WorkerCommands, 'fromLease'>;
	/** The worker's windows find more than a fifth of the queue in flight (claimer.ts): a done job's todo entry goes at once. */
	queueCrowded: () => boolean;
	/** Where the job's folder is made. @default the system's temp directory */
	scratchDir?: string | undefined;
};

export class JobRun {
	private readonly controller = new AbortController();
	private readonly fields: JobFields;
	private readonly progress: JobProgress = {stage: 'downloading', pagesDone: 0, pagesTotal: 0};
	private readonly startedAt: number;
	private readonly log: JobLog;
	private readonly lease: JobLease;
	/** The log went up inside the result archive (a completed attempt whose archive was stored). */
	private logInResult = false;

	constructor(
		private readonly deps: JobRunDeps,
		private readonly held: HeldLease,
	) {
		const {hash, attempt, name, priority} = held.lease;
		this.startedAt = deps.clock.now();
		this.fields = {job: hash, file: name, attempt, priority};
		this.log = newJobLog(held, deps.workerId, this.startedAt);
		this.lease = new JobLease(deps, held, {
			fields: this.fields,
			startedAt: this.startedAt,
			progress: this.progress,
			abort: reason => this.abort(reason),
		});
	}

	/** The job's hash. */
	get hash(): string {
		return this.held.lease.hash;
	}

	/** Ends the conversion (shutdown, cancel, lost lease); the run then ends the attempt as it should. */
	abort(reason: string): void {
		this.controller.abort(reason);
	}

	/** Ends the conversion and hands the job back (a run window closed): requeued, the attempt not counted. */
	handBack(reason: string): void {
		this.handBackReason ??= reason;
		this.abort(reason);
	}

	private handBackReason?: string;

	async run(): Promise<void> {
		const {deps} = this;
		deps.events.emit('job-claimed', this.fields);
		this.show();
		// Written when the worker turns busy, then with the heartbeats at most once a minute.
		await this.lease.register();
		const folder = await makeJobFolder(deps.scratchDir);
		// Started here, not earlier: a registration or folder that failed above leaves no loop behind
		// heartbeating a lease the worker has given up on.
		this.lease.start();
		try {
			await this.convertAndComplete(folder);
		} catch (error) {
			await this.lease.stop();
			await this.endFailed(
				error instanceof ConversionError ? error : new ConversionError(String((error as Error).message), false),
			);
		} finally {
			await this.lease.stop();
			this.log.endedAt = deps.clock.now();
			deps.registration.noteBusy(this.log.endedAt - this.startedAt);
			if (!this.logInResult) deps.logs.write(this.log, this.fields);
			await rm(folder, {recursive: true, force: true});
		}
	}

	private async convertAndComplete(folder: string): Promise<void> {
		const {context, clock, converter, events} = this.deps;
		const {hash, name} = this.held.lease;
		const timings = this.log.timings;
		const t0 = clock.now();
		// Straight to disk: a large PDF never sits in the worker's memory.
		const input = path.join(folder, 'source.pdf');
		const raw = await context.store.getFile(context.keys.raw(hash), input, {signal: this.controller.signal});
		if (!raw) throw new ConversionError('the raw PDF is missing from the store', true);
		timings.downloadMs = clock.now() - t0;
		this.progress.stage = 'converting';
		this.show();
		events.emit('conversion-started', this.fields);
		const t1 = clock.now();
		// The output folder exists before the converter starts (a converter may rely on it).
		const output = path.join(folder, 'output');
		await mkdir(output);
		const config = context.config();
		const timeout = config.conversion_timeout;
		const result = await converter.convert({
			input,
			output,
			timeoutMs: timeout > 0 ? timeout * 1000 : undefined,
			memoryLimitBytes: config.conversion_memory_mb > 0 ? config.conversion_memory_mb * 2 ** 20 : undefined,
			maxPages: config.max_pages > 0 ? config.max_pages : undefined,
			signal: this.controller.signal,
			onProgress: (done, total) => {
				this.progress.pagesDone = done;
				this.progress.pagesTotal = total;
				this.show();
			},
			onStart: pid => {
				this.lease.load.childPid = pid;
			},
			onOutput: text => {
				this.log.output = (this.log.output + text).slice(-20_000);
			},
		});
		timings.convertMs = clock.now() - t1;
		this.log.converter = result.converter;
		if (result.pages !== undefined) this.log.pages = result.pages;
		this.progress.stage = 'uploading';
		const t2 = clock.now();
		// The log as it will end if the upload goes through; if it does not, the log is PUT on its own.
		const log = redacted({...this.log, outcome: 'completed', endedAt: clock.now(), timings: {...timings}});
		const archive = await packageResult(output, {
			log,
			hash,
			name,
			metadata: raw.metadata,
			size: raw.size,
			result,
			worker: this.deps.workerId,
			timings,
		});
		await this.lease.stop();
		const done = this.lease.lostReason
			? ({kind: 'lost'} as const)
			: await complete(context, this.held, archive, {dropTodo: this.deps.queueCrowded()});
		timings.uploadMs = clock.now() - t2;
		if (done.kind === 'lost') throw new ConversionError(this.lease.lostReason ?? 'lease lost before completion', false);
		this.log.outcome = 'completed';
		// The result in place is this attempt's (complete replaces another's), so it carries this log.
		this.logInResult = true;
		this.deps.registration.noteCompleted(result.pages ?? 0, raw.size);
		events.emit('job-completed', {
			...this.fields,
			pages: result.pages,
			ms: clock.now() - this.startedAt,
			replacedResult: done.replaced,
		});
	}

	/** The attempt ends without a result: handed back at shutdown, nothing more when the lease is gone, else failed. */
	private async endFailed(error: ConversionError): Promise<void> {
		const {context, events} = this.deps;
		const lost = this.lease.lostReason;
		this.log.error = error.message;
		const handBack = this.deps.isStopping() ? 'shutdown' : this.handBackReason;
		if (handBack && !lost) {
			const handedBack = await requeue(context, this.held);
			this.log.outcome = handedBack.kind === 'requeued' ? 'requeued' : 'lost';
			events.emit('job-requeued', {...this.fields, reason: handBack});
		} else if (lost) {
			this.log.outcome = lost.startsWith('cancelled') ? 'cancelled' : 'lost';
		} else {
			const failure = {
				error: error.message,
				permanent: error.permanent,
				log: context.keys.jobLog(this.held.lease.hash, this.held.lease.attempt),
			};
			this.log.outcome = await this.deps.failures.record(this.held, failure, this.fields);
		}
	}

	private show(): void {
		const {hash, name} = this.held.lease;
		const {stage, pagesDone, pagesTotal} = this.progress;
		this.deps.show({hash, name, stage, ...(pagesTotal > 0 ? {pagesDone, pagesTotal} : {})});
	}
}
