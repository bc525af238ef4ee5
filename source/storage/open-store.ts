/**
Builds the store a command works on: the backend named by the settings, with middleware so that
every request is counted (each attempt, as the provider bills it) and safe requests retry.
*/
import type {Clock} from '../lib/clock.js';
import type {StoreSettings} from '../lib/settings.js';
import {counting} from './counting.js';
import {LocalStore} from './local-store.js';
import type {ObjectStore} from './object-store.js';
import {RequestStats} from './request-stats.js';
import {retrying, type RetryOptions} from './retrying.js';
import {composeStore, type Middleware} from './store-chain.js';
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
	/** Middleware between the retries and the counting, e.g. fault injection in tests and the soak. */
	middleware?: Middleware[];
};

export function openStore(settings: StoreSettings, options: OpenStoreOptions = {}): OpenedStore {
	const backend =
		settings.kind === 's3'
			? new S3Store({
					bucket: settings.bucket,
					region: settings.region,
					endpoint: settings.endpoint,
					forcePathStyle: settings.forcePathStyle,
					credentials: settings.credentials,
				})
			: new LocalStore({root: settings.dir, clock: options.clock});
	const stats = new RequestStats();
	// Outermost first: a retry is a request of its own, so it is counted (and may meet a fault).
	const chain = [retrying({clock: options.clock, ...options.retry}), ...(options.middleware ?? []), counting(stats)];
	return {store: composeStore(backend, chain), backend, stats};
}
