/**
Renew a lease and report progress. Fenced: the write is compare-and-swap on the lease's ETag.

Requests:
1. PUT    queue/processing/<hash>        If-Match: <lease ETag>   → 412: the lease was recovered by the
          janitor or cancelled; GET it once to say which, and return 'lost' or 'cancelled'. The
          caller stops its conversion and writes nothing. A lease still carrying the holder's nonce
          and no ending is the holder's own (a renewal whose answer was lost on the way back): it is
          adopted and written once more (1 GET + 1 PUT), never mistaken for a loss.
*/
import {isNotModified} from '../../storage/object-store.js';
import type {QueueContext} from '../queue-context.js';
import {parseLease, type Progress} from '../records.js';
import {type HeldLease, writeHeldLease} from './lease-write.js';

export type HeartbeatOutcome = {kind: 'renewed'} | {kind: 'lost'; holder?: string} | {kind: 'cancelled'};

export async function heartbeat(
	context: QueueContext,
	held: HeldLease,
	progress?: Progress,
): Promise<HeartbeatOutcome> {
	const changes = progress ? {progress} : {};
	for (let adopted = false; ; adopted = true) {
		if (await writeHeldLease(context, held, changes)) return {kind: 'renewed'};
		const current = await context.store.get(context.keys.lease(held.lease.hash));
		if (!current || isNotModified(current)) return {kind: 'lost'};
		const parsed = parseLease(current.body, held.lease.hash);
		if (!parsed.ok || parsed.value.nonce !== held.lease.nonce)
			return {kind: 'lost', holder: parsed.ok ? parsed.value.worker : undefined};
		if (parsed.value.ending === 'cancelled') return {kind: 'cancelled'};
		if (parsed.value.ending !== undefined || adopted) return {kind: 'lost', holder: parsed.value.worker};
		held.lease = parsed.value;
		held.etag = current.etag;
	}
}
