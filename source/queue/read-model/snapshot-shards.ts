/**
The snapshot's shards: every job in todo, failed and dead (and done ones still settling), split by
the first `width` hex digits of the hash into objects of at most ~100,000 jobs (~20 MB)
(`queue/snapshot/<prefix>.<id>.json`; `all` at width 0). Only the janitor and full readers
(ingest, `list`) read them; a console reads the head alone.

Few large shards rather than many small: a pass that folds J jobs into S shards touches about
S·(1 − e^(−J/S)) of them, a GET and a PUT each. A fleet of 100 folds ~180 jobs a pass: into 256
shards (1,000,000 jobs at 4,000 a shard) that was 1.2 requests a job; into 16 it is 0.2, for
twice the bytes rewritten (which cost nothing in-region) and the whole queue in the janitor's
memory for the pass (it held half of it before).

Shards are immutable: a compaction writes the shards it changed under a new id (create-only) and
its head, saved by compare-and-swap, names them; the head is the commit point. The replaced
objects are deleted after the head is saved. A janitor that lost the swap deletes what it wrote;
one that died leaves orphans, which a later pass deletes once they are an hour old.

Requests: load = 1 GET per shard, 16 at a time (a full reader keeps shards by id: unchanged ones
cost nothing); save = 1 PUT per changed shard; sweep = 1 LIST queue/snapshot/ (+ DeleteObjects).
*/
import {randomBytes} from 'node:crypto';
import {mapLimit} from '../../lib/concurrency.js';
import {collectAll, isNotModified} from '../../storage/object-store.js';
import type {QueueContext} from '../queue-context.js';
import {isObject, parseJson} from '../records.js';
import {validJobs, type JobSummary, type ShardIndex} from './event-fold.js';

/**
Orphans (shards a janitor that died mid-compaction wrote) are deleted once an hour old, looked for
every six hours: they come only from such deaths, and a look is a LIST a small fleet's pass would
otherwise make every time.
*/
export const shardLimits = {jobsPerShard: 100_000, orphanAgeMs: 60 * 60_000, orphanLookEveryMs: 6 * 60 * 60_000};

export type ShardJobs = Record<string, JobSummary>;

/** A shard that should be there could not be read: compaction stops rather than write the queue without it. */
export class ShardUnreadable extends Error {}

export function prefixOf(hash: string, width: number): string {
	return hash.slice(0, width);
}

export function allPrefixes(width: number): string[] {
	if (width === 0) return [''];
	return Array.from({length: 16 ** width}, (_, i) => i.toString(16).padStart(width, '0'));
}

/** The width for this many jobs: grow past `jobsPerShard` per shard, shrink below a quarter of it. */
export function widthFor(jobs: number, current: number): number {
	let width = current;
	while (width < 4 && jobs / 16 ** width > shardLimits.jobsPerShard) width++;
	while (width > 0 && jobs / 16 ** (width - 1) < shardLimits.jobsPerShard / 4) width--;
	return width;
}

export function newShardId(now: number): string {
	return `${Math.floor(now).toString(36)}-${randomBytes(3).toString('hex')}`;
}

export async function readShard(context: QueueContext, key: string): Promise<ShardJobs> {
	const got = await context.store.get(key);
	if (!got || isNotModified(got)) throw new ShardUnreadable(`${key}: named by the snapshot head but missing`);
	const json = parseJson(got.body);
	if (!json.ok || !isObject(json.value) || json.value['version'] !== 2 || !isObject(json.value['jobs']))
		throw new ShardUnreadable(`${key}: not a version 2 snapshot shard`);
	return validJobs(json.value['jobs']);
}

/** The shards a compaction works on: loaded on demand, written when changed. */
export class ShardSet {
	private readonly loaded = new Map<string, ShardJobs>();

	constructor(
		private readonly context: QueueContext,
		private readonly index: ShardIndex,
	) {}

	get width(): number {
		return this.index.width;
	}

	isLoaded(prefix: string): boolean {
		return this.loaded.has(prefix);
	}

	loadedPrefixes(): string[] {
		return [...this.loaded.keys()];
	}

	/** The jobs of one loaded shard. */
	shard(prefix: string): ShardJobs {
		return this.loaded.get(prefix) ?? {};
	}

	/** Loads the shards not loaded yet; returns their prefixes. */
	async load(prefixes: Iterable<string>): Promise<string[]> {
		const wanted = [...new Set(prefixes)].filter(p => !this.loaded.has(p));
		await mapLimit(wanted, 16, async prefix => {
			const id = this.index.ids[prefix];
			this.loaded.set(prefix, id ? await readShard(this.context, this.context.keys.snapshotShard(prefix, id)) : {});
		});
		return wanted;
	}

	async loadAll(): Promise<string[]> {
		return this.load(allPrefixes(this.index.width));
	}

	/**
	Writes the jobs of the given prefixes at `width` under a new id and returns the index to save with the
	head, the keys written (to delete if the head's swap fails) and the keys replaced (to delete after it).
	A changed width rewrites every shard: the caller must have loaded all of them.
	*/
	async save(
		jobs: ShardJobs,
		dirty: Iterable<string>,
		width: number,
		now: number,
	): Promise<{index: ShardIndex; written: string[]; replaced: string[]}> {
		const {keys} = this.context;
		const resharding = width !== this.index.width;
		const prefixes = resharding ? allPrefixes(width) : [...new Set(dirty)];
		const split = new Map<string, ShardJobs>(prefixes.map(p => [p, {}]));
		for (const [hash, job] of Object.entries(jobs)) {
			const shard = split.get(prefixOf(hash, width));
			if (shard) shard[hash] = job;
		}
		const id = newShardId(now);
		const ids = resharding ? {} : {...this.index.ids};
		const replaced = (resharding ? Object.keys(this.index.ids) : prefixes)
			.filter(p => this.index.ids[p] !== undefined)
			.map(p => keys.snapshotShard(p, this.index.ids[p]!));
		const written: string[] = [];
		await mapLimit([...split], 16, async ([prefix, shardJobs]) => {
			delete ids[prefix];
			if (Object.keys(shardJobs).length === 0) return;
			const key = keys.snapshotShard(prefix, id);
			await this.context.store.put(key, JSON.stringify({version: 2, prefix, jobs: shardJobs}), {
				condition: {kind: 'create-only'},
				contentType: 'application/json',
			});
			written.push(key);
			ids[prefix] = id;
		});
		return {index: {width, ids}, written, replaced};
	}
}

/** Shard objects the head does not name and older than an hour: left by janitors that died mid-compaction. */
export async function orphanShards(context: QueueContext, index: ShardIndex, now: number): Promise<string[]> {
	const named = new Set(Object.entries(index.ids).map(([p, id]) => context.keys.snapshotShard(p, id)));
	const listed = await collectAll(context.store, context.keys.snapshotShardFolder());
	return listed.filter(e => !named.has(e.key) && now - e.lastModified > shardLimits.orphanAgeMs).map(e => e.key);
}

/** Every job of every shard the head names (a full reader's copy), keeping shards already read by id. */
export async function readAllShards(
	context: QueueContext,
	index: ShardIndex,
	cache: Map<string, ShardJobs>,
): Promise<ShardJobs> {
	const keys = Object.entries(index.ids).map(([p, id]) => context.keys.snapshotShard(p, id));
	await mapLimit(
		keys.filter(k => !cache.has(k)),
		16,
		async key => {
			cache.set(key, await readShard(context, key));
		},
	);
	for (const key of cache.keys()) if (!keys.includes(key)) cache.delete(key);
	return Object.assign({}, ...keys.map(k => cache.get(k)!)) as ShardJobs;
}
