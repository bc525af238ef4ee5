/**
Claim a queued job for a worker.

Requests, in order:
1. PUT    queue/processing/<hash>         If-None-Match: *  → 412: leased (or an ended lease not yet
          swept by the janitor); return 'taken'
2. GET    queue/todo/<priority>/<hash>; then, unless it is the first attempt of an ingested job
   (which cannot have a result: ingest skips done jobs),
   HEAD   store/out/<hash>.zip                              → a result exists: DELETE the todo entry, PUT the
          lease If-Match ending: done, return 'already-done' (never convert twice).
          Todo entry missing: the job left the queue after the
          listing; DELETE the lease, return 'gone'. An entry marked movedTo (a reprioritize that was
          interrupted): PUT the entry at its new priority (create-only), DELETE the old one and the
          lease, return 'gone'.
The todo entry stays until the attempt ends (complete, fail): whatever happens to the lease,
the job stays findable, so a lost or wrongly deleted lease can never lose a job.

Crash after 1: the lease goes stale and the janitor recovers it (counted as an attempt).
*/
import {randomBytes} from 'node:crypto';
import {isNotModified} from '../../storage/object-store.js';
import {isStoreError} from '../../storage/store-error.js';
import type {Priority} from '../keys.js';
import type {QueueContext} from '../queue-context.js';
import {type HeldLease, writeLeaseIfMatch} from './lease-write.js';
import {nextSeq, parseTodoEntry, serializeTodoEntry, type Lease, type TodoEntry} from '../records.js';

/** Completes a reprioritize: the entry at its new priority (create-only: it may exist), then the old one goes. */
export async function finishMove(context: QueueContext, old: TodoEntry): Promise<void> {
	const {movedTo, ...rest} = old;
	if (!movedTo) return;
	const moved: TodoEntry = {...rest, priority: movedTo};
	try {
		await context.store.put(context.keys.todo(movedTo, old.hash), serializeTodoEntry(moved), {
			condition: {kind: 'create-only'},
			contentType: 'application/json',
		});
	} catch (error) {
		if (!isStoreError(error, 'precondition-failed')) throw error;
	}
	await context.store.delete(context.keys.todo(old.priority, old.hash));
}

/** A lease this worker holds: the body it last wrote and that body's ETag (its fencing token). */

export type ClaimOutcome =
	| {kind: 'claimed'; held: HeldLease}
	| {kind: 'taken'}
	| {kind: 'gone'}
	| {kind: 'already-done'};

export async function claim(
	context: QueueContext,
	worker: string,
	candidate: {hash: string; priority: Priority},
): Promise<ClaimOutcome> {
	const {store, keys} = context;
	const now = await store.serverTime();
	const lease: Lease = {
		version: 1,
		hash: candidate.hash,
		seq: 0,
		worker,
		priority: candidate.priority,
		attempt: 0,
		nonce: randomBytes(8).toString('hex'),
		counter: 0,
		claimedAt: now,
		progress: {stage: 'claimed'},
	};
	let etag: string;
	try {
		({etag} = await store.put(keys.lease(candidate.hash), JSON.stringify(lease), {
			condition: {kind: 'create-only'},
			contentType: 'application/json',
		}));
	} catch (error) {
		if (isStoreError(error, 'precondition-failed')) return {kind: 'taken'};
		throw error;
	}
	const got = await store.get(keys.todo(candidate.priority, candidate.hash));
	if (!got || isNotModified(got)) {
		await store.delete(keys.lease(candidate.hash));
		return {kind: 'gone'};
	}
	const parsed = parseTodoEntry(got.body, candidate.hash, candidate.priority);
	// A first attempt of a job this version ingested cannot have a result (ingest skips done jobs):
	// no HEAD. Any other entry may follow an attempt that stored its result and died before ending.
	const fresh = parsed.ok && parsed.value.seq > 0 && parsed.value.attempts === 0 && parsed.value.reason === 'ingest';
	const result = fresh ? undefined : await store.head(keys.result(candidate.hash));
	if (result) {
		// Content-addressed: the result of an earlier attempt (or an earlier ingest) stands. Finish without converting.
		const attempts = parsed.ok ? parsed.value.attempts : 0;
		await store.delete(keys.todo(candidate.priority, candidate.hash));
		const done: Lease = {
			...lease,
			attempt: attempts + 1,
			counter: 1,
			ending: 'done',
			endedAt: now,
			seq: nextSeq(nextSeq(parsed.ok ? parsed.value.seq : 0, now), now),
			attemptsAfter: attempts,
		};
		await writeLeaseIfMatch(context, done, etag);
		return {kind: 'already-done'};
	}
	if (parsed.ok && parsed.value.movedTo) {
		// An interrupted reprioritize: finish the move, and let the claimer find the new entry.
		await finishMove(context, parsed.value);
		await store.delete(keys.lease(candidate.hash));
		return {kind: 'gone'};
	}
	// A malformed entry is still a queued job: run it as a first attempt rather than lose it.
	const todo: TodoEntry = parsed.ok
		? parsed.value
		: {
				version: 1,
				hash: candidate.hash,
				seq: 0,
				priority: candidate.priority,
				attempts: 0,
				queuedAt: got.lastModified,
				reason: 'ingest',
			};
	// The lease body on the server still says attempt 0; the first heartbeat (or ending) writes these.
	lease.attempt = todo.attempts + 1;
	lease.seq = nextSeq(todo.seq, now);
	if (todo.name !== undefined) lease.name = todo.name;
	if (todo.size !== undefined) lease.size = todo.size;
	return {kind: 'claimed', held: {lease, etag, todo}};
}
