/**
The janitor: recovers stale leases and requeues failed jobs whose backoff has passed. Any
process may run it (`blobforge janitor`, workers between jobs); every step is safe to repeat.

recover a stale lease — requests, in order:
1. GET    queue/processing/<hash>                     (skip when its ETag moved since the listing: alive)
2. PUT    queue/processing/<hash>   If-Match: <ETag>   the fence: → 412: the holder just renewed it; skip.
          After this the old holder's next heartbeat or completion fails with 412 and writes nothing.
3. HEAD   store/out/<hash>.zip                         a result exists: the job is done; go to 5
4. PUT    queue/todo/<priority>/<hash>  or  queue/dead/<hash>   the attempt counts as failed
5. DELETE queue/todo/<priority>/<hash> (when finishing a done job), DELETE queue/processing/<hash>

requeue a failed job — requests:
1. GET    queue/failed/<hash>        (malformed: reported, left in place)
2. PUT    queue/todo/<priority>/<hash>   with attempts and history, when retryAt has passed
3. DELETE queue/failed/<hash>

Staleness is judged by the storage server's clock: lease last-modified against serverTime(),
never a worker's clock.
*/
import {collectAll, isNotModified, type ListEntry} from '../storage/object-store.js';
import {isStoreError} from '../storage/store-error.js';
import type {QueueContext} from './queue-context.js';
import {parseFailureRecord, parseLease, parseTodoEntry, serializeTodoEntry, type FailureRecord, type Lease, type QueueReason, type TodoEntry} from './records.js';

export type JanitorReport = {
	staleRecovered: number;
	finishedDone: number;
	deadLettered: number;
	failedRequeued: number;
	/** Objects that could not be read, with the reason: reported, left in place. */
	malformed: Array<{key: string; reason: string}>;
};

export function emptyReport(): JanitorReport {
	return {staleRecovered: 0, finishedDone: 0, deadLettered: 0, failedRequeued: 0, malformed: []};
}

export async function runJanitor(context: QueueContext, options: {dryRun?: boolean} = {}): Promise<JanitorReport> {
	const report = emptyReport();
	const now = await context.store.serverTime();
	const staleAfterMs = context.config().stale_timeout_minutes * 60_000;
	for (const entry of await collectAll(context.store, context.keys.leaseFolder())) {
		if (now - entry.lastModified <= staleAfterMs) continue;
		// eslint-disable-next-line no-await-in-loop
		await recoverLease(context, entry, 'stale-lease', report, options.dryRun);
	}
	for (const entry of await collectAll(context.store, context.keys.failedFolder())) {
		// eslint-disable-next-line no-await-in-loop
		await requeueFailed(context, entry, now, report, options.dryRun);
	}
	return report;
}

/**
A worker's start-up recovery of leases its earlier process left behind (after kill -9).
Only leases not renewed for two heartbeat intervals are taken, so a live twin with the same
worker id keeps its jobs.
*/
export async function recoverOwnLeases(context: QueueContext, worker: string): Promise<JanitorReport> {
	const report = emptyReport();
	const now = await context.store.serverTime();
	const quietMs = 2 * context.config().heartbeat_interval * 1000;
	for (const entry of await collectAll(context.store, context.keys.leaseFolder())) {
		if (now - entry.lastModified <= quietMs) continue;
		// eslint-disable-next-line no-await-in-loop
		const got = await context.store.get(entry.key);
		if (!got || isNotModified(got)) continue;
		const hash = context.keys.hashOf(entry.key);
		const parsed = hash ? parseLease(got.body, hash) : undefined;
		if (!parsed?.ok || parsed.value.worker !== worker) continue;
		// eslint-disable-next-line no-await-in-loop
		await recoverLease(context, {...entry, etag: got.etag}, 'worker-restart', report);
	}
	return report;
}

export async function recoverLease(context: QueueContext, listed: ListEntry, reason: QueueReason, report: JanitorReport, dryRun = false): Promise<void> {
	const {store, keys} = context;
	const hash = keys.hashOf(listed.key);
	if (!hash) {
		report.malformed.push({key: listed.key, reason: 'not a job hash'});
		return;
	}
	const got = await store.get(listed.key);
	if (!got || isNotModified(got) || got.etag !== listed.etag) return; // gone or renewed since the listing
	const parsed = parseLease(got.body, hash);
	if (!parsed.ok) report.malformed.push({key: listed.key, reason: parsed.reason});
	const lease: Lease = parsed.ok ? parsed.value : {version: 1, hash, worker: 'unknown', priority: 'normal', attempt: 0, nonce: 'malformed', counter: 0, claimedAt: got.lastModified};
	if (dryRun) {
		report.staleRecovered++;
		return;
	}
	try {
		await store.put(listed.key, JSON.stringify({...lease, counter: lease.counter + 1, recoveredBy: reason}), {condition: {kind: 'if-match', etag: got.etag}, contentType: 'application/json'});
	} catch (error) {
		if (isStoreError(error, 'precondition-failed')) return; // renewed meanwhile: alive
		throw error;
	}
	const todoKey = keys.todo(lease.priority, hash);
	if (await store.head(keys.result(hash))) {
		await store.delete(todoKey);
		await store.delete(listed.key);
		report.finishedDone++;
		return;
	}
	// The todo entry is still there when the holder died before its first heartbeat.
	const todoObject = await store.get(todoKey);
	const parsedTodo = todoObject && !isNotModified(todoObject) ? parseTodoEntry(todoObject.body, hash, lease.priority) : undefined;
	const todo: TodoEntry | undefined = parsedTodo?.ok ? parsedTodo.value : undefined;
	const attempts = Math.max(lease.attempt, (todo?.attempts ?? 0) + 1);
	const now = await store.serverTime();
	const error = reason === 'worker-restart' ? `worker ${lease.worker} restarted while the job was running` : `lease not renewed for ${context.config().stale_timeout_minutes} min (worker ${lease.worker})`;
	const history = [...(todo?.history ?? []), {attempt: attempts, worker: lease.worker, error, at: now, permanent: false}].slice(-20);
	if (attempts > context.config().max_retries) {
		const record: FailureRecord = {version: 1, hash, priority: lease.priority, attempts, reason: 'max-retries', history};
		await store.put(keys.dead(hash), JSON.stringify(record), {contentType: 'application/json'});
		if (todo) await store.delete(todoKey);
		report.deadLettered++;
	} else {
		const entry: TodoEntry = {version: 1, hash, priority: lease.priority, attempts, queuedAt: now, reason, lastError: error, history};
		await store.put(todoKey, serializeTodoEntry(entry), {contentType: 'application/json'});
		report.staleRecovered++;
	}
	await store.delete(listed.key);
}

async function requeueFailed(context: QueueContext, listed: ListEntry, now: number, report: JanitorReport, dryRun = false): Promise<void> {
	const {store, keys} = context;
	const hash = keys.hashOf(listed.key);
	const got = await store.get(listed.key);
	if (!hash || !got || isNotModified(got)) return;
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
	const entry: TodoEntry = {version: 1, hash, priority: record.priority, attempts: record.attempts, queuedAt: now, reason: 'retry', lastError: record.history.at(-1)?.error, history: record.history};
	await store.put(keys.todo(record.priority, hash), serializeTodoEntry(entry), {contentType: 'application/json'});
	await store.delete(listed.key);
	report.failedRequeued++;
}
