/**
Renew a lease and report progress. Fenced: the write is compare-and-swap on the lease's ETag.

Requests:
1. PUT    queue/processing/<hash>        If-Match: <lease ETag>   → 412: the lease was recovered by the
          janitor or cancelled; GET it once to say which, and return 'lost' or 'cancelled'. The
          caller stops its conversion and writes nothing.
*/
import {isNotModified} from '../../storage/object-store.js';
import type {QueueContext} from '../queue-context.js';
import {parseLease, type Progress} from '../records.js';
import type {HeldLease} from './claim.js';
import {writeHeldLease} from './lease-write.js';

export type HeartbeatOutcome = {kind: 'renewed'} | {kind: 'lost'; holder?: string} | {kind: 'cancelled'};

export async function heartbeat(context: QueueContext, held: HeldLease, progress?: Progress): Promise<HeartbeatOutcome> {
	if (await writeHeldLease(context, held, progress ? {progress} : {})) return {kind: 'renewed'};
	const current = await context.store.get(context.keys.lease(held.lease.hash));
	if (current && !isNotModified(current)) {
		const parsed = parseLease(current.body, held.lease.hash);
		if (parsed.ok && parsed.value.nonce === held.lease.nonce && parsed.value.ending === 'cancelled') return {kind: 'cancelled'};
		return {kind: 'lost', holder: parsed.ok ? parsed.value.worker : undefined};
	}
	return {kind: 'lost'};
}
