/**
Requeues a failed job whose backoff has passed: GET queue/failed/<h>; retryAt passed and no lease
left → PUT todo/<p>/<h>. The janitor then journals all the pass's requeues in one append and
DELETEs their failed records (a crash between leaves the job queued and failed; the next pass
writes the same todo entry again and finishes).
*/
import {isNotModified, type ListEntry} from '../../storage/object-store.js';
import type {JanitorReport} from '../janitor-report.js';
import type {QueueContext} from '../queue-context.js';
import {nextSeq, parseFailureRecord, serializeTodoEntry, type TodoEntry} from '../records.js';

/** Writes the todo entry of a failed job whose backoff passed; the caller journals and deletes the failed record. */
export async function requeueFailed(
	context: QueueContext,
	listed: ListEntry,
	now: number,
	leased: ReadonlySet<string>,
	report: JanitorReport,
	dryRun = false,
): Promise<{entry: TodoEntry; failedKey: string} | undefined> {
	const {store, keys} = context;
	const hash = keys.hashOf(listed.key);
	if (!hash) {
		report.malformed.push({key: listed.key, reason: 'not a job hash'});
		return;
	}
	// Its last attempt's lease is still waiting to be folded: requeue on the next pass.
	if (leased.has(hash)) return;
	const got = await store.get(listed.key);
	if (!got || isNotModified(got)) return;
	const parsed = parseFailureRecord(got.body, hash);
	if (!parsed.ok) {
		report.malformed.push({key: listed.key, reason: parsed.reason});
		return;
	}
	const record = parsed.value;
	if (record.retryAt !== undefined && record.retryAt > now) return;
	if (dryRun) {
		report.failedRequeued++;
		return;
	}
	const entry: TodoEntry = {
		version: 1,
		hash,
		seq: nextSeq(record.seq, now),
		priority: record.priority,
		attempts: record.attempts,
		queuedAt: now,
		reason: 'retry',
		lastError: record.history.at(-1)?.error,
		history: record.history,
		...(record.name === undefined ? {} : {name: record.name}),
		...(record.size === undefined ? {} : {size: record.size}),
	};
	await store.put(keys.todo(record.priority, hash), serializeTodoEntry(entry), {contentType: 'application/json'});
	report.failedRequeued++;
	return {entry, failedKey: listed.key};
}
