/**
The one fenced lease write: PUT queue/processing/<hash> If-Match: <the holder's ETag>, with the
counter incremented so every body differs. Heartbeat, complete, fail and requeue all go through it.

On 412: GET the lease once. Still this attempt's (its nonce) and not ended, it was changed by a
renewal whose answer was lost or by an operator's command to the holder (worker-command.ts): the
holder adopts it, keeping what was added, and writes once more. Anything else (an ending: cancelled,
recovered by the janitor; another nonce: a new claim) is the fence doing its job.
*/
import {isNotModified} from '../../storage/object-store.js';
import {isStoreError} from '../../storage/store-error.js';
import type {QueueContext} from '../queue-context.js';
import {parseLease, type Lease, type TodoEntry} from '../records.js';

/** A lease this process holds: the body it wrote, its ETag (the fence) and the todo entry it claimed. */
export type HeldLease = {lease: Lease; etag: string; todo: TodoEntry};

/** The answer of a fenced write: written, or refused with the lease as it is now (absent, unreadable: undefined). */
export type LeaseWrite = {written: true} | {written: false; current?: Lease};

/** Writes the holder's lease with `changes`; false when the lease is no longer the holder's (412). */
export async function writeHeldLease(
	context: QueueContext,
	held: HeldLease,
	changes: Partial<Lease>,
): Promise<boolean> {
	return (await writeOwnLease(context, held, changes)).written;
}

/** `writeHeldLease` with the lease that refused the write, for a caller that says why (heartbeat). */
export async function writeOwnLease(
	context: QueueContext,
	held: HeldLease,
	changes: Partial<Lease>,
): Promise<LeaseWrite> {
	for (let adopted = false; ; adopted = true) {
		const next: Lease = {...held.lease, ...changes, counter: held.lease.counter + 1};
		const etag = await writeLeaseIfMatch(context, next, held.etag);
		if (etag !== undefined) {
			held.lease = next;
			held.etag = etag;
			return {written: true};
		}
		const got = await context.store.get(context.keys.lease(held.lease.hash));
		if (!got || isNotModified(got)) return {written: false};
		const parsed = parseLease(got.body, held.lease.hash);
		if (!parsed.ok) return {written: false};
		const current = parsed.value;
		if (adopted || current.nonce !== held.lease.nonce || current.ending !== undefined) return {written: false, current};
		held.lease = current;
		held.etag = got.etag;
	}
}

/** Compare-and-swap of a lease body; the new ETag, or undefined when the ETag moved. */
export async function writeLeaseIfMatch(
	context: Pick<QueueContext, 'store' | 'keys'>,
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
