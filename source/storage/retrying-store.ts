/**
Retries with backoff and jitter, and answers "did my write land?" for conditional writes.

Safe operations (get, head, list, delete, unconditional put) are repeated on throttling,
network and server errors. A conditional write is never resent blindly: when an attempt
failed ambiguously (the request may have landed although we saw an error) the object is
read back and compared with what we sent. Bodies of conditional writes carry a nonce or a
counter, so equal bytes mean "ours".
- create-only: missing → send again; our bytes → success; anything else → lost (412).
- if-match: still the expected ETag → send again; our bytes → success; else → lost (412).
A 412 that follows an ambiguous attempt gets the same read-back, since the earlier
attempt may be what made the condition false.
*/
import {systemClock, type Clock} from '../lib/clock.js';
import type {FileOptions, GetOptions, GetResult, ListOptions, ListPage, ObjectInfo, ObjectStore, PutOptions} from './object-store.js';
import {isNotModified, toBytes} from './object-store.js';
import {StoreError, isStoreError} from './store-error.js';

export type RetryOptions = {
	/** Attempts per operation, the first included. @default 6 */
	maxAttempts?: number;
	/** First backoff in ms; doubles each attempt, with full jitter. @default 50 */
	baseDelayMs?: number;
	/** @default 3000 */
	maxDelayMs?: number;
	/** @default systemClock */
	clock?: Clock;
	/** Called before each retry, e.g. to log it. */
	onRetry?: (info: {operation: string; key: string; attempt: number; error: StoreError}) => void;
};

export class RetryingStore implements ObjectStore {
	readonly location: string;
	private readonly maxAttempts: number;
	private readonly baseDelayMs: number;
	private readonly maxDelayMs: number;
	private readonly clock: Clock;

	constructor(
		private readonly inner: ObjectStore,
		private readonly options: RetryOptions = {},
	) {
		this.location = inner.location;
		this.maxAttempts = options.maxAttempts ?? 6;
		this.baseDelayMs = options.baseDelayMs ?? 50;
		this.maxDelayMs = options.maxDelayMs ?? 3000;
		this.clock = options.clock ?? systemClock;
	}

	get timeRequests(): number | undefined {
		return this.inner.timeRequests;
	}

	async get(key: string, options?: GetOptions): Promise<GetResult | undefined> {
		return this.retrySafe('get', key, () => this.inner.get(key, options));
	}

	async head(key: string): Promise<ObjectInfo | undefined> {
		return this.retrySafe('head', key, () => this.inner.head(key));
	}

	/** Unconditional, so a retry is safe: the file is read again from its start. */
	async putFile(key: string, file: string, options?: FileOptions): Promise<{etag: string}> {
		return this.retrySafe('put', key, () => this.inner.putFile(key, file, options));
	}

	async getFile(key: string, file: string): Promise<ObjectInfo | undefined> {
		return this.retrySafe('get', key, () => this.inner.getFile(key, file));
	}

	async delete(key: string): Promise<void> {
		return this.retrySafe('delete', key, () => this.inner.delete(key));
	}

	async deleteMany(keys: string[]): Promise<void> {
		return this.retrySafe('delete-many', keys[0] ?? '', () => this.inner.deleteMany(keys));
	}

	async listPage(prefix: string, options?: ListOptions): Promise<ListPage> {
		return this.retrySafe('list', prefix, () => this.inner.listPage(prefix, options));
	}

	async serverTime(): Promise<number> {
		return this.retrySafe('time', '', () => this.inner.serverTime());
	}

	async put(key: string, body: Uint8Array | string, options: PutOptions = {}): Promise<{etag: string}> {
		const condition = options.condition ?? {kind: 'none'};
		if (condition.kind === 'none') return this.retrySafe('put', key, () => this.inner.put(key, body, options));
		const bytes = toBytes(body);
		let wasAmbiguous = false;
		for (let attempt = 1; ; attempt++) {
			try {
				// eslint-disable-next-line no-await-in-loop
				return await this.inner.put(key, bytes, options);
			} catch (error) {
				if (!isStoreError(error)) throw error;
				if (error.kind === 'precondition-failed') {
					if (!wasAmbiguous) throw error;
					// eslint-disable-next-line no-await-in-loop
					const verdict = await this.didOurWriteLand(key, bytes, condition);
					if (verdict.kind === 'ours') return {etag: verdict.etag};
					throw error;
				}
				if (!error.isTransient || attempt >= this.maxAttempts) throw error;
				if (error.isAmbiguous) {
					wasAmbiguous = true;
					// eslint-disable-next-line no-await-in-loop
					const verdict = await this.didOurWriteLand(key, bytes, condition);
					if (verdict.kind === 'ours') return {etag: verdict.etag};
					if (verdict.kind === 'lost') throw new StoreError('precondition-failed', 'the write condition was false (changed by another writer)', {operation: `put-${condition.kind}`, key, status: 412, cause: error});
				}
				this.options.onRetry?.({operation: `put-${condition.kind}`, key, attempt, error});
				// eslint-disable-next-line no-await-in-loop
				await this.clock.sleep(this.backoff(attempt));
			}
		}
	}

	/** Reads the key back after an ambiguous conditional write. */
	private async didOurWriteLand(key: string, bytes: Uint8Array, condition: {kind: 'create-only'} | {kind: 'if-match'; etag: string}): Promise<{kind: 'ours'; etag: string} | {kind: 'not-written'} | {kind: 'lost'}> {
		const current = await this.retrySafe('get', key, () => this.inner.get(key));
		if (current === undefined || isNotModified(current)) return condition.kind === 'create-only' ? {kind: 'not-written'} : {kind: 'lost'};
		if (Buffer.from(current.body).equals(Buffer.from(bytes))) return {kind: 'ours', etag: current.etag};
		if (condition.kind === 'if-match' && current.etag === condition.etag) return {kind: 'not-written'};
		return {kind: 'lost'};
	}

	private async retrySafe<T>(operation: string, key: string, run: () => Promise<T>): Promise<T> {
		for (let attempt = 1; ; attempt++) {
			try {
				// eslint-disable-next-line no-await-in-loop
				return await run();
			} catch (error) {
				if (!isStoreError(error) || !error.isTransient || attempt >= this.maxAttempts) throw error;
				this.options.onRetry?.({operation, key, attempt, error});
				// eslint-disable-next-line no-await-in-loop
				await this.clock.sleep(this.backoff(attempt));
			}
		}
	}

	private backoff(attempt: number): number {
		return Math.random() * Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 1));
	}
}
