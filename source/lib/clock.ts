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

type Sleeper = {wakeAt: number; order: number; resolve: () => void; cancelled: boolean};

/**
A clock that moves only when told to; sleepers wake when `advance` passes their time, in the
order of their wake times (then of their sleeps). The sleepers wait in a heap, so a simulated
fleet of 10,000 loops costs a logarithm per sleep, not a scan.
*/
export class ManualClock implements Clock {
	private current: number;
	private readonly heap: Sleeper[] = [];
	private order = 0;
	private waiting = 0;

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
				sleeper.cancelled = true;
				this.waiting--;
				reject(abortError());
			};
			// A sleeper that wakes takes its abort listener along: a loop sleeping on one signal would pile them up.
			const sleeper: Sleeper = {
				wakeAt: this.current + ms,
				order: this.order++,
				cancelled: false,
				resolve() {
					signal?.removeEventListener('abort', onAbort);
					resolve();
				},
			};
			this.push(sleeper);
			this.waiting++;
			signal?.addEventListener('abort', onAbort, {once: true});
		});
	}

	set(ms: number): void {
		this.current = ms;
		for (let next = this.peek(); next && next.wakeAt <= this.current; next = this.peek()) {
			this.pop();
			this.waiting--;
			next.resolve();
		}
	}

	advance(ms: number): void {
		this.set(this.current + ms);
	}

	/** How many sleepers are waiting; lets a test wait until a loop has gone to sleep. */
	get pendingSleepers(): number {
		return this.waiting;
	}

	/** When the next sleeper wakes, or undefined when none waits. */
	nextWakeAt(): number | undefined {
		return this.peek()?.wakeAt;
	}

	private peek(): Sleeper | undefined {
		while (this.heap[0]?.cancelled) this.pop();
		return this.heap[0];
	}

	private push(sleeper: Sleeper): void {
		const heap = this.heap;
		heap.push(sleeper);
		for (let i = heap.length - 1; i > 0; ) {
			const parent = (i - 1) >> 1;
			if (!earlier(heap[i]!, heap[parent]!)) break;
			[heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
			i = parent;
		}
	}

	private pop(): void {
		const heap = this.heap;
		const last = heap.pop();
		if (heap.length === 0 || !last) return;
		heap[0] = last;
		for (let i = 0; ; ) {
			const l = 2 * i + 1;
			const r = l + 1;
			let m = i;
			if (l < heap.length && earlier(heap[l]!, heap[m]!)) m = l;
			if (r < heap.length && earlier(heap[r]!, heap[m]!)) m = r;
			if (m === i) return;
			[heap[i], heap[m]] = [heap[m]!, heap[i]!];
			i = m;
		}
	}
}

function earlier(a: Sleeper, b: Sleeper): boolean {
	return a.wakeAt < b.wakeAt || (a.wakeAt === b.wakeAt && a.order < b.order);
}

/** A clock offset from another by a fixed amount: a machine whose clock is wrong. */
export function skewedClock(base: Clock, offsetMs: number): Clock {
	return {now: () => base.now() + offsetMs, sleep: (ms, signal) => base.sleep(ms, signal)};
}
