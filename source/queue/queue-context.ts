/** What every transition needs: the store, the key layout, a clock, the remote config. */
import {type Clock, systemClock} from '../lib/clock.js';
import type {ObjectStore} from '../storage/object-store.js';
import {Keys} from './keys.js';
import {defaultRemoteConfig, type RemoteConfig} from './records.js';

export type QueueContext = {
	store: ObjectStore;
	keys: Keys;
	/** Local time, for logs and measuring durations only; staleness always uses store.serverTime(). */
	clock: Clock;
	config: () => RemoteConfig;
};

/**
The one way to build a context: the store, under `prefix` (pdf/), on the system clock, with the
default remote config unless given one (a value, or a function for a config that is re-read).
*/
export function openQueueContext(
	store: ObjectStore,
	options: {prefix?: string; clock?: Clock; config?: RemoteConfig | (() => RemoteConfig)} = {},
): QueueContext {
	const config = options.config ?? defaultRemoteConfig;
	return {
		store,
		keys: new Keys(options.prefix ?? 'pdf/'),
		clock: options.clock ?? systemClock,
		config: typeof config === 'function' ? config : () => config,
	};
}
