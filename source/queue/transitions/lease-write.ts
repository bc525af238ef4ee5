/**
The one fenced lease write: PUT queue/processing/<hash> If-Match: <the holder's ETag>, with the
counter incremented so every body differs. Heartbeat, complete, fail and requeue all go through it.
*/
import {isStoreError} from '../../storage/store-error.js';
import type {QueueContext} from '../queue-context.js';
import type {Lease, TodoEntry} from '../records.js';

/** A lease this process holds: the body it wrote, its ETag (the fence) and the todo entry it claimed. */
export type HeldLease = {lease: Lease; etag: string; todo: TodoEntry};

/** Writes the holder's lease with `changes`; false when the lease is no longer the holder's (412). */
export async function writeHeldLease(
	context: QueueContext,
	held: HeldLease,
	changes: Partial<Lease>,
): Promise<boolean> {
	const next: Lease = {...held.lease, ...changes, counter: held.lease.counter + 1};
	const etag = await writeLeaseIfMatch(context, next, held.etag);
	if (etag === undefined) return false;
	held.lease = next;
	held.etag = etag;
	return true;
}

/** Compare-and-swap of a lease body; the new ETag, or undefined when the ETag moved. */
export async function writeLeaseIfMatch(
	context: QueueContext,
	lease: Lease,
	etag: string,
): Promise<string | undefined> {
	try {
		return (
			await context.store.put(context.keys.lease(lease.hash), JSON.stringify(lease), {
				condition: {kind: 'if-match', etag},
				contentType: 'application/json',
			})
		).etag;
	} catch (error) {
		if (isStoreError(error, 'precondition-failed')) return undefined;
		throw error;
	}
}
