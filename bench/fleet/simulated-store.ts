/**
An in-memory S3 for the fleet simulator, in the time of the clock it is given (virtual in the
simulator, the system's in the conformance suite). It keeps S3's semantics (conditional writes,
UTF-8 listing order, pages of at most 1,000 keys, strong read-after-write consistency) and models
what a fleet meets: a latency per request drawn from a log-normal distribution per kind, request
rates per prefix (3,500 writes and 5,500 reads a second; beyond, 503 SlowDown), and the bill at
AWS prices (a refused conditional PUT is billed as a PUT). It counts every request it answers by
operation and by the area of the bucket it touched.
*/
import {createHash} from 'node:crypto';
import {readFile, writeFile} from 'node:fs/promises';
import type {Clock} from '../../source/lib/clock.js';
import {
	type FileOptions,
	type GetOptions,
	type GetResult,
	type ListOptions,
	type ListPage,
	type Metadata,
	type ObjectInfo,
	type ObjectStore,
	type Operation,
	operationOf,
	type PutOptions,
	type TransferOptions,
	toBytes,
} from '../../source/storage/object-store.js';
import {awsPricePerRequest} from '../../source/storage/request-stats.js';
import {StoreError} from '../../source/storage/store-error.js';
import {SortedKeys} from './sorted-keys.js';

/** Median and 99th percentile of one kind of request, in ms. */
export type LatencyShape = {medianMs: number; p99Ms: number};

export type LatencyModel = {
	read: LatencyShape;
	write: LatencyShape;
	list: LatencyShape;
	delete: LatencyShape;
	bulkDelete: LatencyShape;
	/** Bytes a second a single request moves (added to its latency). */
	bandwidth: number;
};

/** AWS S3 in-region as users measure it (S3 performance guidelines; small objects). */
export const awsLikeLatency: LatencyModel = {
	read: {medianMs: 15, p99Ms: 100},
	write: {medianMs: 25, p99Ms: 150},
	list: {medianMs: 40, p99Ms: 200},
	delete: {medianMs: 20, p99Ms: 120},
	bulkDelete: {medianMs: 60, p99Ms: 300},
	bandwidth: 90e6,
};

/** A model `factor` times as fast (and as much bandwidth): the conformance suite runs in real time at a tenth. */
export function scaledLatency(model: LatencyModel, factor: number): LatencyModel {
	const scale = (shape: LatencyShape) => ({medianMs: shape.medianMs * factor, p99Ms: shape.p99Ms * factor});
	return {
		read: scale(model.read),
		write: scale(model.write),
		list: scale(model.list),
		delete: scale(model.delete),
		bulkDelete: scale(model.bulkDelete),
		bandwidth: model.bandwidth / factor,
	};
}

/** S3's documented request rates per prefix and second. */
export const awsPrefixRates = {writes: 3500, reads: 5500};

export type SimulatedStoreOptions = {
	clock: Clock;
	latency?: LatencyModel | undefined;
	rates?: {writes: number; reads: number} | undefined;
	/** A seeded source of randomness, so runs repeat. @default Math.random */
	random?: (() => number) | undefined;
	/** How a key is named in the counts by area. @default its first two folders */
	areaOf?: ((key: string) => string) | undefined;
	/** Told of every key that comes to exist or goes, when it happens. */
	onChange?: ((key: string, exists: boolean) => void) | undefined;
};

type Shared = {
	objects: Map<string, Entry>;
	keys: SortedKeys;
	/** Requests in the current second per prefix. */
	window: Map<string, {second: number; reads: number; writes: number}>;
	bills: Map<string, SimulatedBill>;
	instant: boolean;
	options: SimulatedStoreOptions & Required<Pick<SimulatedStoreOptions, 'random' | 'rates' | 'areaOf'>>;
};

type Entry = {body: Uint8Array; etag: string; lastModified: number; metadata: Metadata; contentType?: string};

export type SimulatedBill = {
	requests: Record<Operation, number>;
	/** Requests by `<operation> <area>`. */
	byArea: Map<string, number>;
	preconditionFailed: number;
	slowDowns: number;
	bytesOut: number;
	dollars: number;
};

export class SimulatedStore implements ObjectStore {
	readonly location = 'sim://bucket';
	private readonly shared: Shared;
	/** Who this view's requests are billed to. */
	readonly caller: string;

	constructor(options: SimulatedStoreOptions, shared?: Shared, caller = 'all') {
		this.shared = shared ?? {
			objects: new Map(),
			keys: new SortedKeys(),
			window: new Map(),
			bills: new Map(),
			instant: false,
			options: {
				...options,
				random: options.random ?? Math.random,
				rates: options.rates ?? awsPrefixRates,
				areaOf: options.areaOf ?? (key => key.split('/').slice(0, 2).join('/')),
			},
		};
		this.caller = caller;
	}

	/** The same bucket, its requests billed to `caller` (besides the whole bucket's bill). */
	view(caller: string): SimulatedStore {
		return new SimulatedStore(this.shared.options, this.shared, caller);
	}

	/** The bill of this view's caller; the whole bucket's for the store itself. */
	get bill(): SimulatedBill {
		return this.billOf(this.caller);
	}

	billOf(caller: string): SimulatedBill {
		let bill = this.shared.bills.get(caller);
		if (!bill) {
			bill = emptyBill();
			this.shared.bills.set(caller, bill);
		}
		return bill;
	}

	/** Requests answer at once and are not billed (a scenario's seeding, reads after the run). */
	get instant(): boolean {
		return this.shared.instant;
	}

	set instant(value: boolean) {
		this.shared.instant = value;
	}

	private get objects(): Map<string, Entry> {
		return this.shared.objects;
	}

	private get keys(): SortedKeys {
		return this.shared.keys;
	}

	private get clock(): Clock {
		return this.shared.options.clock;
	}

	get objectCount(): number {
		return this.objects.size;
	}

	/** Starts every bill afresh (after a scenario's seeding or warm-up). */
	resetBills(): void {
		this.shared.bills.clear();
	}

	/** Writes an object at once, unbilled and without latency: a scenario's starting state. */
	seed(key: string, body: Uint8Array | string, metadata: Metadata = {}): void {
		this.apply(key, toBytes(body), {metadata, contentType: 'application/json'});
	}

	async get(key: string, options: GetOptions = {}): Promise<GetResult | undefined> {
		await this.request('get', key, 'read', options.signal);
		const entry = this.objects.get(key);
		if (!entry) return undefined;
		if (options.ifNoneMatch === entry.etag) return {notModified: true, etag: entry.etag};
		await this.transfer(entry.body.byteLength, options.signal);
		for (const bill of this.bills()) bill.bytesOut += entry.body.byteLength;
		return {...this.infoOf(key, entry), body: entry.body};
	}

	async head(key: string): Promise<ObjectInfo | undefined> {
		await this.request('head', key, 'read');
		const entry = this.objects.get(key);
		return entry ? this.infoOf(key, entry) : undefined;
	}

	async put(key: string, body: Uint8Array | string, options: PutOptions = {}): Promise<{etag: string}> {
		const bytes = toBytes(body);
		await this.request(operationOf(options.condition), key, 'write');
		await this.transfer(bytes.byteLength);
		// The condition is judged when the write lands: at the end of its latency, as one atomic step.
		const current = this.objects.get(key);
		const condition = options.condition ?? {kind: 'none'};
		if (
			(condition.kind === 'create-only' && current) ||
			(condition.kind === 'if-match' && current?.etag !== condition.etag)
		) {
			const area = `412 ${operationOf(options.condition)} ${this.shared.options.areaOf(key)}`;
			for (const bill of this.bills()) {
				bill.preconditionFailed++;
				bill.byArea.set(area, (bill.byArea.get(area) ?? 0) + 1);
			}
			throw new StoreError('precondition-failed', `condition failed on ${key}`, {operation: 'put', key, status: 412});
		}
		return {etag: this.apply(key, bytes, options)};
	}

	async putFile(key: string, file: string, options: FileOptions = {}): Promise<{etag: string}> {
		if (options.signal?.aborted) throw aborted('putFile', key);
		const bytes = new Uint8Array(await readFile(file));
		await this.request('put', key, 'write', options.signal);
		await this.transfer(bytes.byteLength, options.signal);
		return {etag: this.apply(key, bytes, options)};
	}

	async getFile(key: string, file: string, options: TransferOptions = {}): Promise<ObjectInfo | undefined> {
		await this.request('get', key, 'read', options.signal);
		const entry = this.objects.get(key);
		if (!entry) return undefined;
		// The body moves in pieces, so a signal given part-way leaves part of a file, as a real download does.
		const piece = 4 * 2 ** 20;
		await writeFile(file, new Uint8Array(0));
		for (let at = 0; at < entry.body.byteLength; at += piece) {
			if (options.signal?.aborted) throw aborted('getFile', key);
			const part = entry.body.subarray(at, at + piece);
			await this.transfer(part.byteLength, options.signal);
			await writeFile(file, part, {flag: 'a'});
			await new Promise(resolve => setImmediate(resolve));
		}
		for (const bill of this.bills()) bill.bytesOut += entry.body.byteLength;
		return this.infoOf(key, entry);
	}

	async delete(key: string): Promise<void> {
		await this.request('delete', key, 'write');
		this.remove(key);
	}

	async deleteMany(keys: string[]): Promise<void> {
		if (keys.length > 1000) throw new StoreError('unknown', 'DeleteObjects takes at most 1,000 keys');
		await this.request('delete-many', keys[0] ?? '', 'write');
		for (const key of keys) this.remove(key);
	}

	async listPage(prefix: string, options: ListOptions = {}): Promise<ListPage> {
		await this.request('list', prefix, 'read');
		const pageSize = Math.max(1, Math.min(options.pageSize ?? 1000, 1000));
		const found = this.keys.range(prefix, options.continuationToken ?? options.startAfter, pageSize + 1);
		const slice = found.slice(0, pageSize);
		const entries = slice.map(key => {
			const entry = this.objects.get(key)!;
			return {key, etag: entry.etag, size: entry.body.byteLength, lastModified: entry.lastModified};
		});
		return {entries, nextContinuationToken: found.length > pageSize ? slice.at(-1) : undefined};
	}

	async serverTime(): Promise<number> {
		return this.clock.now();
	}

	private apply(key: string, bytes: Uint8Array, options: PutOptions): string {
		const etag = createHash('md5').update(bytes).digest('hex');
		const entry: Entry = {
			body: bytes,
			etag,
			lastModified: this.clock.now(),
			metadata: {...options.metadata},
			...(options.contentType === undefined ? {} : {contentType: options.contentType}),
		};
		this.objects.set(key, entry);
		if (this.keys.add(key)) this.shared.options.onChange?.(key, true);
		return etag;
	}

	private remove(key: string): void {
		if (!this.objects.delete(key)) return;
		this.keys.delete(key);
		this.shared.options.onChange?.(key, false);
	}

	private infoOf(key: string, entry: Entry): ObjectInfo {
		return {
			key,
			etag: entry.etag,
			size: entry.body.byteLength,
			lastModified: entry.lastModified,
			metadata: {...entry.metadata},
			...(entry.contentType === undefined ? {} : {contentType: entry.contentType}),
		};
	}

	/** Bills a request, waits its latency and answers 503 SlowDown when its prefix is over its rate. */
	private async request(
		operation: Operation,
		key: string,
		kind: 'read' | 'write',
		signal?: AbortSignal,
	): Promise<void> {
		if (signal?.aborted) throw aborted(operation, key);
		if (this.instant) return;
		const {options} = this.shared;
		const area = `${operation} ${options.areaOf(key)}`;
		for (const bill of this.bills()) {
			bill.requests[operation]++;
			bill.byArea.set(area, (bill.byArea.get(area) ?? 0) + 1);
			bill.dollars += awsPricePerRequest[operation];
		}
		const prefix = key.slice(0, key.lastIndexOf('/') + 1);
		const second = Math.floor(this.clock.now() / 1000);
		let counts = this.shared.window.get(prefix);
		if (!counts || counts.second !== second) {
			counts = {second, reads: 0, writes: 0};
			this.shared.window.set(prefix, counts);
		}
		const over = kind === 'read' ? ++counts.reads > options.rates.reads : ++counts.writes > options.rates.writes;
		const shape = this.shapeOf(operation);
		if (shape) await this.wait(this.draw(shape), signal, operation, key);
		if (over) {
			for (const bill of this.bills()) bill.slowDowns++;
			throw new StoreError('throttled', 'SlowDown: please reduce your request rate', {operation, key, status: 503});
		}
	}

	private async transfer(bytes: number, signal?: AbortSignal): Promise<void> {
		const latency = this.shared.options.latency;
		if (latency && !this.instant && bytes > 64 * 1024)
			await this.wait((bytes / latency.bandwidth) * 1000, signal, 'transfer', '');
	}

	private async wait(ms: number, signal: AbortSignal | undefined, operation: string, key: string): Promise<void> {
		try {
			await this.clock.sleep(ms, signal);
		} catch (error) {
			if (signal?.aborted) throw aborted(operation, key);
			throw error;
		}
	}

	private bills(): SimulatedBill[] {
		return this.caller === 'all' ? [this.billOf('all')] : [this.billOf('all'), this.billOf(this.caller)];
	}

	private shapeOf(operation: Operation): LatencyShape | undefined {
		const model = this.shared.options.latency;
		if (!model) return undefined;
		if (operation === 'list') return model.list;
		if (operation === 'delete') return model.delete;
		if (operation === 'delete-many') return model.bulkDelete;
		if (operation === 'get' || operation === 'head' || operation === 'time') return model.read;
		return model.write;
	}

	/** A log-normal draw with the shape's median and 99th percentile. */
	private draw(shape: LatencyShape): number {
		const sigma = Math.log(shape.p99Ms / shape.medianMs) / 2.326;
		const u = Math.max(this.shared.options.random(), 1e-12);
		const v = this.shared.options.random();
		const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
		return shape.medianMs * Math.exp(sigma * normal);
	}
}

function aborted(operation: string, key: string): StoreError {
	return new StoreError('aborted', `${operation} of ${key} given up`, {operation, key});
}

function emptyBill(): SimulatedBill {
	return {
		requests: Object.fromEntries(Object.keys(awsPricePerRequest).map(op => [op, 0])) as Record<Operation, number>,
		byArea: new Map(),
		preconditionFailed: 0,
		slowDowns: 0,
		bytesOut: 0,
		dollars: 0,
	};
}
