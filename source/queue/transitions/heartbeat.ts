/**
Renew a lease and report progress. Fenced: the write is compare-and-swap on the lease's ETag.

Requests:
1. PUT    queue/processing/<hash>        If-Match: <lease ETag>   → 412: the lease was recovered by the
          janitor or cancelled; GET it once to say which, and return 'lost' or 'cancelled'. The
          caller stops its conversion and writes nothing.
2. DELETE queue/todo/<priority>/<hash>   (first heartbeat only; the lease now carries the attempt number)
*/
import {isNotModified} from '../../storage/object-store.js';
import type {QueueContext} from '../queue-context.js';
import {parseLease, type Progress} from '../records.js';
import type {HeldLease} from './claim.js';
import {writeHeldLease} from './lease-write.js';

export type HeartbeatOutcome = {kind: 'renewed'} | {kind: 'lost'; holder?: string} | {kind: 'cancelled'};

export async function heartbeat(context: QueueContext, held: HeldLease, progress?: Progress): Promise<HeartbeatOutcome> {
	const {store, keys} = context;
	if (!(await writeHeldLease(context, held, progress ? {progress} : {}))) {
		const current = await store.get(keys.lease(held.lease.hash));
		if (current && !isNotModified(current)) {
			const parsed = parseLease(current.body, held.lease.hash);
			if (parsed.ok && parsed.value.nonce === held.lease.nonce && parsed.value.cancelRequested) return {kind: 'cancelled'};
			return {kind: 'lost', holder: parsed.ok ? parsed.value.worker : undefined};
		}
		return {kind: 'lost'};
	}
	if (held.todoStillQueued) {
		await store.delete(keys.todo(held.todo.priority, held.lease.hash));
		held.todoStillQueued = false;
	}
	return {kind: 'renewed'};
}
