/** Wraps a store and records every request it makes in a RequestStats. */
import type {FileOptions, GetOptions, GetResult, ListOptions, ListPage, ObjectInfo, ObjectStore, Operation, PutOptions} from './object-store.js';
import {isNotModified, operationOf, toBytes} from './object-store.js';
import {RequestStats} from './request-stats.js';

export class CountingStore implements ObjectStore {
	readonly location: string;

	constructor(
		private readonly inner: ObjectStore,
		readonly stats = new RequestStats(),
	) {
		this.location = inner.location;
	}

	async get(key: string, options?: GetOptions): Promise<GetResult | undefined> {
		return this.measure('get', () => this.inner.get(key, options), result => ({bytesReceived: result && !isNotModified(result) ? result.body.byteLength : 0}));
	}

	async head(key: string): Promise<ObjectInfo | undefined> {
		return this.measure('head', () => this.inner.head(key));
	}

	async put(key: string, body: Uint8Array | string, options?: PutOptions): Promise<{etag: string}> {
		const bytes = toBytes(body);
		return this.measure(operationOf(options?.condition), () => this.inner.put(key, bytes, options), () => ({bytesSent: bytes.byteLength}));
	}

	async putFile(key: string, file: string, options?: FileOptions): Promise<{etag: string}> {
		return this.measure('put', () => this.inner.putFile(key, file, options));
	}

	async getFile(key: string, file: string): Promise<ObjectInfo | undefined> {
		return this.measure('get', () => this.inner.getFile(key, file), info => ({bytesReceived: info?.size ?? 0}));
	}

	async delete(key: string): Promise<void> {
		return this.measure('delete', () => this.inner.delete(key));
	}

	async deleteMany(keys: string[]): Promise<void> {
		return this.measure('delete-many', () => this.inner.deleteMany(keys));
	}

	async listPage(prefix: string, options?: ListOptions): Promise<ListPage> {
		return this.measure('list', () => this.inner.listPage(prefix, options));
	}

	async serverTime(): Promise<number> {
		// S3 asks the server only when no recent answer carried a Date header; count only those.
		const before = this.inner.timeRequests ?? 0;
		const started = performance.now();
		try {
			return await this.inner.serverTime();
		} finally {
			const made = (this.inner.timeRequests ?? 0) - before;
			for (let i = 0; i < made; i++) this.stats.record('time', {latencyMs: (performance.now() - started) / made});
		}
	}

	get timeRequests(): number | undefined {
		return this.inner.timeRequests;
	}

	private async measure<T>(operation: Operation, run: () => Promise<T>, sizes?: (result: T) => {bytesSent?: number; bytesReceived?: number}): Promise<T> {
		const started = performance.now();
		try {
			const result = await run();
			this.stats.record(operation, {latencyMs: performance.now() - started, ...sizes?.(result)});
			return result;
		} catch (error) {
			this.stats.record(operation, {latencyMs: performance.now() - started, failed: true});
			throw error;
		}
	}
}
