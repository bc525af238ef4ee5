/**
A source of time. Everything that waits or compares times takes a Clock, so lease and
heartbeat logic is tested by advancing a ManualClock instead of sleeping.
*/
export interface Clock {
	/** Milliseconds since the epoch, as this machine (or the test) sees it. */
	now(): number;
	/** Resolves after `ms`, or rejects with an AbortError when `signal` aborts first. */
	sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

function abortError(): Error {
	const error = new Error('The operation was aborted');
	error.name = 'AbortError';
	return error;
}

export const systemClock: Clock = {
	now: () => Date.now(),
	sleep: async (ms, signal) =>
		new Promise<void>((resolve, reject) => {
			if (signal?.aborted) {
				reject(abortError());
				return;
			}
			const timer = setTimeout(
				() => {
					signal?.removeEventListener('abort', onAbort);
					resolve();
				},
				Math.max(0, ms),
			);
			const onAbort = () => {
				clearTimeout(timer);
				reject(abortError());
			};
			signal?.addEventListener('abort', onAbort, {once: true});
		}),
};

type Sleeper = {wakeAt: number; resolve: () => void};

/** A clock that moves only when told to; sleepers wake when `advance` passes their time. */
export class ManualClock implements Clock {
	private current: number;
	private sleepers: Sleeper[] = [];

	constructor(start = Date.UTC(2026, 0, 1)) {
		this.current = start;
	}

	now(): number {
		return this.current;
	}

	async sleep(ms: number, signal?: AbortSignal): Promise<void> {
		if (signal?.aborted) throw abortError();
		if (ms <= 0) return;
		await new Promise<void>((resolve, reject) => {
			const onAbort = () => {
				this.sleepers = this.sleepers.filter(s => s !== sleeper);
				reject(abortError());
			};
			// A sleeper that wakes takes its abort listener along: a loop sleeping on one signal would pile them up.
			const sleeper: Sleeper = {
				wakeAt: this.current + ms,
				resolve() {
					signal?.removeEventListener('abort', onAbort);
					resolve();
				},
			};
			this.sleepers.push(sleeper);
			signal?.addEventListener('abort', onAbort, {once: true});
		});
	}

	set(ms: number): void {
		this.current = ms;
		this.wake();
	}

	advance(ms: number): void {
		this.set(this.current + ms);
	}

	/** How many sleepers are waiting; lets a test wait until a loop has gone to sleep. */
	get pendingSleepers(): number {
		return this.sleepers.length;
	}

	private wake(): void {
		const due = this.sleepers.filter(s => s.wakeAt <= this.current);
		this.sleepers = this.sleepers.filter(s => s.wakeAt > this.current);
		for (const sleeper of due) sleeper.resolve();
	}
}

/** A clock offset from another by a fixed amount: a machine whose clock is wrong. */
export function skewedClock(base: Clock, offsetMs: number): Clock {
	return {now: () => base.now() + offsetMs, sleep: (ms, signal) => base.sleep(ms, signal)};
}
