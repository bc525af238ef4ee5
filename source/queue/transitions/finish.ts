/**
End an attempt: complete it with a result, or fail it (retry later, or dead-letter).

complete — requests, in order:
1. PUT    queue/processing/<hash>        If-Match: <lease ETag>   the fence: → 412: lost, write nothing
2. PUT    store/out/<hash>.zip           If-None-Match: *         → 412: a result exists already (content-
          addressed, so an earlier attempt's result is as good as ours)
3. DELETE queue/todo/<priority>/<hash>   only when no heartbeat deleted it yet
4. DELETE queue/processing/<hash>
Crash after 1: the lease goes stale; the janitor finds the result (or not) and finishes the job.

fail — requests, in order:
1. PUT    queue/processing/<hash>        If-Match: <lease ETag>   the fence
2. PUT    queue/failed/<hash>  or  queue/dead/<hash>              with the attempt history
3. DELETE queue/todo/<priority>/<hash>   only when no heartbeat deleted it yet
4. DELETE queue/processing/<hash>
A permanent failure (encrypted or invalid PDF) or the last allowed attempt goes to dead;
otherwise failed, with `retryAt` = now + retry_backoff · 2^(attempt−1), requeued by the janitor.
*/
import {isStoreError} from '../../storage/store-error.js';
import type {QueueContext} from '../queue-context.js';
import type {AttemptFailure, FailureRecord} from '../records.js';
import type {HeldLease} from './claim.js';
import {writeHeldLease} from './lease-write.js';

async function release(context: QueueContext, held: HeldLease): Promise<void> {
	if (held.todoStillQueued) {
		await context.store.delete(context.keys.todo(held.todo.priority, held.lease.hash));
		held.todoStillQueued = false;
	}
	await context.store.delete(context.keys.lease(held.lease.hash));
}

export async function complete(context: QueueContext, held: HeldLease, result: Uint8Array): Promise<{kind: 'completed'; resultExisted: boolean} | {kind: 'lost'}> {
	if (!(await writeHeldLease(context, held, {ending: 'completing'}))) return {kind: 'lost'};
	let resultExisted = false;
	try {
		await context.store.put(context.keys.result(held.lease.hash), result, {condition: {kind: 'create-only'}, contentType: 'application/zip'});
	} catch (error) {
		if (!isStoreError(error, 'precondition-failed')) throw error;
		resultExisted = true;
	}
	await release(context, held);
	return {kind: 'completed', resultExisted};
}

export type FailOutcome = {kind: 'failed'; retryAt: number; record: FailureRecord} | {kind: 'dead'; record: FailureRecord} | {kind: 'lost'};

export async function fail(context: QueueContext, held: HeldLease, failure: {error: string; permanent: boolean; log?: string}): Promise<FailOutcome> {
	if (!(await writeHeldLease(context, held, {ending: 'failing'}))) return {kind: 'lost'};
	const now = await context.store.serverTime();
	const config = context.config();
	const attempt = held.lease.attempt;
	const entry: AttemptFailure = {attempt, worker: held.lease.worker, error: failure.error, at: now, permanent: failure.permanent, ...(failure.log ? {log: failure.log} : {})};
	// Earlier attempts' failures travel with the job in its todo entry (see janitor requeue).
	const history = held.todo.history ?? [];
	const isDead = failure.permanent || attempt > config.max_retries;
	const record: FailureRecord = {
		version: 1,
		hash: held.lease.hash,
		priority: held.lease.priority,
		attempts: attempt,
		reason: failure.permanent ? 'permanent' : isDead ? 'max-retries' : 'failed',
		history: [...history, entry].slice(-20),
	};
	if (!isDead) record.retryAt = now + config.retry_backoff * 1000 * 2 ** (attempt - 1);
	await context.store.put(isDead ? context.keys.dead(held.lease.hash) : context.keys.failed(held.lease.hash), JSON.stringify(record), {contentType: 'application/json'});
	await release(context, held);
	return isDead ? {kind: 'dead', record} : {kind: 'failed', retryAt: record.retryAt!, record};
}
