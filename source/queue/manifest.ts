/**
The ingest manifest (`registry/manifest.json`), in the earlier system's format so its buckets and
tools keep working: {version: 1, updated_at, entries: {<sha256>: {paths, size, tags, ingested_at,
source}}}.

Requests: update = GET + PUT If-Match (If-None-Match: * when absent), repeated with backoff and
jitter on a lost race, so concurrent ingests lose no entry. One update per batch of files, not per
file. Readers GET it once.
*/
import {systemClock, type Clock} from '../lib/clock.js';
import {isNotModified} from '../storage/object-store.js';
import {isStoreError} from '../storage/store-error.js';
import type {QueueContext} from './queue-context.js';
import {bounded, bounds, numberField, stringField} from './fields.js';
import {isObject, parseJson, type Parsed} from './records.js';

export type ManifestEntry = {paths: string[]; size: number; tags: string[]; ingested_at: string; source: string};

export type Manifest = {version: 1; updated_at: string; entries: Record<string, ManifestEntry>};

export function emptyManifest(): Manifest {
	return {version: 1, updated_at: new Date(0).toISOString(), entries: {}};
}

export function parseManifest(body: Uint8Array | string): Parsed<Manifest> & {skipped?: string[]} {
	const json = parseJson(body);
	if (!json.ok) return json;
	const v = json.value;
	if (!isObject(v) || !isObject(v['entries'])) return {ok: false, reason: 'not a manifest (no entries object)'};
	if (v['version'] !== undefined && v['version'] !== 1)
		return {ok: false, reason: `unknown manifest version ${JSON.stringify(v['version'])}`};
	const entries: Record<string, ManifestEntry> = {};
	const skipped: string[] = [];
	for (const [hash, raw] of Object.entries(v['entries'])) {
		if (!/^[0-9a-f]{64}$/.test(hash) || !isObject(raw)) {
			skipped.push(`entry ${hash.slice(0, 16)}: not a hash with an object`);
			continue;
		}
		entries[hash] = {
			paths: strings(raw['paths'], bounds.name),
			size: numberField(raw, 'size', {min: 0}) ?? 0,
			tags: strings(raw['tags'], bounds.label),
			ingested_at: stringField(raw, 'ingested_at', bounds.label) ?? '',
			source: stringField(raw, 'source', bounds.name) ?? '',
		};
	}
	return {
		ok: true,
		value: {version: 1, updated_at: typeof v['updated_at'] === 'string' ? v['updated_at'] : '', entries},
		...(skipped.length > 0 ? {skipped} : {}),
	};
}

/** The strings of a list read from the bucket, each bounded, at most 1,000 of them. */
function strings(raw: unknown, max: number): string[] {
	if (!Array.isArray(raw)) return [];
	return raw
		.filter((p): p is string => typeof p === 'string')
		.slice(0, 1000)
		.map(p => bounded(p, max));
}

export type LoadedManifest = {manifest: Manifest; etag?: string; problem?: string};

/** Reads the manifest; with `knownEtag`, answers 'not-modified' (a 304, no download) while it is unchanged. */
export async function loadManifest(context: Pick<QueueContext, 'store' | 'keys'>): Promise<LoadedManifest>;
export async function loadManifest(
	context: Pick<QueueContext, 'store' | 'keys'>,
	knownEtag: string | undefined,
): Promise<LoadedManifest | 'not-modified'>;
export async function loadManifest(
	context: Pick<QueueContext, 'store' | 'keys'>,
	knownEtag?: string,
): Promise<LoadedManifest | 'not-modified'> {
	const got = await context.store.get(context.keys.manifest(), knownEtag ? {ifNoneMatch: knownEtag} : undefined);
	if (isNotModified(got)) return 'not-modified';
	if (!got) return {manifest: emptyManifest()};
	const parsed = parseManifest(got.body);
	if (!parsed.ok)
		return {manifest: emptyManifest(), etag: got.etag, problem: `${context.keys.manifest()}: ${parsed.reason}`};
	return {
		manifest: parsed.value,
		etag: got.etag,
		...(parsed.skipped
			? {problem: `${context.keys.manifest()}: ${parsed.skipped.length} malformed entries skipped`}
			: {}),
	};
}

/** Merges an entry: new hashes are added; known ones gain new paths and tags (order kept). */
export function mergeEntry(manifest: Manifest, hash: string, entry: ManifestEntry): void {
	const known = manifest.entries[hash];
	if (!known) {
		manifest.entries[hash] = entry;
		return;
	}
	for (const p of entry.paths) if (!known.paths.includes(p)) known.paths.push(p);
	for (const tag of entry.tags) if (!known.tags.includes(tag)) known.tags.push(tag);
}

/**
Applies `change` to the manifest with compare-and-swap, retrying lost races with backoff.
A manifest that cannot be parsed is never overwritten: that would lose every entry.
*/
export async function updateManifest(
	context: Pick<QueueContext, 'store' | 'keys'>,
	change: (manifest: Manifest) => void,
	options: {clock?: Clock; maxAttempts?: number} = {},
): Promise<Manifest> {
	const clock = options.clock ?? systemClock;
	const maxAttempts = options.maxAttempts ?? 20;
	for (let attempt = 1; ; attempt++) {
		const loaded = await loadManifest(context);
		if (loaded.problem && loaded.etag && Object.keys(loaded.manifest.entries).length === 0) {
			throw new Error(
				`${loaded.problem}; not overwriting it (fix or remove it, or run \`blobforge manifest rebuild\`)`,
			);
		}
		const manifest = loaded.manifest;
		change(manifest);
		manifest.updated_at = new Date(clock.now()).toISOString();
		try {
			await context.store.put(context.keys.manifest(), JSON.stringify(manifest, null, 2), {
				condition: loaded.etag ? {kind: 'if-match', etag: loaded.etag} : {kind: 'create-only'},
				contentType: 'application/json',
			});
			return manifest;
		} catch (error) {
			if (!isStoreError(error, 'precondition-failed') || attempt >= maxAttempts) throw error;
			await clock.sleep(Math.random() * Math.min(2000, 50 * 2 ** attempt));
		}
	}
}
