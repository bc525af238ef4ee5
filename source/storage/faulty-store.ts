/**
Injects faults at the store boundary, by configuration, for tests and the soak only.
Kinds:
- `slowdown`: 503 SlowDown before the request (nothing happens on the server)
- `server-error`: 500 before the request
- `reset`: connection reset before the request
- `timeout`: the request times out; for writes it may or may not have landed (50/50)
- `answer-lost`: the request runs, then the caller sees a network error: the case that
  breaks naive conditional-write code
- `latency`: adds `latencyMs` before the request
The CLI enables it from BLOBFORGE_FAULTS (e.g. `rate=0.05,kinds=slowdown+answer-lost`);
library code receives a store and never knows.
*/
import type {FileOptions, GetOptions, GetResult, ListOptions, ListPage, ObjectInfo, ObjectStore, PutOptions} from './object-store.js';
import {StoreError} from './store-error.js';

export const faultKinds = ['slowdown', 'server-error', 'reset', 'timeout', 'answer-lost', 'latency'] as const;
export type FaultKind = (typeof faultKinds)[number];

export type FaultOptions = {
	/** Probability (0..1) that a request gets a fault. */
	rate: number;
	/** @default all kinds */
	kinds?: FaultKind[];
	/** Added latency for `latency` faults. @default 50 */
	latencyMs?: number;
	/** Restrict faults to keys containing this text. */
	keyFilter?: string;
	/** Deterministic randomness for reproducible runs. @default Math.random */
	random?: () => number;
	/** Called with each fault as it is injected (the CLI reports them on stderr for the soak to count). */
	onFault?: (kind: FaultKind, operation: string, key: string) => void;
};

export class FaultyStore implements ObjectStore {
	readonly location: string;
	/** Faults injected so far, by kind. */
	readonly injected: Record<FaultKind, number> = Object.fromEntries(faultKinds.map(k => [k, 0])) as Record<FaultKind, number>;
	private readonly kinds: FaultKind[];
	private readonly random: () => number;

	constructor(
		private readonly inner: ObjectStore,
		private readonly options: FaultOptions,
	) {
		this.location = inner.location;
		this.kinds = options.kinds?.length ? options.kinds : [...faultKinds];
		this.random = options.random ?? Math.random;
	}

	get timeRequests(): number | undefined {
		return this.inner.timeRequests;
	}

	get totalInjected(): number {
		return Object.values(this.injected).reduce((a, b) => a + b, 0);
	}

	async get(key: string, options?: GetOptions): Promise<GetResult | undefined> {
		return this.run('get', key, () => this.inner.get(key, options));
	}

	async head(key: string): Promise<ObjectInfo | undefined> {
		return this.run('head', key, () => this.inner.head(key));
	}

	async put(key: string, body: Uint8Array | string, options?: PutOptions): Promise<{etag: string}> {
		return this.run('put', key, () => this.inner.put(key, body, options));
	}

	async putFile(key: string, file: string, options?: FileOptions): Promise<{etag: string}> {
		return this.run('put', key, () => this.inner.putFile(key, file, options));
	}

	async getFile(key: string, file: string): Promise<ObjectInfo | undefined> {
		return this.run('get', key, () => this.inner.getFile(key, file));
	}

	async delete(key: string): Promise<void> {
		return this.run('delete', key, () => this.inner.delete(key));
	}

	async deleteMany(keys: string[]): Promise<void> {
		return this.run('delete', keys[0] ?? '', () => this.inner.deleteMany(keys));
	}

	async listPage(prefix: string, options?: ListOptions): Promise<ListPage> {
		return this.run('list', prefix, () => this.inner.listPage(prefix, options));
	}

	async serverTime(): Promise<number> {
		return this.inner.serverTime();
	}

	private async run<T>(operation: string, key: string, request: () => Promise<T>): Promise<T> {
		if ((this.options.keyFilter && !key.includes(this.options.keyFilter)) || this.random() >= this.options.rate) return request();
		const kind = this.kinds[Math.floor(this.random() * this.kinds.length)]!;
		this.injected[kind]++;
		this.options.onFault?.(kind, operation, key);
		const fail = (errorKind: 'throttled' | 'server' | 'network', message: string) => new StoreError(errorKind, `injected fault: ${message}`, {operation, key});
		switch (kind) {
			case 'slowdown':
				throw fail('throttled', '503 SlowDown');
			case 'server-error':
				throw fail('server', '500 InternalError');
			case 'reset':
				throw fail('network', 'connection reset');
			case 'latency':
				await new Promise(resolve => setTimeout(resolve, this.options.latencyMs ?? 50));
				return request();
			case 'timeout':
				if (this.random() < 0.5) await request().catch(() => undefined);
				throw fail('network', 'request timed out');
			case 'answer-lost':
				await request();
				throw fail('network', 'the answer was lost after the request ran');
		}
	}
}

/** Parses BLOBFORGE_FAULTS: `rate=0.05,kinds=slowdown+answer-lost,latency=20,keys=queue/`. */
export function parseFaultSpec(spec: string): FaultOptions {
	const options: FaultOptions = {rate: 0};
	for (const part of spec.split(',').map(p => p.trim()).filter(Boolean)) {
		const [name, value = ''] = part.split('=', 2) as [string, string?];
		if (name === 'rate') options.rate = Number(value);
		else if (name === 'kinds') options.kinds = value.split('+').filter((k): k is FaultKind => (faultKinds as readonly string[]).includes(k));
		else if (name === 'latency') options.latencyMs = Number(value);
		else if (name === 'keys') options.keyFilter = value;
		else throw new Error(`unknown fault setting "${name}" in BLOBFORGE_FAULTS`);
	}
	if (!(options.rate >= 0 && options.rate <= 1)) throw new Error('BLOBFORGE_FAULTS rate must be between 0 and 1');
	return options;
}
