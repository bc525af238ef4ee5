/**
Records a job's failure, and keeps the one the store refused. When the store failed the job (an
outage, a full disk) and then refused its failure too, the failure is written as soon as the store
answers, before the next claim, instead of leaving the lease to go stale for the janitor.
*/
import type {HeldLease} from '../queue/transitions/lease-write.js';
import {fail} from '../queue/transitions/finish.js';
import type {QueueContext} from '../queue/queue-context.js';
import type {JobLog} from '../queue/records.js';
import {isStoreError} from '../storage/store-error.js';
import type {JobFields, WorkerEmitter} from './events.js';
import type {JanitorSchedule} from './janitor-schedule.js';
import type {Registration} from './registration.js';

export type Failure = Parameters<typeof fail>[2];

export class FailureRecorder {
	private pending?: {held: HeldLease; failure: Failure; fields: JobFields};

	constructor(
		private readonly context: QueueContext,
		private readonly registration: Registration,
		private readonly janitor: JanitorSchedule,
		private readonly events: WorkerEmitter,
	) {}

	/** Ends the held lease as failed (or dead); the outcome for the job log. A store error is kept for `flush`. */
	async record(held: HeldLease, failure: Failure, fields: JobFields): Promise<JobLog['outcome']> {
		try {
			return await this.write(held, failure, fields, false);
		} catch (error) {
			if (isStoreError(error)) this.pending = {held, failure, fields};
			throw error;
		}
	}

	/** Writes the failure the store refused earlier, if any; throws while the store still refuses. */
	async flush(): Promise<void> {
		if (!this.pending) return;
		const {held, failure, fields} = this.pending;
		await this.write(held, failure, fields, true);
		this.pending = undefined;
	}

	private async write(held: HeldLease, failure: Failure, fields: JobFields, late: boolean): Promise<JobLog['outcome']> {
		const failed = await fail(this.context, held, failure);
		const outcome = failed.kind === 'dead' ? 'dead' : failed.kind === 'failed' ? 'failed' : 'lost';
		if (failed.kind === 'failed') {
			// The janitor requeues a failed job; running it when this one's backoff ends (rather than at
			// the next ten-minute pass) keeps a retry close to its retry_backoff.
			this.janitor.retryDueIn(failed.retryAt - (failed.record.history.at(-1)?.at ?? failed.retryAt));
		}
		this.registration.noteFailed();
		this.events.emit('job-failed', {
			...fields,
			error: failure.error,
			permanent: failure.permanent,
			outcome,
			...(late ? {late} : {}),
		});
		return outcome;
	}
}
