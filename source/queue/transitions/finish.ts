/**
End an attempt: complete it, fail it, or hand it back (shutdown).

complete — requests, in order:
1. PUT    queue/processing/<hash>        If-Match   ending: completing (the fence: 412 → GET it; still this
          attempt's nonce and not ended → adopt and PUT again (lease-write.ts); else lost, write nothing)
2. PUT    store/out/<hash>.zip           If-None-Match: *, metadata `attempt` = the lease's nonce
          412 → HEAD it: this attempt's (an answer lost and the PUT retried) → go on; another's →
          PUT the lease If-Match again (still the holder?) · PUT the result If-Match its ETag
          (replace it; 412 or gone → start step 2 again, three rounds at most)
3. PUT    queue/processing/<hash>        If-Match   ending: done (the read model's completion event)
          412 → lost after writing: GET the lease (missing: HEAD its todo entries and dead record);
          unless the job is done (the janitor found this result and committed it), HEAD the result
          and DELETE it when it is still this attempt's (a cancel holds; a listing agrees with the queue)
4. DELETE queue/todo/<priority>/<hash>   only when asked (`dropTodo`: the worker's windows find
          more than a fifth of the queued jobs in flight, as in a drain). Free on AWS, and it keeps the
          todo folder down to the jobs not yet done, so the last claimable jobs are on the page a
          worker lists instead of among thousands of done ones.
Otherwise the todo entry is left for the janitor, which deletes it with the ended lease in one
DeleteObjects (1,000 keys a request, free on AWS), a request per job saved: until then the ended
lease makes every claim of it a 412, and every reader takes the job for done (an ended lease
outranks a todo entry).
Crash after 1 or 2: the lease goes stale; the janitor finds the result (done) or not (requeue).

Why a foreign result is replaced: S3 cannot tie a PUT of one key to the ETag of another, so a holder
paused between its fence and its result PUT (SIGSTOP, a stalled network) can land its create-only
result after its lease was recovered. The live holder (it renewed its fence after seeing the result)
then replaces it, and the late writer, whose step 3 fails, withdraws it.

fail — requests, in order:
1. PUT    queue/processing/<hash>        If-Match   ending: failed or dead, with the failure (the fence and the event)
2. PUT    queue/failed/<hash>  or  queue/dead/<hash>   with the attempt history
3. DELETE queue/todo/<priority>/<hash>
Crash after 1: the janitor rolls 2 and 3 forward from the lease.
A permanent failure (encrypted or invalid PDF) or the last allowed attempt goes to dead;
otherwise failed, with retryAt = now + retry_backoff · 2^(attempt−1), requeued by the janitor.

requeue (graceful shutdown) — requests:
1. PUT    queue/processing/<hash>        If-Match   ending: requeued (the fence)
2. PUT    queue/todo/<priority>/<hash>   the entry (still there, attempts unchanged) with the new seq
3. DELETE queue/processing/<hash>        the job is claimable again at once (a fleet restarted by
          its operator would otherwise wait for the janitor). Safe: after the fence nobody else
          writes this lease, and readers that miss the ended lease see the job as it was, queued.
4. PUT    queue/signal.json              naming the job (and urgent.json for a critical or high one)
Crash after 1: the janitor sweeps the ended lease.

Other ended leases stay until the janitor folds them into the snapshot and deletes them.
*/
import {isStoreError} from '../../storage/store-error.js';
import {touchClaimable} from '../claimable-touch.js';
import type {QueueContext} from '../queue-context.js';
import {isNotModified} from '../../storage/object-store.js';
import {priorities} from '../keys.js';
import {
	nextSeq,
	parseLease,
	serializeTodoEntry,
	type AttemptFailure,
	type FailureRecord,
	type RemoteConfig,
} from '../records.js';
import {failureRecordOf, writeFailureRecord} from '../failure-records.js';
import {type HeldLease, writeHeldLease} from './lease-write.js';

/** How long after attempt `attempt` failed its job is due for a retry: retry_backoff, doubling per attempt. */
export function retryBackoffMs(config: Pick<RemoteConfig, 'retry_backoff'>, attempt: number): number {
	return config.retry_backoff * 1000 * 2 ** (attempt - 1);
}

export type CompleteOutcome =
	/** `replaced`: a result of another attempt (one that had lost its lease, or an earlier conversion) was there. */
	{kind: 'completed'; replaced: boolean} | {kind: 'lost'};

export type CompleteOptions = {
	/** Delete the todo entry once the job is done instead of leaving it for the janitor (step 4 above). */
	dropTodo?: boolean;
};

export async function complete(
	context: QueueContext,
	held: HeldLease,
	result: Uint8Array,
	options: CompleteOptions = {},
): Promise<CompleteOutcome> {
	if (
		!(await writeHeldLease(context, held, {
			ending: 'completing',
			progress: {...held.lease.progress, stage: 'uploading'},
		}))
	)
		return {kind: 'lost'};
	const written = await writeResult(context, held, result);
	if (written === 'lost') return {kind: 'lost'};
	const now = await context.store.serverTime();
	if (
		!(await writeHeldLease(context, held, {
			ending: 'done',
			endedAt: now,
			seq: nextSeq(held.lease.seq, now),
			attemptsAfter: held.lease.attempt - 1,
		}))
	) {
		await withdrawResult(context, held);
		return {kind: 'lost'};
	}
	// The job is done whatever this DELETE meets: a failure leaves the entry for the janitor, as without it.
	if (options.dropTodo)
		await context.store.delete(context.keys.todo(held.todo.priority, held.lease.hash)).catch(() => undefined);
	return {kind: 'completed', replaced: written === 'replaced'};
}

/** Step 2 of complete: this attempt's result in place, or 'lost' when renewing the fence failed. */
async function writeResult(
	context: QueueContext,
	held: HeldLease,
	result: Uint8Array,
): Promise<'written' | 'replaced' | 'lost'> {
	const key = context.keys.result(held.lease.hash);
	const options = {contentType: 'application/zip', metadata: {attempt: held.lease.nonce}};
	let replaced = false;
	for (let round = 0; ; round++) {
		if (round > 2) throw new Error(`${key} keeps changing under a fenced holder`);
		try {
			await context.store.put(key, result, {...options, condition: {kind: 'create-only'}});
			return replaced ? 'replaced' : 'written';
		} catch (error) {
			if (!isStoreError(error, 'precondition-failed')) throw error;
		}
		const there = await context.store.head(key);
		if (there?.metadata['attempt'] === held.lease.nonce) return replaced ? 'replaced' : 'written';
		if (!there) continue;
		// Renewing the fence proves this attempt still holds the job now, after the result was seen.
		if (!(await writeHeldLease(context, held, {}))) return 'lost';
		replaced = true;
		try {
			await context.store.put(key, result, {...options, condition: {kind: 'if-match', etag: there.etag}});
			return 'replaced';
		} catch (error) {
			if (!isStoreError(error, 'precondition-failed') && !isStoreError(error, 'not-found')) throw error;
		}
	}
}

/**
After a lost step 3: the result this attempt wrote goes again unless the job was committed as done
meanwhile (by the janitor, which found it). Left behind, it would make the job look done to a full
listing while the queue holds it as queued, failed or dead. A lease swept already is told apart by
the job's other records: a todo entry or a dead record means it was not done.
*/
async function withdrawResult(context: QueueContext, held: HeldLease): Promise<void> {
	const {store, keys} = context;
	const hash = held.lease.hash;
	const got = await store.get(keys.lease(hash));
	if (got && !isNotModified(got)) {
		const lease = parseLease(got.body, hash);
		if (!lease.ok || lease.value.ending === 'done') return;
	} else {
		// Any priority: an operator may have moved the job since this attempt claimed it.
		const others = await Promise.all(
			[keys.dead(hash), ...priorities.map(p => keys.todo(p, hash))].map(async k => store.head(k)),
		);
		if (!others.some(Boolean)) return;
	}
	const key = keys.result(hash);
	if ((await store.head(key))?.metadata['attempt'] === held.lease.nonce) await store.delete(key);
}

export type FailOutcome =
	| {kind: 'failed'; retryAt: number; record: FailureRecord}
	| {kind: 'dead'; record: FailureRecord}
	| {kind: 'lost'};

export async function fail(
	context: QueueContext,
	held: HeldLease,
	failure: {error: string; permanent: boolean; log?: string},
): Promise<FailOutcome> {
	const now = await context.store.serverTime();
	const config = context.config();
	const attempt = held.lease.attempt;
	const isDead = failure.permanent || attempt > config.max_retries;
	const entry: AttemptFailure = {
		attempt,
		worker: held.lease.worker,
		error: failure.error,
		at: now,
		permanent: failure.permanent,
		...(failure.log ? {log: failure.log} : {}),
	};
	const retryAt = isDead ? undefined : now + retryBackoffMs(config, attempt);
	const ending = {
		ending: isDead ? ('dead' as const) : ('failed' as const),
		endedAt: now,
		seq: nextSeq(held.lease.seq, now),
		failure: entry,
		attemptsAfter: attempt,
		...(retryAt === undefined ? {} : {retryAt}),
	};
	if (!(await writeHeldLease(context, held, ending))) return {kind: 'lost'};
	const record = failureRecordOf(held.lease, held.todo.history ?? []);
	await writeFailureRecord(context, isDead ? 'dead' : 'failed', record);
	await context.store.delete(context.keys.todo(held.todo.priority, held.lease.hash));
	return isDead ? {kind: 'dead', record} : {kind: 'failed', retryAt: retryAt!, record};
}

/** Hands the job back without counting an attempt (graceful shutdown). */
export async function requeue(context: QueueContext, held: HeldLease): Promise<{kind: 'requeued'} | {kind: 'lost'}> {
	const now = await context.store.serverTime();
	const seq = nextSeq(held.lease.seq, now);
	// A clean hand-back is no failure: nothing for a console's LAST ERROR (the worker's log says why).
	if (
		!(await writeHeldLease(context, held, {
			ending: 'requeued',
			endedAt: now,
			seq,
			attemptsAfter: held.lease.attempt - 1,
		}))
	)
		return {kind: 'lost'};
	// The entry carries the new seq, so the next attempt's events outrank this one.
	await context.store.put(
		context.keys.todo(held.todo.priority, held.lease.hash),
		serializeTodoEntry({...held.todo, seq, reason: 'shutdown'}),
		{contentType: 'application/json'},
	);
	await context.store.delete(context.keys.lease(held.lease.hash));
	// Claimable now: idle workers would otherwise find it only at their five-minute listing.
	await touchClaimable(context, {requeued: 1}, [{hash: held.lease.hash, priority: held.todo.priority}]);
	return {kind: 'requeued'};
}
