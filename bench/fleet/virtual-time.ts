/**
Virtual time for the fleet simulator: a Clock whose sleepers wait in a heap, and a driver that
moves time to the next sleeper only once the process has nothing else to do (no microtask, no
file-system request in flight). So the real worker code, which waits only through its Clock,
runs a simulated hour in the CPU time its own work takes.
*/
import type {Clock} from '../../source/lib/clock.js';

type Sleeper = {wakeAt: number; order: number; resolve: () => void; done: boolean};

function abortError(): Error {
	const error = new Error('The operation was aborted');
	error.name = 'AbortError';
	return error;
}

/** Resources that mean real work is still under way (anything but timers and the terminal). */
const idleResources = new Set(['Timeout', 'Immediate', 'TTYWrap', 'PipeWrap', 'TCPServerWrap', 'SignalWrap']);

function busy(): boolean {
	return process.getActiveResourcesInfo().some(resource => !idleResources.has(resource));
}

export class VirtualClock implements Clock {
	private current: number;
	private heap: Sleeper[] = [];
	private order = 0;
	/** Sleepers woken so far: a measure of the simulator's work. */
	wakes = 0;

	constructor(start = Date.UTC(2026, 0, 1)) {
		this.current = start;
	}

	now(): number {
		return this.current;
	}

	async sleep(ms: number, signal?: AbortSignal): Promise<void> {
		if (signal?.aborted) throw abortError();
		await new Promise<void>((resolve, reject) => {
			const onAbort = () => {
				sleeper.done = true;
				reject(abortError());
			};
			const sleeper: Sleeper = {
				wakeAt: this.current + Math.max(0, ms),
				order: this.order++,
				done: false,
				resolve: () => {
					signal?.removeEventListener('abort', onAbort);
					resolve();
				},
			};
			this.push(sleeper);
			signal?.addEventListener('abort', onAbort, {once: true});
		});
	}

	/** Runs until virtual time reaches `end`; returns it. */
	async runUntil(end: number): Promise<number> {
		await this.runWhile(() => true, end);
		this.current = Math.max(this.current, end);
		return this.current;
	}

	/** Runs while `condition()` holds, checked after each instant, and no later than `end` (or nothing waits). */
	async runWhile(condition: () => boolean, end: number): Promise<number> {
		for (;;) {
			await settle();
			if (!condition()) return this.current;
			const next = this.peek();
			if (!next || next.wakeAt > end) return this.current;
			this.current = Math.max(this.current, next.wakeAt);
			while (this.peek() && this.peek()!.wakeAt <= this.current) {
				this.wakes++;
				this.pop()!.resolve();
			}
		}
	}

	private peek(): Sleeper | undefined {
		while (this.heap.length > 0 && this.heap[0]!.done) this.pop();
		return this.heap[0];
	}

	private push(sleeper: Sleeper): void {
		const heap = this.heap;
		heap.push(sleeper);
		let i = heap.length - 1;
		while (i > 0) {
			const parent = (i - 1) >> 1;
			if (!earlier(heap[i]!, heap[parent]!)) break;
			[heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
			i = parent;
		}
	}

	private pop(): Sleeper | undefined {
		const heap = this.heap;
		const top = heap[0];
		const last = heap.pop();
		if (heap.length > 0 && last) {
			heap[0] = last;
			let i = 0;
			for (;;) {
				const l = 2 * i + 1;
				const r = l + 1;
				let m = i;
				if (l < heap.length && earlier(heap[l]!, heap[m]!)) m = l;
				if (r < heap.length && earlier(heap[r]!, heap[m]!)) m = r;
				if (m === i) break;
				[heap[i], heap[m]] = [heap[m]!, heap[i]!];
				i = m;
			}
		}
		return top;
	}
}

function earlier(a: Sleeper, b: Sleeper): boolean {
	return a.wakeAt < b.wakeAt || (a.wakeAt === b.wakeAt && a.order < b.order);
}

/** Until no microtask is queued and no file-system request is in flight. */
async function settle(): Promise<void> {
	do await new Promise(resolve => setImmediate(resolve));
	while (busy());
}
