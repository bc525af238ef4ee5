/**
Recovers a stale lease (no write for stale_timeout by the server's clock, or a `completing` fence
left stale): the holder is gone, and the job goes on without it.

Requests:
1. GET  queue/todo/<p>/<h>            the attempt count (if the lease never heartbeated) and the history
2. HEAD store/out/<h>.zip             exists → DELETE todo, PUT lease If-Match ending: done
3. otherwise, within the retry budget: PUT todo/<p>/<h> (attempt counted), PUT lease If-Match
   ending: requeued; past it: PUT lease If-Match ending: dead, PUT dead/<h>, DELETE todo.
The If-Match is the fence: 412 means the holder renewed it a moment ago; it is left alone.
*/
import {isNotModified, type ListEntry} from '../../storage/object-store.js';
import {failureRecordOf, writeFailureRecord} from '../failure-records.js';
import type {JanitorReport} from '../janitor-report.js';
import type {QueueContext} from '../queue-context.js';
import {
	nextSeq,
	parseTodoEntry,
	serializeTodoEntry,
	type AttemptFailure,
	type Lease,
	type QueueReason,
	type TodoEntry,
} from '../records.js';
import {writeLeaseIfMatch} from './lease-write.js';

/** A lease as a janitor pass listed and read it. */
export type SeenLease = {entry: ListEntry; lease: Lease; etag: string};

export async function recoverLease(
	context: QueueContext,
	seen: SeenLease,
	reason: QueueReason,
	report: JanitorReport,
): Promise<SeenLease | undefined> {
	const {store, keys} = context;
	const {lease} = seen;
	const hash = lease.hash;
	const todoKey = keys.todo(lease.priority, hash);
	const now = await store.serverTime();
	// The todo entry is still there (it lives until the attempt ends): it has the attempt count of a
	// lease that never heartbeated, and the history of earlier failures that the requeue carries on.
	const got = await store.get(todoKey);
	const parsed = got && !isNotModified(got) ? parseTodoEntry(got.body, hash, lease.priority) : undefined;
	const todo: TodoEntry | undefined = parsed?.ok ? parsed.value : undefined;
	const attempt = lease.attempt || (todo?.attempts ?? 0) + 1;
	const base: Lease = {
		...lease,
		attempt,
		counter: lease.counter + 1,
		endedAt: now,
		seq: nextSeq(Math.max(lease.seq, todo?.seq ?? 0), now),
		...(todo?.name === undefined ? {} : {name: todo.name}),
		...(todo?.size === undefined ? {} : {size: todo.size}),
	};
	const end = async (changes: Partial<Lease>): Promise<SeenLease | undefined> => {
		const next = {...base, ...changes};
		const etag = await writeLeaseIfMatch(context, next, seen.etag);
		return etag === undefined ? undefined : {entry: seen.entry, lease: next, etag};
	};
	if (await store.head(keys.result(hash))) {
		await store.delete(todoKey);
		const done = await end({ending: 'done', attemptsAfter: attempt - 1});
		if (done) report.finishedDone++;
		return done;
	}
	const error =
		reason === 'worker-restart'
			? `worker ${lease.worker} restarted while the job was running`
			: `lease not renewed for ${context.config().stale_timeout_minutes} min (worker ${lease.worker})`;
	const failure: AttemptFailure = {attempt, worker: lease.worker, error, at: now, permanent: false};
	if (attempt > context.config().max_retries) {
		const dead = await end({ending: 'dead', failure, attemptsAfter: attempt});
		if (!dead) return undefined;
		await writeFailureRecord(context, 'dead', failureRecordOf(dead.lease, todo?.history ?? []));
		await store.delete(todoKey);
		report.deadLettered++;
		return dead;
	}
	// The todo entry first: if the fence then fails (the holder renewed), at worst one attempt is over-counted.
	const entry: TodoEntry = {
		version: 1,
		hash,
		seq: base.seq,
		priority: lease.priority,
		attempts: attempt,
		queuedAt: now,
		reason,
		lastError: error,
		history: [...(todo?.history ?? []), failure].slice(-20),
		...(base.name === undefined ? {} : {name: base.name}),
		...(base.size === undefined ? {} : {size: base.size}),
	};
	await store.put(todoKey, serializeTodoEntry(entry), {contentType: 'application/json'});
	const requeued = await end({ending: 'requeued', failure, attemptsAfter: attempt});
	if (requeued) report.staleRecovered++;
	return requeued;
}
