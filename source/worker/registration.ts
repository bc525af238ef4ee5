/**
The worker's registration, registry/workers/<id>.json: who it is, what it does, what it has done.
Requests: one PUT when the status changes (idle, processing, stopped), else at most one every ten
minutes while idle and every thirty while processing (a busy worker's lease proves it alive), each
stamped with the store's time so a console on a skewed machine still judges it right.
Not one per job: a fleet of busy workers would pay a PUT per job for a record whose current job the
leases already tell (the console reads those); `currentJob` is the job as of the last write.
*/
import os from 'node:os';
import type {Clock} from '../lib/clock.js';
import type {QueueContext} from '../queue/queue-context.js';
import type {WorkerRecord} from '../queue/records.js';

/** How old a registration may grow while the status stays the same: consoles count an idle worker gone after 20 minutes. */
export function rewriteMs(status: WorkerRecord['status']): number {
	return (status === 'processing' ? 30 : 10) * 60_000;
}

export type WorkerIdentity = {workerId: string; storeLine: string; softwareVersion: string};

export class Registration {
	private record: WorkerRecord;
	private writtenAt = 0;
	private written = false;
	/** Called after each write but the first, with its server time and status (the worker reads its commands then). */
	private afterWrite?: (serverTime: number, status: WorkerRecord['status']) => Promise<void>;
	/** Server time of the first write: the worker's start as the store sees it. */
	firstWrittenAt?: number;

	constructor(
		private readonly context: QueueContext,
		private readonly clock: Clock,
		identity: WorkerIdentity,
	) {
		this.record = {
			version: 1,
			worker: identity.workerId,
			host: os.hostname(),
			pid: process.pid,
			softwareVersion: identity.softwareVersion,
			status: 'idle',
			store: identity.storeLine,
			startedAt: clock.now(),
			lastSeen: 0,
			jobsCompleted: 0,
			jobsFailed: 0,
			pagesProcessed: 0,
			bytesProcessed: 0,
			busyMs: 0,
		};
	}

	get completed(): number {
		return this.record.jobsCompleted;
	}

	get failed(): number {
		return this.record.jobsFailed;
	}

	noteCompleted(pages: number, bytes: number): void {
		this.record.jobsCompleted++;
		this.record.pagesProcessed += pages;
		this.record.bytesProcessed += bytes;
	}

	onRewrite(hook: (serverTime: number, status: WorkerRecord['status']) => Promise<void>): void {
		this.afterWrite = hook;
	}

	/** What the worker carries out for an operator (kept in every later write, `stopped` too). */
	carriesOut(command: NonNullable<WorkerRecord['command']>): void {
		this.record.command = command;
	}

	get status(): WorkerRecord['status'] {
		return this.record.status;
	}

	/** The run windows the worker keeps, shown by `workers` and the console. */
	keepsWindows(windows: string[]): void {
		if (windows.length > 0) this.record.runWindows = windows;
	}

	noteFailed(): void {
		this.record.jobsFailed++;
	}

	/** Jobs it runs at once: written with the next write (a change of the remote config's worker_slots). */
	hasSlots(slots: number): void {
		this.record.slots = slots;
	}

	/** Time one slot spent on a job; the record sums its slots. */
	noteBusy(ms: number): void {
		this.record.busyMs += ms;
	}

	/** Writes the registration when the status changes, or at most once per heartbeat interval. */
	async write(
		status: WorkerRecord['status'],
		options: {force?: boolean; job?: WorkerRecord['currentJob']; sleepingUntil?: number} = {},
	): Promise<void> {
		const now = this.clock.now();
		if (!options.force && status === this.record.status && now - this.writtenAt < rewriteMs(status)) return;
		const {currentJob: _previous, sleepingUntil: _until, ...rest} = this.record;
		this.record = {
			...rest,
			status,
			lastSeen: await this.context.store.serverTime(),
			...(options.job ? {currentJob: options.job} : {}),
			...(options.sleepingUntil === undefined ? {} : {sleepingUntil: options.sleepingUntil}),
		};
		this.writtenAt = now;
		await this.context.store.put(this.context.keys.worker(this.record.worker), JSON.stringify(this.record), {
			contentType: 'application/json',
		});
		if (!this.written) {
			this.written = true;
			this.firstWrittenAt = this.record.lastSeen;
		} else await this.afterWrite?.(this.record.lastSeen, this.record.status);
	}
}
