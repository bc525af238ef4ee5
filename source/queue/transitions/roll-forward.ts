/**
Finishes what a holder started when it died between its ending fence and the records the fence
stands for: a lease ended failed, dead or cancelled whose failed/dead record is missing gets it,
and its todo entry goes.

Requests: GET todo/<p>/<h>; when the entry is still there and older than the lease: HEAD the
record, PUT it when missing, DELETE the entry.

A lease ended done leaves its todo entry by design (complete does not delete it; compaction
does, in bulk). Whoever removes such a lease other than compaction (an operator's action settling
the job first) must remove the entry too: `finishDone`, one DELETE.
*/
import {isNotModified} from '../../storage/object-store.js';
import type {QueueContext} from '../queue-context.js';
import {parseTodoEntry, type Lease} from '../records.js';
import {failureRecordOf, writeFailureRecord} from '../failure-records.js';

/** Finishes a failure whose holder died between its fence and its record. */
export async function rollForward(context: QueueContext, lease: Lease): Promise<boolean> {
	if (lease.ending !== 'failed' && lease.ending !== 'dead' && lease.ending !== 'cancelled') return false;
	const {store, keys} = context;
	const todoKey = keys.todo(lease.priority, lease.hash);
	const got = await store.get(todoKey);
	if (!got || isNotModified(got)) return false; // finished, or moved on (requeued and done, cleared)
	const todo = parseTodoEntry(got.body, lease.hash, lease.priority);
	if (todo.ok && todo.value.seq > lease.seq) return false; // requeued since
	const state = lease.ending === 'failed' ? 'failed' : 'dead';
	if (!(await store.head(state === 'failed' ? keys.failed(lease.hash) : keys.dead(lease.hash))))
		await writeFailureRecord(context, state, failureRecordOf(lease, todo.ok ? (todo.value.history ?? []) : []));
	await store.delete(todoKey);
	return true;
}

/** Deletes the todo entry a completed attempt left (complete leaves it for compaction's bulk delete). */
export async function finishDone(context: QueueContext, lease: Lease): Promise<boolean> {
	if (lease.ending !== 'done') return false;
	// While the ended lease exists no newer entry can have been created at this key (enqueue is create-only).
	await context.store.delete(context.keys.todo(lease.priority, lease.hash));
	return true;
}
