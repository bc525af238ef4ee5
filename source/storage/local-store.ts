/**
The embedded default store: a local directory with S3's semantics, for single-machine use
and the demo. Several worker processes on one machine may share it safely.

Layout under the root:
- `objects/<segment>.d/.../<segment>.o`: one file per object, a 4-byte header length, a JSON
  header (key, ETag, size, last-modified, metadata, content type), then the body. Key segments
  are percent-encoded so any key maps to a safe path, and `.o`/`.d` suffixes keep an object
  `a` apart from the folder of `a/b`.
- `locks/<sha1 of key>`: a lock file (O_EXCL) held while one write decides its condition and
  lands; a lock whose process died, or that nobody touched for 30 s, is taken over (file-lock.ts).
- `tmp/`: bodies being written; a rename makes each write atomic for readers.

ETags are the MD5 of the body, as S3's single-part ETags are; last-modified comes from the
store's clock (injectable, so tests can skew it).
*/
import {createHash, randomBytes} from 'node:crypto';
import {constants, createReadStream, createWriteStream} from 'node:fs';
import {pipeline} from 'node:stream/promises';
import {
	link,
	mkdir,
	open,
	readdir,
	readFile,
	rename,
	rmdir,
	unlink,
	writeFile,
	type FileHandle,
} from 'node:fs/promises';
import path from 'node:path';
import {systemClock, type Clock} from '../lib/clock.js';
import {isErrno} from '../lib/errors.js';
import type {
	FileOptions,
	GetOptions,
	GetResult,
	ListEntry,
	ListOptions,
	ListPage,
	ObjectInfo,
	ObjectStore,
	PutOptions,
	TransferOptions,
	WriteCondition,
} from './object-store.js';
import {toBytes} from './object-store.js';
import {withFileLock} from './file-lock.js';
import {abortedError, StoreError, isStoreError} from './store-error.js';

type Header = {
	key: string;
	etag: string;
	size: number;
	lastModified: number;
	metadata: Record<string, string>;
	contentType?: string;
};

const maxSegmentLength = 200;

function encodeSegment(segment: string): string {
	const encoded = Buffer.from(segment, 'utf8')
		.toString('latin1')
		.replaceAll(/[^A-Za-z0-9_-]/g, c => `%${c.charCodeAt(0).toString(16).padStart(2, '0').toUpperCase()}`);
	return `k${encoded}`;
}

/** A file name's key segment as a byte string (latin1: one char per UTF-8 byte). */
function segmentBytes(name: string): string {
	const body = name.slice(1);
	return body.includes('%')
		? body.replaceAll(/%([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)))
		: body;
}

/** A new object's header: metadata names in lower case, as S3 returns them. */
function headerOf(key: string, etag: string, size: number, options: FileOptions): Header {
	return {
		key,
		etag,
		size,
		lastModified: 0,
		metadata: Object.fromEntries(Object.entries(options.metadata ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
		...(options.contentType ? {contentType: options.contentType} : {}),
	};
}

/** Reads the length-prefixed header at the start of an object file. */
async function headerFrom(handle: FileHandle): Promise<{header: Header; bodyStart: number}> {
	const first = Buffer.alloc(4096);
	const {bytesRead} = await handle.read(first, 0, first.byteLength, 0);
	const length = first.readUInt32BE(0);
	let headerBytes = first.subarray(4, Math.min(bytesRead, 4 + length));
	if (4 + length > bytesRead) {
		headerBytes = Buffer.alloc(length);
		await handle.read(headerBytes, 0, length, 4);
	}
	return {header: JSON.parse(headerBytes.toString('utf8')) as Header, bodyStart: 4 + length};
}

function fsError(error: unknown, operation: string, key?: string): StoreError {
	const code = (error as NodeJS.ErrnoException | undefined)?.code;
	if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS')
		return new StoreError('access-denied', `access denied: the local store is not writable (${code})`, {
			operation,
			key,
			cause: error,
		});
	if (code === 'ENOENT') return new StoreError('not-found', 'no such key', {operation, key, cause: error});
	// Not fatal: a worker waits it out (and retries) once space is freed; nothing was written.
	const noRoom = {
		ENOSPC: 'its disk is full',
		EDQUOT: 'the disk quota is used up',
		EFBIG: 'a file-size limit (ulimit -f) was reached',
	}[code ?? ''];
	if (noRoom)
		return new StoreError('no-space', `the local store could not write: ${noRoom} (${code}); nothing was written`, {
			operation,
			key,
			cause: error,
		});
	return new StoreError('unknown', `local store failed: ${(error as Error).message}`, {operation, key, cause: error});
}

export type LocalStoreOptions = {
	/** The store's directory; created on first write. */
	root: string;
	/** @default systemClock */
	clock?: Clock;
};

export class LocalStore implements ObjectStore {
	readonly location: string;
	private readonly root: string;
	private readonly clock: Clock;

	constructor(options: LocalStoreOptions) {
		this.root = path.resolve(options.root);
		this.clock = options.clock ?? systemClock;
		this.location = `local:${this.root}`;
	}

	async get(key: string, options: GetOptions = {}): Promise<GetResult | undefined> {
		const file = await this.readObject(key, 'get');
		if (!file) return undefined;
		if (options.ifNoneMatch !== undefined && options.ifNoneMatch === file.header.etag)
			return {notModified: true, etag: file.header.etag};
		return {...file.header, body: file.body};
	}

	async head(key: string): Promise<ObjectInfo | undefined> {
		// The header only: a HEAD of a 200 MB raw PDF reads a few hundred bytes.
		return this.readHeader(this.objectPath(key));
	}

	async put(key: string, body: Uint8Array | string, options: PutOptions = {}): Promise<{etag: string}> {
		const bytes = toBytes(body);
		const header = headerOf(key, createHash('md5').update(bytes).digest('hex'), bytes.byteLength, options);
		return this.writeObject(key, header, options.condition ?? {kind: 'none'}, async (temporary, prefix) =>
			writeFile(temporary, Buffer.concat([prefix, bytes])),
		);
	}

	/** Streams the file in after the header: memory stays bounded whatever its size. */
	async putFile(key: string, file: string, options: FileOptions = {}): Promise<{etag: string}> {
		const {signal} = options;
		const givenUp = (error: unknown): never => {
			throw signal?.aborted ? abortedError('put', key, error) : error;
		};
		const hash = createHash('md5');
		let size = 0;
		try {
			for await (const chunk of createReadStream(file, {signal})) {
				hash.update(chunk as Buffer);
				size += (chunk as Buffer).byteLength;
			}
		} catch (error) {
			givenUp(error);
		}
		return this.writeObject(
			key,
			headerOf(key, hash.digest('hex'), size, options),
			{kind: 'none'},
			async (temporary, prefix) => {
				await writeFile(temporary, prefix);
				const target = createWriteStream(temporary, {flags: 'a'});
				await pipeline(createReadStream(file), target, ...(signal ? [{signal}] : [])).catch(givenUp);
			},
		);
	}

	/**
	The one write path: under the key's lock, check the condition, write the length-prefixed header
	and the body (by `writeBody`) to a temporary file, and rename it into place.
	*/
	private async writeObject(
		key: string,
		header: Header,
		condition: WriteCondition,
		writeBody: (temporary: string, prefix: Buffer) => Promise<void>,
	): Promise<{etag: string}> {
		const target = this.objectPath(key);
		return this.withKeyLock(key, 'put', async () => {
			if (condition.kind !== 'none') {
				// The condition needs the ETag only: a create-only write never reads a large object's body.
				const current = await this.readHeader(target, 'put');
				if (condition.kind === 'create-only' && current)
					throw new StoreError('precondition-failed', 'the write condition was false (the key exists)', {
						operation: 'put-create-only',
						key,
						status: 412,
					});
				if (condition.kind === 'if-match' && current?.etag !== condition.etag)
					throw new StoreError('precondition-failed', 'the write condition was false (the ETag changed)', {
						operation: 'put-if-match',
						key,
						status: 412,
					});
			}
			header.lastModified = this.clock.now();
			const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
			const length = Buffer.alloc(4);
			length.writeUInt32BE(headerBytes.byteLength);
			const temporary = path.join(this.root, 'tmp', `${randomBytes(8).toString('hex')}`);
			await mkdir(path.dirname(temporary), {recursive: true});
			try {
				await writeBody(temporary, Buffer.concat([length, headerBytes]));
			} catch (error) {
				// A half-written body (a full disk) must not keep the space it took.
				await unlink(temporary).catch(() => undefined);
				throw error;
			}
			if (condition.kind === 'create-only') await this.linkIntoPlace(key, temporary, target);
			else await this.renameIntoPlace(temporary, target);
			return {etag: header.etag};
		});
	}

	/** Streams the body out of the one open file, so a concurrent replace cannot mix two versions. */
	async getFile(key: string, file: string, options: TransferOptions = {}): Promise<ObjectInfo | undefined> {
		let handle: FileHandle;
		try {
			handle = await open(this.objectPath(key), constants.O_RDONLY);
		} catch (error) {
			if (isErrno(error, 'ENOENT') || isErrno(error, 'ENOTDIR')) return undefined;
			throw fsError(error, 'get', key);
		}
		try {
			const {header, bodyStart} = await headerFrom(handle);
			const {signal} = options;
			const source = handle.createReadStream({start: bodyStart, autoClose: false});
			await pipeline(source, createWriteStream(file), ...(signal ? [{signal}] : [])).catch((error: unknown) => {
				throw signal?.aborted ? abortedError('get', key, error) : error;
			});
			return header;
		} finally {
			await handle.close();
		}
	}

	async delete(key: string): Promise<void> {
		const target = this.objectPath(key);
		await this.withKeyLock(key, 'delete', async () => {
			try {
				await unlink(target);
			} catch (error) {
				if (isErrno(error, 'ENOENT')) return;
				throw fsError(error, 'delete', key);
			}
			await this.pruneEmptyFolders(path.dirname(target));
		});
	}

	async deleteMany(keys: string[]): Promise<void> {
		if (keys.length > 1000)
			throw new StoreError('unsupported', 'at most 1,000 keys per deleteMany', {operation: 'delete-many'});
		for (const key of keys) {
			await this.delete(key);
		}
	}

	/**
	One page in key order: the walk visits each folder's children in key order and skips folders
	wholly before the start-after key, so a page costs the folders on its path, not the whole store.
	*/
	async listPage(prefix: string, options: ListOptions = {}): Promise<ListPage> {
		const pageSize = Math.max(1, Math.min(options.pageSize ?? 1000, 1000));
		const after = options.continuationToken ?? options.startAfter;
		const slash = prefix.lastIndexOf('/');
		const folder = path.join(
			this.root,
			'objects',
			...(slash < 0 ? [] : prefix.slice(0, slash).split('/')).map(s => `${encodeSegment(s)}.d`),
		);
		// One more than the page, to know whether another page follows.
		const found: Array<{key: string; file: string}> = [];
		const bytesOf = (text: string) => Buffer.from(text, 'utf8').toString('latin1');
		await this.walkInOrder({
			folder,
			keyBase: bytesOf(slash < 0 ? '' : prefix.slice(0, slash + 1)),
			partial: bytesOf(prefix.slice(slash + 1)),
			...(after === undefined ? {} : {after: bytesOf(after)}),
			limit: pageSize + 1,
			found,
		});
		const slice = found.slice(0, pageSize);
		const entries: ListEntry[] = [];
		for (const {key, file} of slice) {
			const header = await this.readHeader(file);
			if (header) entries.push({key, etag: header.etag, size: header.size, lastModified: header.lastModified});
		}
		return {entries, nextContinuationToken: found.length > pageSize ? slice.at(-1)?.key : undefined};
	}

	async serverTime(): Promise<number> {
		return this.clock.now();
	}

	/** The file path an object lives at; throws for keys S3 would refuse too. */
	private objectPath(key: string): string {
		if (key.length === 0 || Buffer.byteLength(key, 'utf8') > 1024)
			throw new StoreError(
				'unsupported',
				`invalid key (empty or longer than 1,024 bytes): ${JSON.stringify(key.slice(0, 80))}`,
				{key},
			);
		const segments = key.split('/').map(encodeSegment);
		if (segments.some(s => s.length > maxSegmentLength))
			throw new StoreError(
				'unsupported',
				`the local store supports key segments up to ${maxSegmentLength} encoded characters`,
				{key},
			);
		const last = segments.pop()!;
		return path.join(this.root, 'objects', ...segments.map(s => `${s}.d`), `${last}.o`);
	}

	private async readObject(key: string, operation: string): Promise<{header: Header; body: Uint8Array} | undefined> {
		let data: Buffer;
		try {
			data = await readFile(this.objectPath(key));
		} catch (error) {
			if (isErrno(error, 'ENOENT') || isErrno(error, 'ENOTDIR')) return undefined;
			throw fsError(error, operation, key);
		}
		const length = data.readUInt32BE(0);
		const header = JSON.parse(data.subarray(4, 4 + length).toString('utf8')) as Header;
		return {header, body: new Uint8Array(data.buffer, data.byteOffset + 4 + length, data.byteLength - 4 - length)};
	}

	/** An object's header alone (a few hundred bytes, whatever the body's size); undefined when missing. */
	private async readHeader(file: string, operation = 'list'): Promise<Header | undefined> {
		let handle: FileHandle;
		try {
			handle = await open(file, constants.O_RDONLY);
		} catch (error) {
			if (isErrno(error, 'ENOENT') || isErrno(error, 'ENOTDIR')) return undefined; // missing, or deleted while listing
			throw fsError(error, operation);
		}
		try {
			return (await headerFrom(handle)).header;
		} finally {
			await handle.close();
		}
	}

	/**
	Appends the objects under `folder` whose keys start with `keyBase + partial` and sort after
	`after`, in key order, until `limit` are found. Children sort by their key (a folder by its key
	plus '/'), which is S3's order: everything in folder `a/` sorts after object `a` and before `a0`.
	Keys are handled as byte strings (latin1: one char per UTF-8 byte), so plain string comparison is
	S3's byte order and nothing is converted but the keys returned.
	*/
	private async walkInOrder(at: {
		folder: string;
		keyBase: string;
		partial: string;
		after?: string;
		limit: number;
		found: Array<{key: string; file: string}>;
	}): Promise<void> {
		const {keyBase, partial, after, limit, found} = at;
		let names: string[];
		try {
			names = await readdir(at.folder);
		} catch (error) {
			if (isErrno(error, 'ENOENT') || isErrno(error, 'ENOTDIR')) return;
			throw fsError(error, 'list');
		}
		const children: Array<{bytes: string; isFolder: boolean; name: string}> = [];
		for (const name of names) {
			const isFolder = name.endsWith('.d');
			if (!isFolder && !name.endsWith('.o')) continue;
			const segment = segmentBytes(name.slice(0, -2));
			if (!segment.startsWith(partial)) continue;
			const bytes = `${keyBase}${segment}${isFolder ? '/' : ''}`;
			// A folder wholly before the start-after key (it sorts before it and does not contain it) is skipped.
			if (after !== undefined && bytes <= after && !(isFolder && after.startsWith(bytes))) continue;
			children.push({bytes, isFolder, name});
		}
		children.sort((a, b) => (a.bytes < b.bytes ? -1 : a.bytes > b.bytes ? 1 : 0));
		for (const child of children) {
			if (found.length >= limit) return;
			const file = path.join(at.folder, child.name);
			if (child.isFolder) {
				await this.walkInOrder({folder: file, keyBase: child.bytes, partial: '', after, limit, found});
			} else {
				found.push({key: Buffer.from(child.bytes, 'latin1').toString('utf8'), file});
			}
		}
	}

	/**
	A create-only write lands with link(2), which fails when the target exists: the condition holds at the
	moment of landing even if this writer was paused so long that its lock was taken over meanwhile.
	*/
	private async linkIntoPlace(key: string, temporary: string, target: string): Promise<void> {
		for (let attempt = 0; ; attempt++) {
			try {
				await mkdir(path.dirname(target), {recursive: true});
				await link(temporary, target);
				await unlink(temporary).catch(() => undefined);
				return;
			} catch (error) {
				if (isErrno(error, 'ENOENT') && attempt < 20) continue;
				// A file system without hard links: the lock alone keeps the condition.
				if (isErrno(error, 'EPERM') || isErrno(error, 'ENOTSUP') || isErrno(error, 'EOPNOTSUPP'))
					return this.renameIntoPlace(temporary, target);
				await unlink(temporary).catch(() => undefined);
				if (isErrno(error, 'EEXIST'))
					throw new StoreError('precondition-failed', 'the write condition was false (the key exists)', {
						operation: 'put-create-only',
						key,
						status: 412,
					});
				throw fsError(error, 'put');
			}
		}
	}

	private async renameIntoPlace(temporary: string, target: string): Promise<void> {
		for (let attempt = 0; ; attempt++) {
			try {
				await mkdir(path.dirname(target), {recursive: true});
				await rename(temporary, target);
				return;
			} catch (error) {
				// A concurrent delete pruned the folder between mkdir and rename: make it again.
				if (isErrno(error, 'ENOENT') && attempt < 20) continue;
				await unlink(temporary).catch(() => undefined);
				throw fsError(error, 'put');
			}
		}
	}

	private async pruneEmptyFolders(folder: string): Promise<void> {
		const objects = path.join(this.root, 'objects');
		let current = folder;
		while (current.startsWith(objects) && current !== objects) {
			try {
				await rmdir(current);
			} catch {
				return; // not empty, or already gone
			}
			current = path.dirname(current);
		}
	}

	/** Runs `action` while holding this key's lock file, so condition checks and writes are atomic across processes. */
	private async withKeyLock<T>(key: string, operation: string, action: () => Promise<T>): Promise<T> {
		const lock = path.join(this.root, 'locks', createHash('sha1').update(key).digest('hex'));
		await mkdir(path.dirname(lock), {recursive: true}).catch((error: unknown) => {
			throw fsError(error, operation, key);
		});
		try {
			return await withFileLock(lock, action);
		} catch (error) {
			// The action's store errors (a false condition) pass through; anything else is the file system's.
			throw isStoreError(error) ? error : fsError(error, operation, key);
		}
	}
}
