/**
Virtual time for the fleet simulator: the project's ManualClock, driven. Time moves to the next
sleeper only once the process has nothing else to do (no microtask, no file-system request in
flight), so the real worker code, which waits only through its Clock, runs a simulated hour in
the CPU time its own work takes.
*/
import {ManualClock} from '../../source/lib/clock.js';

/** Resources that mean real work is still under way (anything but timers and the terminal). */
const idleResources = new Set(['Timeout', 'Immediate', 'TTYWrap', 'PipeWrap', 'TCPServerWrap', 'SignalWrap']);

function busy(): boolean {
	return process.getActiveResourcesInfo().some(resource => !idleResources.has(resource));
}

/** Until no microtask is queued and no file-system request is in flight. */
async function settle(): Promise<void> {
	do await new Promise(resolve => setImmediate(resolve));
	while (busy());
}

export class VirtualClock extends ManualClock {
	/** Runs until virtual time reaches `end`; returns it. */
	async runUntil(end: number): Promise<number> {
		await this.runWhile(() => true, end);
		if (this.now() < end) this.set(end);
		return this.now();
	}

	/** Runs while `condition()` holds, checked after each instant, and no later than `end` (or until nothing waits). */
	async runWhile(condition: () => boolean, end: number): Promise<number> {
		for (;;) {
			await settle();
			if (!condition()) return this.now();
			const next = this.nextWakeAt();
			if (next === undefined || next > end) return this.now();
			// Everything due at this instant wakes together, in the order it went to sleep.
			this.set(Math.max(this.now(), next));
		}
	}
}
