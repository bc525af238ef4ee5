/**
Carries the worker through the store's passing troubles: a network, server or throttling error
(after the store's own retries) is reported and waited out, with backoff up to a minute, and the
worker goes on; whatever a failed cycle left (a fresh lease) goes stale and the janitor recovers it.
Errors no wait can cure (credentials, permissions, a missing bucket) and anything that is not a
store error (a bug, which must surface: systemd restarts the worker) end the worker.
*/
import type {Clock} from '../lib/clock.js';
import {isStoreError, type StoreErrorKind} from '../storage/store-error.js';
import {errorText, type WorkerEmitter} from './events.js';

/** Store errors that waiting cannot cure: the worker stops and says why. */
const fatalKinds = new Set<StoreErrorKind>([
	'access-denied',
	'bad-credentials',
	'bucket-missing',
	'unsupported',
	'clock-skew',
]);

export class StoreTrouble {
	/** Cycles that failed in a row on store errors, for the backoff. */
	private failedRounds = 0;

	constructor(
		private readonly clock: Clock,
		private readonly stop: AbortSignal,
		private readonly events: WorkerEmitter,
		private readonly onTrouble: () => void,
	) {}

	/** A cycle went through: the next trouble waits one second again. */
	clear(): void {
		this.failedRounds = 0;
	}

	async survive(cycle: () => Promise<'continue' | 'stop'>): Promise<'continue' | 'stop'> {
		try {
			return await cycle();
		} catch (error) {
			if (!isStoreError(error) || fatalKinds.has(error.kind)) throw error;
			this.failedRounds++;
			const waitMs = Math.min(60_000, 1000 * 2 ** Math.min(this.failedRounds - 1, 6));
			this.onTrouble();
			this.events.emit('store-trouble', {error: errorText(error), attempt: this.failedRounds, retryInMs: waitMs});
			await this.clock.sleep(waitMs, this.stop).catch(() => undefined);
			return 'continue';
		}
	}
}
