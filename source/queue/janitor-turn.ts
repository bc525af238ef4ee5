/**
Whose turn it is to run the janitor. One pass every ten minutes serves the whole fleet; if every
worker ran its own, a pass would cost O(W) and the fleet O(W²). So a worker that finds the
janitor due takes a turn first, with a compare-and-swap on queue/janitor.json.

Requests:
1. GET queue/janitor.json            the last turn; the last regular pass younger than the gap (by
                                     the server's clock) → not due, nothing more; a due retry may
                                     take a retry-only pass 15 s after any pass (longer past 2,000 leases)
2. PUT queue/janitor.json If-Match   (If-None-Match: * when missing) → 412: another worker took it
After the pass, the taker writes what it learnt when it differs from what the record said (PUT
If-Match on the ETag of its turn): the number of leases it saw, which tells every worker how far
apart to space its offers (the larger the fleet, the longer each worker may wait and still find
the janitor on time), and the gap until the next pass: 10 minutes while a pass sweeps 30 ended
leases or more, doubling up to an hour while it sweeps fewer, so a small fleet does not pay a
pass's ten requests for one or two jobs (its restarted workers resume their own leases; a dead
machine's lease waits for the longer gap).
*/
import {isNotModified} from '../storage/object-store.js';
import {isStoreError} from '../storage/store-error.js';
import type {QueueContext} from './queue-context.js';
import {type JanitorTurnRecord, parseJanitorTurn} from './records.js';

/**
The least gap before a pass that a due retry asks for: 15 s up to 2,000 leases, growing with the fleet
beyond (a pass lists every lease and rewrites the shards its events touch, so its cost grows with the
fleet while the failures it serves grow as fast). A minute for every fleet held each retry 35–41 s
(median) past its backoff, which the last jobs of a drain wait out in full; 15 s at 10,000 workers on
1,000,000 queued made the janitor 117,000 requests an hour (21,000 with the minute).
*/
export const retryGapMs = 15_000;
export function retryGapFor(leases: number): number {
	return retryGapMs * Math.max(1, leases / 2000);
}

export const shortestGapMs = 10 * 60_000;
export const longestGapMs = 60 * 60_000;
/** Ended leases a pass should find to keep the shortest gap. */
const sweepsWorthAPass = 30;

export type JanitorTurn =
	| {
			taken: true;
			etag: string;
			record: JanitorTurnRecord;
			/** Taken before the gap for a due retry: the pass need only sweep failed jobs' leases and requeue them. */
			retryOnly: boolean;
	  }
	| {taken: false; reason: 'not-due' | 'taken-by-another'; leases?: number; gapMs?: number; dueInMs?: number};

/** The gap after a pass that swept `swept` ended leases, when the gap before was `gapMs`. */
export function nextGapMs(gapMs: number, swept: number): number {
	if (swept >= sweepsWorthAPass) return shortestGapMs;
	return Math.min(longestGapMs, Math.max(shortestGapMs, gapMs * 2));
}

/**
Takes the turn if the last regular pass is older than the record's gap, or, for a due retry, any pass
older than 15 s (then `retryOnly`).
*/
export async function takeJanitorTurn(
	context: QueueContext,
	worker: string,
	options: {retry?: boolean} = {},
): Promise<JanitorTurn> {
	const {store, keys} = context;
	const key = keys.janitorTurn();
	const got = await store.get(key);
	const current = got && !isNotModified(got) ? got : undefined;
	const parsed = current ? parseJanitorTurn(current.body) : undefined;
	const leases = parsed?.ok ? parsed.value.leases : 0;
	const gapMs = parsed?.ok ? Math.min(longestGapMs, parsed.value.gapMs ?? shortestGapMs) : shortestGapMs;
	let retryOnly = false;
	let regularAt: number | undefined;
	if (current) {
		const now = await store.serverTime();
		// Regular passes keep their own clock: retry passes between them do not put them off.
		const lastRegular = (parsed?.ok ? parsed.value.regularAt : undefined) ?? current.lastModified;
		const regularIn = gapMs - (now - lastRegular);
		const retryIn = options.retry ? retryGapFor(leases) - (now - current.lastModified) : Number.POSITIVE_INFINITY;
		// A malformed record is replaced, not obeyed: it could otherwise stop every janitor for good.
		if (regularIn > 0 && retryIn > 0 && parsed?.ok)
			return {taken: false, reason: 'not-due', leases, gapMs, dueInMs: Math.min(regularIn, retryIn)};
		retryOnly = regularIn > 0 && parsed?.ok === true;
		regularAt = retryOnly ? lastRegular : now;
	}
	const record: JanitorTurnRecord = {
		version: 1,
		worker,
		leases,
		gapMs,
		...(regularAt === undefined ? {} : {regularAt}),
	};
	try {
		const {etag} = await store.put(key, JSON.stringify({...record, nonce: Math.random()}), {
			condition: current ? {kind: 'if-match', etag: current.etag} : {kind: 'create-only'},
			contentType: 'application/json',
		});
		return {taken: true, etag, record, retryOnly};
	} catch (error) {
		if (isStoreError(error, 'precondition-failed'))
			return {taken: false, reason: 'taken-by-another', leases, gapMs, dueInMs: gapMs};
		throw error;
	}
}

/** Records the fleet's size and the next gap after a pass, when they changed; a turn taken by another meanwhile is left alone. */
export async function endJanitorTurn(
	context: QueueContext,
	turn: {etag: string; record: JanitorTurnRecord},
	pass: {leases: number; swept: number; retryOnly?: boolean},
): Promise<JanitorTurnRecord> {
	const before = turn.record;
	const record: JanitorTurnRecord = {
		...before,
		leases: pass.leases,
		// A retry pass sweeps only failed jobs' leases: what it found says nothing about the gap.
		gapMs: pass.retryOnly ? (before.gapMs ?? shortestGapMs) : nextGapMs(before.gapMs ?? shortestGapMs, pass.swept),
	};
	// A fleet within a fifth of the size it was (or four leases), and the same gap: nothing worth a PUT.
	// The count spaces the offers; a fifth off moves them by as much, and a small fleet's ended leases
	// waiting for the pass come and go by a few at every one.
	if (record.gapMs === before.gapMs && Math.abs(record.leases - before.leases) <= Math.max(4, before.leases / 5))
		return before;
	try {
		// A nonce in every body: equal bodies would have equal ETags, and an old ETag would match again.
		await context.store.put(context.keys.janitorTurn(), JSON.stringify({...record, nonce: Math.random()}), {
			condition: {kind: 'if-match', etag: turn.etag},
			contentType: 'application/json',
		});
	} catch (error) {
		if (!isStoreError(error, 'precondition-failed')) throw error;
	}
	return record;
}
