/**
A restarted worker resumes a lease its earlier process held (it remembers the hashes on its own
disk: worker/held-jobs.ts), instead of waiting for the janitor to find it stale and requeue it.

Requests:
1. GET  queue/processing/<hash>     missing, ended, another worker's, or written within two
                                    heartbeat intervals (a live twin with the same id) → leave it;
                                    the last check is skipped when the earlier process is known
                                    dead (it ran on this host, its pid is gone)
2. GET  queue/todo/<p>/<hash>       the entry the attempt runs for (missing → leave the lease to the janitor)
3. PUT  queue/processing/<hash>     If-Match: a new nonce, this process the holder → 412: someone
                                    else got there first (a janitor recovering it); leave it
The attempt is not counted again: the same attempt goes on (a restart is not the PDF's fault). A
lease resumed twice already, or left `completing` (its result may be stored), goes to the janitor's
recovery instead (transitions/recover.ts), which counts the attempt, finds a stored result, and
dead-letters a job that keeps bringing its worker down.
*/
import {randomBytes} from 'node:crypto';
import {isNotModified} from '../../storage/object-store.js';
import {emptyReport} from '../janitor-report.js';
import type {QueueContext} from '../queue-context.js';
import {nextSeq, parseLease, parseTodoEntry, type Lease} from '../records.js';
import {type HeldLease, writeLeaseIfMatch} from './lease-write.js';
import {recoverLease} from './recover.js';

export type ResumeOutcome =
	| {kind: 'resumed'; held: HeldLease}
	| {kind: 'recovered'; ending: Lease['ending']}
	| {kind: 'left'; reason: string};

const maxResumes = 2;

export async function resumeLease(
	context: QueueContext,
	worker: string,
	hash: string,
	/** The earlier process is known to be dead (held-jobs.ts): no need to wait for a live twin's renewal. */
	options: {ownerGone?: boolean} = {},
): Promise<ResumeOutcome> {
	const {store, keys} = context;
	const key = keys.lease(hash);
	const got = await store.get(key);
	if (!got || isNotModified(got)) return {kind: 'left', reason: 'no lease'};
	const parsed = parseLease(got.body, hash);
	if (!parsed.ok) return {kind: 'left', reason: parsed.reason};
	const lease = parsed.value;
	if (lease.worker !== worker) return {kind: 'left', reason: `held by ${lease.worker}`};
	if (lease.ending && lease.ending !== 'completing') return {kind: 'left', reason: `ended ${lease.ending}`};
	const now = await store.serverTime();
	if (!options.ownerGone && now - got.lastModified <= 2 * context.config().heartbeat_interval * 1000)
		return {kind: 'left', reason: 'renewed recently: a live process holds it'};
	const seen = {
		entry: {key, etag: got.etag, size: got.size, lastModified: got.lastModified},
		lease,
		etag: got.etag,
	};
	if (lease.ending === 'completing' || (lease.resumed ?? 0) >= maxResumes) {
		const recovered = await recoverLease(context, seen, 'worker-restart', emptyReport());
		return recovered ? {kind: 'recovered', ending: recovered.lease.ending} : {kind: 'left', reason: 'lease moved'};
	}
	const todoGot = await store.get(keys.todo(lease.priority, hash));
	const todo = todoGot && !isNotModified(todoGot) ? parseTodoEntry(todoGot.body, hash, lease.priority) : undefined;
	if (!todo?.ok) return {kind: 'left', reason: 'no readable todo entry'};
	const resumed: Lease = {
		...lease,
		// A lease that never heartbeated still says attempt 0 on the server.
		attempt: lease.attempt || todo.value.attempts + 1,
		seq: lease.seq || nextSeq(todo.value.seq, now),
		nonce: randomBytes(8).toString('hex'),
		counter: lease.counter + 1,
		resumed: (lease.resumed ?? 0) + 1,
		progress: {stage: 'claimed'},
		...(todo.value.name === undefined ? {} : {name: todo.value.name}),
		...(todo.value.size === undefined ? {} : {size: todo.value.size}),
	};
	const etag = await writeLeaseIfMatch(context, resumed, got.etag);
	if (etag === undefined) return {kind: 'left', reason: 'lease moved'};
	return {kind: 'resumed', held: {lease: resumed, etag, todo: todo.value}};
}
