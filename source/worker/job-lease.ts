/**
Keeps a running job's lease alive, as BullMQ's lock manager does: a heartbeat every
heartbeat_interval (PUT lease If-Match) with the job's progress and the machine's load, and the
registration refreshed beside it. A heartbeat that finds the lease cancelled or taken aborts the
job; the reason is kept for the job log. An operator's command riding in the lease goes to the
worker (worker-commands.ts).
*/
import type {Clock} from '../lib/clock.js';
import type {QueueContext} from '../queue/queue-context.js';
import type {HeldLease} from '../queue/transitions/lease-write.js';
import {heartbeat} from '../queue/transitions/heartbeat.js';
import {errorText, type JobFields, type WorkerEmitter} from './events.js';
import {HeartbeatLoop} from './heartbeat-loop.js';
import {LoadSampler} from './load-sampler.js';
import type {Registration} from './registration.js';
import type {WorkerCommands} from './worker-commands.js';

export type JobProgress = {stage: 'downloading' | 'converting' | 'uploading'; pagesDone: number; pagesTotal: number};

export class JobLease {
	readonly load = new LoadSampler();
	/** Why the job lost its lease (cancelled, or taken), once a heartbeat found out. */
	lostReason: string | undefined;
	private loop?: HeartbeatLoop;

	constructor(
		private readonly deps: {
			context: QueueContext;
			clock: Clock;
			events: WorkerEmitter;
			registration: Registration;
			commands: Pick<WorkerCommands, 'fromLease'>;
		},
		private readonly held: HeldLease,
		private readonly job: {
			fields: JobFields;
			startedAt: number;
			progress: JobProgress;
			abort: (reason: string) => void;
		},
	) {}

	/** Starts the heartbeats: only once the run is inside the block whose end stops them. */
	start(): void {
		this.load.sample();
		const {clock, context, events} = this.deps;
		this.loop ??= new HeartbeatLoop(
			clock,
			context.config().heartbeat_interval * 1000,
			async () => this.beat(),
			error => events.emit('heartbeat-failed', {...this.job.fields, error: errorText(error)}),
		);
	}

	/** Stops the heartbeats; resolves once none is in flight (the final lease write must not race one). */
	async stop(): Promise<void> {
		await this.loop?.stop();
	}

	/** The registration while this job runs (at most once a minute, not per heartbeat). */
	async register(): Promise<void> {
		const {hash, name} = this.held.lease;
		await this.deps.registration.write('processing', {job: {hash, name, startedAt: this.job.startedAt}});
	}

	private async beat(): Promise<void> {
		const {progress, startedAt, fields} = this.job;
		const elapsed = this.deps.clock.now() - startedAt;
		const eta =
			progress.pagesDone > 0 && progress.pagesTotal > 0
				? (elapsed / progress.pagesDone) * (progress.pagesTotal - progress.pagesDone)
				: undefined;
		const outcome = await heartbeat(this.deps.context, this.held, {
			...progress,
			elapsedMs: elapsed,
			...(eta === undefined ? {} : {etaMs: Math.round(eta)}),
			...(this.held.lease.size ? {bytes: this.held.lease.size} : {}),
			...this.load.latest,
		});
		this.load.sample();
		if (outcome.kind === 'renewed') {
			await this.register();
			await this.deps.commands.fromLease(outcome.command);
			return;
		}
		const cancelled = outcome.kind === 'cancelled';
		this.lostReason = cancelled
			? 'cancelled by the operator'
			: `lease lost${outcome.holder ? ` (now held by ${outcome.holder})` : ''}`;
		this.deps.events.emit(cancelled ? 'job-cancelled' : 'lease-lost', {...fields, reason: this.lostReason});
		this.job.abort(this.lostReason);
	}
}
