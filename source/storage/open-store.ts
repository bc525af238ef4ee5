/**
Builds the store a command works on: the backend named by the settings, wrapped so that
every request is counted (each attempt, as the provider bills it) and safe requests retry.
*/
import type {Clock} from '../lib/clock.js';
import type {StoreSettings} from '../lib/settings.js';
import {CountingStore} from './counting-store.js';
import {LocalStore} from './local-store.js';
import type {ObjectStore} from './object-store.js';
import {RequestStats} from './request-stats.js';
import {RetryingStore, type RetryOptions} from './retrying-store.js';
import {S3Store} from './s3-store.js';

export type OpenedStore = {
	/** The store to use: retries over counting over the backend. */
	store: ObjectStore;
	/** The bare backend, for backend-specific probes (doctor). */
	backend: S3Store | LocalStore;
	stats: RequestStats;
};

export type OpenStoreOptions = {
	clock?: Clock;
	retry?: RetryOptions;
	/** Wraps the counted backend, e.g. with fault injection in tests and the soak. */
	wrap?: (store: ObjectStore) => ObjectStore;
};

export function openStore(settings: StoreSettings, options: OpenStoreOptions = {}): OpenedStore {
	const backend =
		settings.kind === 's3'
			? new S3Store({bucket: settings.bucket, region: settings.region, endpoint: settings.endpoint, forcePathStyle: settings.forcePathStyle, credentials: settings.credentials})
			: new LocalStore({root: settings.dir, clock: options.clock});
	const stats = new RequestStats();
	const counted = new CountingStore(backend, stats);
	const wrapped = options.wrap ? options.wrap(counted) : counted;
	return {store: new RetryingStore(wrapped, {clock: options.clock, ...options.retry}), backend, stats};
}
