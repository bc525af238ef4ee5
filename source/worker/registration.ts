/**
The worker's registration, registry/workers/<id>.json: who it is, what it does, what it has done.
Requests: one PUT when the status changes, else at most one a heartbeat interval (ten while idle),
each stamped with the store's time so a console on a skewed machine still judges it right.
*/
import os from 'node:os';
import type {Clock} from '../lib/clock.js';
import type {QueueContext} from '../queue/queue-context.js';
import type {WorkerRecord} from '../queue/records.js';

export type WorkerIdentity = {workerId: string; storeLine: string; softwareVersion: string};

export class Registration {
	private record: WorkerRecord;
	private writtenAt = 0;

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

	noteFailed(): void {
		this.record.jobsFailed++;
	}

	noteBusy(ms: number): void {
		this.record.busyMs += ms;
	}

	/** Writes the registration when the status changes, or at most once per heartbeat interval. */
	async write(
		status: WorkerRecord['status'],
		options: {force?: boolean; job?: WorkerRecord['currentJob']} = {},
	): Promise<void> {
		const now = this.clock.now();
		const interval = Math.max(60_000, this.context.config().heartbeat_interval * 1000) * (status === 'idle' ? 10 : 1);
		if (!options.force && status === this.record.status && now - this.writtenAt < interval) return;
		const {currentJob: _previous, ...rest} = this.record;
		this.record = {
			...rest,
			status,
			lastSeen: await this.context.store.serverTime(),
			...(options.job ? {currentJob: options.job} : {}),
		};
		this.writtenAt = now;
		await this.context.store.put(this.context.keys.worker(this.record.worker), JSON.stringify(this.record), {
			contentType: 'application/json',
		});
	}
}
