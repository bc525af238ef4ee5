/** What every transition needs: the store, the key layout, a clock, the remote config. */
import type {Clock} from '../lib/clock.js';
import type {ObjectStore} from '../storage/object-store.js';
import type {Keys} from './keys.js';
import type {RemoteConfig} from './records.js';

export type QueueContext = {
	store: ObjectStore;
	keys: Keys;
	/** Local time, for logs and measuring durations only; staleness always uses store.serverTime(). */
	clock: Clock;
	config: () => RemoteConfig;
};
