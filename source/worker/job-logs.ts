/**
Job logs. A completed attempt's log travels inside its result archive (log.json), so a successful
job makes no log request; every other attempt's is PUT to registry/logs/<hash>/attempt-NNN.json in
the background. The next job does not wait for them; the worker's stop does.
*/
import type {QueueContext} from '../queue/queue-context.js';
import {redact} from '../lib/redact.js';
import type {JobLog} from '../queue/records.js';
import type {HeldLease} from '../queue/transitions/lease-write.js';
import {errorText, type JobFields, type WorkerEmitter} from './events.js';

/**
What a converter printed is redacted before it reaches the bucket, not only when shown: another
reader of the bucket does not know the secrets to hide.
*/
export function redacted(log: JobLog): JobLog {
	return {...log, output: redact(log.output), ...(log.error === undefined ? {} : {error: redact(log.error)})};
}

/** An attempt's log as it starts: filled in as the job runs (timings, converter output, outcome). */
export function newJobLog(held: HeldLease, worker: string, startedAt: number): JobLog {
	const {hash, attempt, name} = held.lease;
	return {
		version: 1,
		hash,
		attempt,
		worker,
		...(name ? {name} : {}),
		startedAt,
		endedAt: 0,
		outcome: 'failed',
		timings: {},
		output: '',
	};
}

export class JobLogWriter {
	private readonly writes = new Set<Promise<void>>();

	constructor(
		private readonly context: QueueContext,
		private readonly events: WorkerEmitter,
	) {}

	write(log: JobLog, fields: JobFields): void {
		const write = this.context.store
			.put(this.context.keys.jobLog(log.hash, log.attempt), JSON.stringify(redacted(log)), {
				contentType: 'application/json',
			})
			.then(() => undefined)
			.catch((error: unknown) => {
				this.events.emit('job-log-failed', {...fields, error: errorText(error)});
			})
			.finally(() => this.writes.delete(write));
		this.writes.add(write);
	}

	/** Resolves once every log written so far has landed (or failed). */
	async flush(): Promise<void> {
		await Promise.all(this.writes);
	}
}
