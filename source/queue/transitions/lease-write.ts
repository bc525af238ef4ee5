/**
The one fenced lease write: PUT queue/processing/<hash> If-Match: <the holder's ETag>, with the
counter incremented so every body differs. Heartbeat, complete and fail all go through it.
*/
import {isStoreError} from '../../storage/store-error.js';
import type {QueueContext} from '../queue-context.js';
import type {Lease} from '../records.js';
import type {HeldLease} from './claim.js';

/** Writes the holder's lease with `changes`; false when the lease is no longer the holder's (412). */
export async function writeHeldLease(context: QueueContext, held: HeldLease, changes: Partial<Lease> & {ending?: 'completing' | 'failing'}): Promise<boolean> {
	const next = {...held.lease, ...changes, counter: held.lease.counter + 1};
	try {
		const {etag} = await context.store.put(context.keys.lease(held.lease.hash), JSON.stringify(next), {condition: {kind: 'if-match', etag: held.etag}, contentType: 'application/json'});
		held.lease = next;
		held.etag = etag;
		return true;
	} catch (error) {
		if (isStoreError(error, 'precondition-failed')) return false;
		throw error;
	}
}
