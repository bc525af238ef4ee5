/**
Middleware that retries with backoff and jitter, and answers "did my write land?" for conditional
writes.

Safe operations (get, head, list, delete, unconditional put) are repeated on throttling, network
and server errors. A conditional write is never resent blindly: when an attempt failed ambiguously
(the request may have landed although we saw an error) the object is read back and compared with
what we sent. Bodies of conditional writes carry a nonce or a counter, so equal bytes mean "ours".
- create-only: missing → send again; our bytes → success; anything else → lost (412).
- if-match: still the expected ETag → send again; our bytes → success; else → lost (412).
A 412 that follows an ambiguous attempt gets the same read-back, since the earlier attempt may be
what made the condition false.
*/
import {type Clock, systemClock} from '../lib/clock.js';
import {isNotModified, type ObjectStore} from './object-store.js';
import {type Middleware, operationOfCall, type ResultOf, type StoreCall} from './store-chain.js';
import {isStoreError, StoreError} from './store-error.js';

export type RetryOptions = {
	/** Attempts per operation, the first included. @default 6 */
	maxAttempts?: number;
	/** First backoff in ms; doubles each attempt, with full jitter. @default 50 */
	baseDelayMs?: number;
	/** @default 3000 */
	maxDelayMs?: number;
	/** @default systemClock */
	clock?: Clock | undefined;
	/** Called before each retry, e.g. to log it. */
	onRetry?: (info: {operation: string; key: string; attempt: number; error: StoreError}) => void;
};

type Condition = {kind: 'create-only'} | {kind: 'if-match'; etag: string};
type Verdict = {kind: 'ours'; etag: string} | {kind: 'not-written'} | {kind: 'lost'};

export function retrying(options: RetryOptions = {}): Middleware {
	const maxAttempts = options.maxAttempts ?? 6;
	const clock = options.clock ?? systemClock;
	const backoff = (attempt: number) =>
		Math.random() * Math.min(options.maxDelayMs ?? 3000, (options.baseDelayMs ?? 50) * 2 ** (attempt - 1));
	const signalOf = (call: StoreCall) =>
		call.method === 'get' || call.method === 'getFile' || call.method === 'putFile' ? call.options?.signal : undefined;

	async function retrySafe<T>(call: StoreCall, run: () => Promise<T>): Promise<T> {
		for (let attempt = 1; ; attempt++) {
			try {
				return await run();
			} catch (error) {
				if (!isStoreError(error) || !error.isTransient || attempt >= maxAttempts) throw error;
				options.onRetry?.({operation: operationOfCall(call), key: call.key, attempt, error});
				await clock.sleep(backoff(attempt), signalOf(call));
			}
		}
	}

	/** Reads the key back after an ambiguous conditional write. */
	async function didOurWriteLand(
		below: ObjectStore,
		key: string,
		bytes: Uint8Array,
		condition: Condition,
	): Promise<Verdict> {
		const current = await retrySafe({method: 'get', key, options: undefined}, async () => below.get(key));
		if (current === undefined || isNotModified(current))
			return condition.kind === 'create-only' ? {kind: 'not-written'} : {kind: 'lost'};
		if (Buffer.from(current.body).equals(Buffer.from(bytes))) return {kind: 'ours', etag: current.etag};
		if (condition.kind === 'if-match' && current.etag === condition.etag) return {kind: 'not-written'};
		return {kind: 'lost'};
	}

	async function conditionalPut(
		call: Extract<StoreCall, {method: 'put'}>,
		condition: Condition,
		next: () => Promise<{etag: string}>,
		below: ObjectStore,
	): Promise<{etag: string}> {
		const operation = `put-${condition.kind}`;
		let wasAmbiguous = false;
		for (let attempt = 1; ; attempt++) {
			try {
				return await next();
			} catch (error) {
				if (!isStoreError(error)) throw error;
				if (error.kind === 'precondition-failed') {
					if (!wasAmbiguous) throw error;
					const verdict = await didOurWriteLand(below, call.key, call.body, condition);
					if (verdict.kind === 'ours') return {etag: verdict.etag};
					throw error;
				}
				if (!error.isTransient || attempt >= maxAttempts) throw error;
				if (error.isAmbiguous) {
					wasAmbiguous = true;
					const verdict = await didOurWriteLand(below, call.key, call.body, condition);
					if (verdict.kind === 'ours') return {etag: verdict.etag};
					if (verdict.kind === 'lost') {
						const message = 'the write condition was false (changed by another writer)';
						throw new StoreError('precondition-failed', message, {operation, key: call.key, status: 412, cause: error});
					}
				}
				options.onRetry?.({operation, key: call.key, attempt, error});
				await clock.sleep(backoff(attempt));
			}
		}
	}

	return {
		async around<C extends StoreCall>(call: C, next: () => Promise<ResultOf<C>>, below: ObjectStore) {
			const c: StoreCall = call;
			const condition = c.method === 'put' ? (c.options?.condition ?? {kind: 'none'}) : {kind: 'none' as const};
			if (c.method !== 'put' || condition.kind === 'none') return retrySafe(call, next);
			const put = next as unknown as () => Promise<{etag: string}>;
			return conditionalPut(c, condition, put, below) as Promise<ResultOf<C>>;
		},
	};
}
