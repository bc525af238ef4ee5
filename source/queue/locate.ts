/**
Every record of one job, read at once: what `status`, the console's detail view and the admin
transitions start from.

Requests (in parallel): GET lease, HEAD result, GET dead, GET failed, GET todo at each of the
five priorities, HEAD raw: ten requests, one round trip.
*/
import {isNotModified, type ObjectInfo} from '../storage/object-store.js';
import {priorities} from './keys.js';
import type {QueueContext} from './queue-context.js';
import {
	parseFailureRecord,
	parseLease,
	parseTodoEntry,
	type FailureRecord,
	type JobState,
	type Lease,
	type TodoEntry,
} from './records.js';

export type JobRecords = {
	hash: string;
	lease?: {lease: Lease; etag: string; lastModified: number};
	todo: Array<{entry: TodoEntry; etag: string; lastModified: number}>;
	failed?: FailureRecord;
	dead?: FailureRecord;
	result?: ObjectInfo;
	raw?: ObjectInfo;
	/** Records that exist but could not be read. */
	problems: string[];
	/** The job's state by the same precedence as listJobStates; 'raw-only' when only its PDF exists. */
	state: JobState | 'raw-only' | 'unknown';
};

export function isActiveLease(lease: Lease | undefined): boolean {
	return lease !== undefined && (lease.ending === undefined || lease.ending === 'completing');
}

export async function locateJob(context: QueueContext, hash: string): Promise<JobRecords> {
	const {store, keys} = context;
	const [lease, result, dead, failed, raw, ...todos] = await Promise.all([
		store.get(keys.lease(hash)),
		store.head(keys.result(hash)),
		store.get(keys.dead(hash)),
		store.get(keys.failed(hash)),
		store.head(keys.raw(hash)),
		...priorities.map(async p => store.get(keys.todo(p, hash))),
	]);
	const records: JobRecords = {hash, todo: [], problems: [], state: 'unknown'};
	if (lease && !isNotModified(lease)) {
		const parsed = parseLease(lease.body, hash);
		if (parsed.ok) records.lease = {lease: parsed.value, etag: lease.etag, lastModified: lease.lastModified};
		else records.problems.push(`${keys.lease(hash)}: ${parsed.reason}`);
	}
	for (const [key, got, slot] of [
		[keys.dead(hash), dead, 'dead'],
		[keys.failed(hash), failed, 'failed'],
	] as const) {
		if (!got || isNotModified(got)) continue;
		const parsed = parseFailureRecord(got.body, hash);
		if (parsed.ok) records[slot] = parsed.value;
		else records.problems.push(`${key}: ${parsed.reason}`);
	}
	// A malformed todo entry still queues its job (listings and claims go by its key).
	let queuedMalformed = false;
	todos.forEach((got, index) => {
		if (!got || isNotModified(got)) return;
		queuedMalformed = true;
		const priority = priorities[index]!;
		const parsed = parseTodoEntry(got.body, hash, priority);
		if (parsed.ok) records.todo.push({entry: parsed.value, etag: got.etag, lastModified: got.lastModified});
		else records.problems.push(`${keys.todo(priority, hash)}: ${parsed.reason}`);
	});
	if (result) records.result = result;
	if (raw) records.raw = raw;
	const ending = records.lease?.lease.ending;
	records.state = records.lease
		? isActiveLease(records.lease.lease)
			? 'processing'
			: ending === 'requeued'
				? 'todo'
				: ending === 'cancelled'
					? 'dead'
					: (ending as JobState)
		: result
			? 'done'
			: records.dead
				? 'dead'
				: records.failed
					? 'failed'
					: records.todo.length > 0 || queuedMalformed
						? 'todo'
						: raw
							? 'raw-only'
							: 'unknown';
	return records;
}
