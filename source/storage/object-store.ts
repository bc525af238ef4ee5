/**
The one interface through which BlobForge touches its bucket. Two backends implement it
(S3 and a local directory) with the same semantics, proven by one conformance suite;
middleware (store-chain.ts) adds request counting, retries and fault injection without the
callers knowing.
*/

/** User metadata: plain strings. Backends encode non-ASCII text themselves. */
export type Metadata = Record<string, string>;

export type ObjectInfo = {
	key: string;
	/** The entity tag without quotes: the fencing token of compare-and-swap writes. */
	etag: string;
	size: number;
	/** Last modification by the server's clock, in ms since the epoch. */
	lastModified: number;
	metadata: Metadata;
	contentType?: string;
};

export type StoredObject = ObjectInfo & {body: Uint8Array};

export type WriteCondition =
	/** Unconditional overwrite. */
	| {kind: 'none'}
	/** `If-None-Match: *`: succeed only when the key does not exist. */
	| {kind: 'create-only'}
	/** `If-Match: <etag>`: succeed only when the current object has this ETag. */
	| {kind: 'if-match'; etag: string};

export type PutOptions = {
	/** @default {kind: 'none'} */
	condition?: WriteCondition;
	metadata?: Metadata;
	contentType?: string;
};

/** Lets a caller give up on a long transfer (a 200 MB download at shutdown returns at once). */
export type TransferOptions = {signal?: AbortSignal | undefined};

/** Options of a file upload: always unconditional (it serves content-addressed raw PDFs). */
export type FileOptions = Omit<PutOptions, 'condition'> & TransferOptions;

export type GetOptions = TransferOptions & {
	/** Answer `{notModified: true}` instead of the body when the ETag still matches. */
	ifNoneMatch?: string | undefined;
};

export type GetResult = StoredObject | {notModified: true; etag: string};

export type ListEntry = {key: string; etag: string; size: number; lastModified: number};

export type ListOptions = {
	/** Only keys strictly after this one (S3 StartAfter). */
	startAfter?: string;
	/** Keys per page, at most 1,000. @default 1000 */
	pageSize?: number;
	/** Continuation token from the previous page. */
	continuationToken?: string;
};

export type ListPage = {entries: ListEntry[]; nextContinuationToken?: string};

export type Operation =
	| 'get'
	| 'head'
	| 'put'
	| 'put-create-only'
	| 'put-if-match'
	| 'delete'
	| 'delete-many'
	| 'list'
	| 'time';

export interface ObjectStore {
	/** Where this store lives, for logs, headers and `doctor`: `s3://bucket` at an endpoint, or `local:/dir`. */
	readonly location: string;
	/** The object, or undefined when the key does not exist. */
	get(key: string, options?: GetOptions): Promise<GetResult | undefined>;
	/** The object's info without its body, or undefined when missing. */
	head(key: string): Promise<ObjectInfo | undefined>;
	/** Writes the object; throws StoreError 'precondition-failed' when the condition is false. */
	put(key: string, body: Uint8Array | string, options?: PutOptions): Promise<{etag: string}>;
	/** Uploads a file without reading it into memory (a single PUT, up to 5 GB on S3). */
	putFile(key: string, file: string, options?: FileOptions): Promise<{etag: string}>;
	/** Downloads the object into `file` without holding it in memory; undefined when missing. */
	getFile(key: string, file: string, options?: TransferOptions): Promise<ObjectInfo | undefined>;
	/** Deletes the key; deleting a missing key succeeds, as on S3. */
	delete(key: string): Promise<void>;
	/** Deletes up to 1,000 keys in one request (S3 DeleteObjects); missing keys succeed. */
	deleteMany(keys: string[]): Promise<void>;
	/** One page of keys under `prefix`, in UTF-8 byte order. */
	listPage(prefix: string, options?: ListOptions): Promise<ListPage>;
	/** The server's current time in ms since the epoch (the `Date` header for S3). */
	serverTime(): Promise<number>;
	/** How many requests serverTime() has made so far, for backends that make any. */
	readonly timeRequests?: number;
}

/** Every key under `prefix`, page by page, in key order. */
export async function* listAll(
	store: ObjectStore,
	prefix: string,
	options: Omit<ListOptions, 'continuationToken'> = {},
): AsyncGenerator<ListEntry> {
	let continuationToken: string | undefined;
	do {
		const page = await store.listPage(prefix, {...options, continuationToken});
		yield* page.entries;
		continuationToken = page.nextContinuationToken;
	} while (continuationToken);
}

export async function collectAll(
	store: ObjectStore,
	prefix: string,
	options?: Omit<ListOptions, 'continuationToken'>,
): Promise<ListEntry[]> {
	const entries: ListEntry[] = [];
	for await (const entry of listAll(store, prefix, options)) entries.push(entry);
	return entries;
}

export function isNotModified(result: GetResult | undefined): result is {notModified: true; etag: string} {
	return result !== undefined && 'notModified' in result;
}

export function operationOf(condition: WriteCondition | undefined): Operation {
	if (condition?.kind === 'create-only') return 'put-create-only';
	if (condition?.kind === 'if-match') return 'put-if-match';
	return 'put';
}

export function toBytes(body: Uint8Array | string): Uint8Array {
	return typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
}

/** Compares keys the way S3 orders them: by UTF-8 bytes, not UTF-16 code units. */
export function compareKeys(a: string, b: string): number {
	return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
