/**
Whose turn it is to run the janitor. One pass every ten minutes serves the whole fleet; if every
worker ran its own, a pass would cost O(W) and the fleet O(W²). So a worker that finds the
janitor due takes a turn first, with a compare-and-swap on queue/janitor.json.

Requests:
1. GET queue/janitor.json            the last turn; younger than the gap (by its last-modified, the
                                     server's clock) → not due, nothing more
2. PUT queue/janitor.json If-Match   (If-None-Match: * when missing) → 412: another worker took it
After the pass, the taker writes the number of leases it saw (PUT If-Match on the ETag of its
turn), which tells every worker how far apart to space its checks: the larger the fleet, the
longer each worker may wait and still find the janitor on time.
*/
import {isNotModified} from '../storage/object-store.js';
import {isStoreError} from '../storage/store-error.js';
import type {QueueContext} from './queue-context.js';
import {type JanitorTurnRecord, parseJanitorTurn} from './records.js';

export type JanitorTurn =
	| {taken: true; etag: string}
	| {taken: false; reason: 'not-due' | 'taken-by-another'; leases?: number; dueInMs?: number};

export async function takeJanitorTurn(context: QueueContext, worker: string, minGapMs: number): Promise<JanitorTurn> {
	const {store, keys} = context;
	const key = keys.janitorTurn();
	const got = await store.get(key);
	const current = got && !isNotModified(got) ? got : undefined;
	const parsed = current ? parseJanitorTurn(current.body) : undefined;
	const leases = parsed?.ok ? parsed.value.leases : 0;
	if (current) {
		const age = (await store.serverTime()) - current.lastModified;
		// A malformed record is replaced, not obeyed: it could otherwise stop every janitor for good.
		if (age < minGapMs && parsed?.ok) return {taken: false, reason: 'not-due', leases, dueInMs: minGapMs - age};
	}
	const record: JanitorTurnRecord = {version: 1, worker, leases};
	try {
		const {etag} = await store.put(key, JSON.stringify({...record, nonce: Math.random()}), {
			condition: current ? {kind: 'if-match', etag: current.etag} : {kind: 'create-only'},
			contentType: 'application/json',
		});
		return {taken: true, etag};
	} catch (error) {
		if (isStoreError(error, 'precondition-failed')) return {taken: false, reason: 'taken-by-another', leases};
		throw error;
	}
}

/** Records the fleet's size after a pass; a turn taken by another meanwhile is left alone. */
export async function endJanitorTurn(
	context: QueueContext,
	turn: {etag: string},
	worker: string,
	leases: number,
): Promise<void> {
	const record: JanitorTurnRecord = {version: 1, worker, leases};
	try {
		// A nonce in every body: equal bodies would have equal ETags, and an old ETag would match again.
		await context.store.put(context.keys.janitorTurn(), JSON.stringify({...record, nonce: Math.random()}), {
			condition: {kind: 'if-match', etag: turn.etag},
			contentType: 'application/json',
		});
	} catch (error) {
		if (!isStoreError(error, 'precondition-failed')) throw error;
	}
}
