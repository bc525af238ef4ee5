/**
The manifest entry (paths and tags) of a job, for its info.json. The manifest is cached and read
again with a conditional GET at most every five minutes, or when a job's hash is missing from it
(at most once a minute): never one manifest download per job.
*/
import type {Clock} from '../lib/clock.js';
import {loadManifest, type Manifest, type ManifestEntry} from '../queue/manifest.js';
import type {QueueContext} from '../queue/queue-context.js';
import {errorText, type WorkerEmitter} from './events.js';

export class ManifestCache {
	private cache?: {manifest: Manifest; etag: string | undefined; fetchedAt: number};

	constructor(
		private readonly context: QueueContext,
		private readonly clock: Clock,
		private readonly events: WorkerEmitter,
	) {}

	async entry(hash: string): Promise<ManifestEntry | undefined> {
		const now = this.clock.now();
		const cache = this.cache;
		const due =
			!cache ||
			now - cache.fetchedAt > 300_000 ||
			(!(hash in cache.manifest.entries) && now - cache.fetchedAt > 60_000);
		if (due) {
			try {
				const loaded = await loadManifest(this.context, cache?.etag);
				if (loaded !== 'not-modified') this.cache = {manifest: loaded.manifest, etag: loaded.etag, fetchedAt: now};
				else if (cache) this.cache = {...cache, fetchedAt: now};
			} catch (error) {
				this.events.emit('manifest-read-failed', {error: errorText(error)});
			}
		}
		return this.cache?.manifest.entries[hash];
	}
}
