/**
The failed and dead records, queue/failed/<hash> and queue/dead/<hash>: what an ended attempt
stands for, built from its lease and written here only (finish, stale-lease recovery, roll-forward
and cancel all write them through this file). Request: one PUT.
*/
import type {QueueContext} from './queue-context.js';
import type {AttemptFailure, FailureRecord, Lease} from './records.js';

/** The failed or dead record an ended lease stands for; the janitor rebuilds it from the lease after a crash. */
export function failureRecordOf(lease: Lease, history: AttemptFailure[]): FailureRecord {
	return {
		version: 1,
		hash: lease.hash,
		seq: lease.seq,
		priority: lease.priority,
		...(lease.name === undefined ? {} : {name: lease.name}),
		...(lease.size === undefined ? {} : {size: lease.size}),
		attempts: lease.attemptsAfter ?? lease.attempt,
		reason:
			lease.ending === 'cancelled'
				? 'cancelled'
				: lease.ending === 'failed'
					? 'failed'
					: lease.failure?.permanent
						? 'permanent'
						: 'max-retries',
		...(lease.retryAt === undefined ? {} : {retryAt: lease.retryAt}),
		history: [...history, ...(lease.failure ? [lease.failure] : [])].slice(-20),
	};
}

/** Writes the record of a failed job (waiting for its retry) or a dead one (waiting for an operator). */
export async function writeFailureRecord(
	context: QueueContext,
	state: 'failed' | 'dead',
	record: FailureRecord,
): Promise<void> {
	const key = state === 'failed' ? context.keys.failed(record.hash) : context.keys.dead(record.hash);
	await context.store.put(key, JSON.stringify(record), {contentType: 'application/json'});
}
