/**
The S3 backend, on the official AWS SDK v3. Provider quirks live in s3-classify.ts.

Client settings that matter: path-style addressing for IP endpoints; checksums only when
required (S3-compatible servers reject the SDK's default CRC32 headers on streams); one
attempt per SDK call, because retries happen in RetryingStore where a conditional write
that may have landed is checked, never blindly resent.
*/
import {
	DeleteObjectCommand,
	DeleteObjectsCommand,
	GetObjectCommand,
	CreateBucketCommand,
	HeadBucketCommand,
	HeadObjectCommand,
	ListObjectsV2Command,
	PutObjectCommand,
	S3Client,
	type S3ClientConfig,
} from '@aws-sdk/client-s3';
import {decodeMetadata, encodeMetadata} from './metadata-encoding.js';
import {createReadStream, createWriteStream} from 'node:fs';
import {stat} from 'node:fs/promises';
import {Readable} from 'node:stream';
import {pipeline} from 'node:stream/promises';
import type {
	FileOptions,
	GetOptions,
	GetResult,
	ListOptions,
	ListPage,
	ObjectInfo,
	ObjectStore,
	PutOptions,
	TransferOptions,
} from './object-store.js';
import {toBytes} from './object-store.js';
import {classifyS3Error, ifMatchValue, statusOf, stripEtag, type EtagStyle} from './s3-classify.js';
import {abortedError, isStoreError, StoreError} from './store-error.js';

export type S3StoreOptions = {
	bucket: string;
	/** @default 'us-east-1' */
	region?: string;
	/** Custom endpoint (R2, MinIO, Ceph, ...). */
	endpoint?: string;
	/** @default true when an endpoint is given */
	forcePathStyle?: boolean;
	/** Static credentials; when absent the SDK's default chain applies (env, profiles, SSO, instance roles). */
	credentials?: {accessKeyId: string; secretAccessKey: string; sessionToken?: string};
	/** How If-Match is sent. @default 'unquoted' */
	etagStyle?: EtagStyle;
	/** Per-request timeout in ms. @default 30000 */
	requestTimeoutMs?: number;
	/** Connection timeout in ms. @default 5000 */
	connectTimeoutMs?: number;
};

export class S3Store implements ObjectStore {
	readonly location: string;
	readonly client: S3Client;
	private readonly bucket: string;
	/** How If-Match is sent; `doctor` finds which form the provider accepts. */
	etagStyle: EtagStyle;
	/**
	What the `Date` headers say about the server's clock, as bounds on (server time − local monotonic
	time): a header of whole second D seen at monotonic m means the offset lies in [D − m, D + 1000 − m)
	(less the answer's travel). Every header narrows the bounds; the estimate is their middle.
	*/
	private dateSample?: {low: number; high: number; localMonoMs: number};
	/** The last time serverTime() returned: the estimate never goes backwards. */
	private lastServerTime = Number.NEGATIVE_INFINITY;
	timeRequests = 0;

	constructor(options: S3StoreOptions) {
		this.bucket = options.bucket;
		this.etagStyle = options.etagStyle ?? 'unquoted';
		this.location = options.endpoint
			? `s3://${options.bucket} at ${options.endpoint}`
			: `s3://${options.bucket} (${options.region ?? 'us-east-1'})`;
		const config: S3ClientConfig = {
			region: options.region ?? 'us-east-1',
			forcePathStyle: options.forcePathStyle ?? Boolean(options.endpoint),
			maxAttempts: 1,
			requestChecksumCalculation: 'WHEN_REQUIRED',
			responseChecksumValidation: 'WHEN_REQUIRED',
			// The middleware stack is resolved once per command type, not per request: the stack is
			// fixed after this constructor and no call passes per-request options. About 15 % less CPU
			// per request, which is most of a worker's CPU with a fast converter.
			cacheMiddleware: true,
			requestHandler: {
				requestTimeout: options.requestTimeoutMs ?? 30_000,
				connectionTimeout: options.connectTimeoutMs ?? 5000,
			},
		};
		if (options.endpoint) config.endpoint = options.endpoint;
		if (options.credentials) config.credentials = options.credentials;
		this.client = new S3Client(config);
		this.client.middlewareStack.add(
			next => async args => {
				const result = await next(args);
				this.noteDate((result.response as {headers?: Record<string, string>}).headers?.['date']);
				return result;
			},
			{step: 'deserialize', name: 'blobforgeServerDate', priority: 'low'},
		);
	}

	async get(key: string, options: GetOptions = {}): Promise<GetResult | undefined> {
		try {
			const answer = await this.client.send(
				new GetObjectCommand({
					Bucket: this.bucket,
					Key: key,
					IfNoneMatch: options.ifNoneMatch === undefined ? undefined : `"${stripEtag(options.ifNoneMatch)}"`,
				}),
				{abortSignal: options.signal},
			);
			const body = answer.Body ? await answer.Body.transformToByteArray() : new Uint8Array();
			return {
				key,
				body,
				etag: stripEtag(answer.ETag),
				size: body.byteLength,
				lastModified: answer.LastModified?.getTime() ?? 0,
				metadata: decodeMetadata(answer.Metadata),
				contentType: answer.ContentType,
			};
		} catch (error) {
			if (statusOf(error) === 304) return {notModified: true, etag: stripEtag(options.ifNoneMatch)};
			if (options.signal?.aborted) throw abortedError('get', key, error);
			this.noteErrorDate(error);
			const classified = classifyS3Error(error, 'get', key);
			if (classified.kind === 'not-found') return undefined;
			throw classified;
		}
	}

	async head(key: string): Promise<ObjectInfo | undefined> {
		try {
			const answer = await this.client.send(new HeadObjectCommand({Bucket: this.bucket, Key: key}));
			return {
				key,
				etag: stripEtag(answer.ETag),
				size: answer.ContentLength ?? 0,
				lastModified: answer.LastModified?.getTime() ?? 0,
				metadata: decodeMetadata(answer.Metadata),
				contentType: answer.ContentType,
			};
		} catch (error) {
			this.noteErrorDate(error);
			const classified = classifyS3Error(error, 'head', key);
			if (classified.kind === 'not-found') return undefined;
			throw classified;
		}
	}

	async put(key: string, body: Uint8Array | string, options: PutOptions = {}): Promise<{etag: string}> {
		const condition = options.condition ?? {kind: 'none'};
		const bytes = toBytes(body);
		try {
			const answer = await this.client.send(
				new PutObjectCommand({
					Bucket: this.bucket,
					Key: key,
					Body: bytes,
					ContentLength: bytes.byteLength,
					ContentType: options.contentType,
					Metadata: encodeMetadata(options.metadata),
					IfNoneMatch: condition.kind === 'create-only' ? '*' : undefined,
					IfMatch: condition.kind === 'if-match' ? ifMatchValue(condition.etag, this.etagStyle) : undefined,
				}),
			);
			return {etag: stripEtag(answer.ETag)};
		} catch (error) {
			this.noteErrorDate(error);
			const classified = classifyS3Error(error, condition.kind === 'none' ? 'put' : `put-${condition.kind}`, key);
			// AWS answers If-Match on a missing key with 404; the condition is simply false.
			if (condition.kind === 'if-match' && classified.kind === 'not-found') {
				throw new StoreError('precondition-failed', 'the write condition was false (no such key)', {
					operation: 'put-if-match',
					key,
					status: 404,
					cause: error,
				});
			}
			throw classified;
		}
	}

	async putFile(key: string, file: string, options: FileOptions = {}): Promise<{etag: string}> {
		const {size} = await stat(file);
		try {
			const answer = await this.client.send(
				new PutObjectCommand({
					Bucket: this.bucket,
					Key: key,
					Body: createReadStream(file),
					ContentLength: size,
					ContentType: options.contentType,
					Metadata: encodeMetadata(options.metadata),
				}),
				{abortSignal: options.signal},
			);
			return {etag: stripEtag(answer.ETag)};
		} catch (error) {
			if (options.signal?.aborted) throw abortedError('put', key, error);
			this.noteErrorDate(error);
			throw classifyS3Error(error, 'put', key);
		}
	}

	async getFile(key: string, file: string, options: TransferOptions = {}): Promise<ObjectInfo | undefined> {
		const {signal} = options;
		try {
			const answer = await this.client.send(new GetObjectCommand({Bucket: this.bucket, Key: key}), {
				abortSignal: signal,
			});
			const body =
				answer.Body instanceof Readable
					? answer.Body
					: Readable.from(answer.Body ? [await answer.Body.transformToByteArray()] : []);
			await pipeline(body, createWriteStream(file), ...(signal ? [{signal}] : []));
			return {
				key,
				etag: stripEtag(answer.ETag),
				size: answer.ContentLength ?? (await stat(file)).size,
				lastModified: answer.LastModified?.getTime() ?? 0,
				metadata: decodeMetadata(answer.Metadata),
				contentType: answer.ContentType,
			};
		} catch (error) {
			if (signal?.aborted) throw abortedError('get', key, error);
			this.noteErrorDate(error);
			const classified = classifyS3Error(error, 'get', key);
			if (classified.kind === 'not-found') return undefined;
			throw classified;
		}
	}

	async delete(key: string): Promise<void> {
		try {
			await this.client.send(new DeleteObjectCommand({Bucket: this.bucket, Key: key}));
		} catch (error) {
			this.noteErrorDate(error);
			const classified = classifyS3Error(error, 'delete', key);
			if (classified.kind === 'not-found') return;
			throw classified;
		}
	}

	async deleteMany(keys: string[]): Promise<void> {
		if (keys.length === 0) return;
		if (keys.length > 1000)
			throw new StoreError('unsupported', 'at most 1,000 keys per deleteMany', {operation: 'delete-many'});
		try {
			const answer = await this.client.send(
				new DeleteObjectsCommand({Bucket: this.bucket, Delete: {Objects: keys.map(Key => ({Key})), Quiet: true}}),
			);
			const failed = (answer.Errors ?? []).filter(e => e.Code !== 'NoSuchKey');
			if (failed.length > 0)
				throw new StoreError(
					failed[0]?.Code === 'AccessDenied' ? 'access-denied' : 'server',
					`could not delete ${failed.length} of ${keys.length} keys (${failed[0]?.Code ?? 'unknown'}: ${failed[0]?.Key ?? ''})`,
					{operation: 'delete-many'},
				);
		} catch (error) {
			this.noteErrorDate(error);
			throw classifyS3Error(error, 'delete-many');
		}
	}

	async listPage(prefix: string, options: ListOptions = {}): Promise<ListPage> {
		try {
			const answer = await this.client.send(
				new ListObjectsV2Command({
					Bucket: this.bucket,
					Prefix: prefix,
					StartAfter: options.continuationToken ? undefined : options.startAfter,
					MaxKeys: Math.min(options.pageSize ?? 1000, 1000),
					ContinuationToken: options.continuationToken,
				}),
			);
			return {
				entries: (answer.Contents ?? []).map(item => ({
					key: item.Key ?? '',
					etag: stripEtag(item.ETag),
					size: item.Size ?? 0,
					lastModified: item.LastModified?.getTime() ?? 0,
				})),
				nextContinuationToken: answer.IsTruncated ? answer.NextContinuationToken : undefined,
			};
		} catch (error) {
			this.noteErrorDate(error);
			throw classifyS3Error(error, 'list', prefix);
		}
	}

	/**
	The server's clock, from the `Date` header of a recent answer plus the monotonic time
	since it arrived. A request is made only when no answer came in the last 30 s.
	*/
	async serverTime(): Promise<number> {
		const sample = this.dateSample;
		if (sample && performance.now() - sample.localMonoMs < 30_000) return this.estimate();
		this.timeRequests++;
		try {
			await this.client.send(new HeadBucketCommand({Bucket: this.bucket}));
		} catch (error) {
			this.noteErrorDate(error);
			if (!this.dateSample) throw classifyS3Error(error, 'time');
		}
		if (!this.dateSample) throw new StoreError('unsupported', 'the server sends no Date header', {operation: 'time'});
		return this.estimate();
	}

	private estimate(): number {
		const {low, high} = this.dateSample!;
		// Whole milliseconds: the value lands in records and logs, where 1796148612957.6648 reads as noise.
		const now = Math.round(performance.now() + (low + high) / 2);
		this.lastServerTime = Math.max(this.lastServerTime, now);
		return this.lastServerTime;
	}

	/** Checks that the bucket exists and the credentials work; the cheapest request there is. */
	/**
	Creates the bucket (`doctor --create-bucket`, for a first run); 'exists' when it is already there and
	ours. Outside us-east-1, AWS wants the region as the location constraint.
	*/
	async createBucket(): Promise<'created' | 'exists'> {
		// Looked for first: in us-east-1 (and on Ceph) creating a bucket one owns answers 200, not an error.
		try {
			await this.checkBucket();
			return 'exists';
		} catch (error) {
			if (!isStoreError(error, 'bucket-missing')) throw error;
		}
		const region = await this.client.config.region();
		try {
			await this.client.send(
				new CreateBucketCommand({
					Bucket: this.bucket,
					...(region && region !== 'us-east-1'
						? {CreateBucketConfiguration: {LocationConstraint: region as never}}
						: {}),
				}),
			);
			return 'created';
		} catch (error) {
			const name = (error as {name?: string}).name;
			if (name === 'BucketAlreadyOwnedByYou') return 'exists';
			throw classifyS3Error(error, 'create-bucket');
		}
	}

	async checkBucket(): Promise<void> {
		try {
			await this.client.send(new HeadBucketCommand({Bucket: this.bucket}));
		} catch (error) {
			const classified = classifyS3Error(error, 'head-bucket');
			// HeadBucket answers have no body, so a 403 cannot tell bad credentials from missing
			// permission; a one-key listing says which.
			if (classified.kind === 'access-denied') {
				await this.listPage('', {pageSize: 1});
				return;
			}
			// A bare 404 here means the bucket itself is missing.
			if (classified.kind === 'not-found')
				throw new StoreError(
					'bucket-missing',
					`the bucket "${this.bucket}" does not exist: check BLOBFORGE_S3_BUCKET or create it`,
					{operation: 'head-bucket', status: 404, cause: error},
				);
			throw classified;
		}
	}

	/**
	Whether the provider honours `If-Match` on DELETE (a 2025 AWS feature). BlobForge never relies
	on it; `doctor` reports it. Deletes `key` when the condition is ignored.
	*/
	async probeConditionalDelete(key: string): Promise<'honoured' | 'ignored'> {
		try {
			await this.client.send(
				new DeleteObjectCommand({Bucket: this.bucket, Key: key, IfMatch: '00000000000000000000000000000000'}),
			);
		} catch (error) {
			if (classifyS3Error(error, 'delete', key).kind === 'precondition-failed') return 'honoured';
			throw classifyS3Error(error, 'delete', key);
		}
		return (await this.head(key)) === undefined ? 'ignored' : 'honoured';
	}

	private noteDate(header: string | undefined): void {
		if (!header) return;
		const serverMs = Date.parse(header);
		if (!Number.isFinite(serverMs)) return;
		const mono = performance.now();
		const low = serverMs - mono;
		// The header was written before the answer travelled back: allow half a second for that.
		const high = serverMs + 1500 - mono;
		const previous = this.dateSample;
		const overlaps = previous !== undefined && low < previous.high && high > previous.low;
		// Bounds that no longer overlap mean the server's clock was set: start again from this header.
		if (previous && !overlaps) this.lastServerTime = Number.NEGATIVE_INFINITY;
		const narrowed =
			previous && overlaps ? {low: Math.max(low, previous.low), high: Math.min(high, previous.high)} : {low, high};
		this.dateSample = {...narrowed, localMonoMs: mono};
	}

	private noteErrorDate(error: unknown): void {
		const headers = (error as {$response?: {headers?: Record<string, string>}} | undefined)?.$response?.headers;
		this.noteDate(headers?.['date']);
	}
}
