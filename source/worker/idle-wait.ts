/**
An idle worker's wait: one conditional GET of queue/signal.json per poll (304 while nothing new),
until the signal changes, the worker stops, or `until` passes (a full listing at least every five
minutes, as a safety net); says which. Between polls the worker keeps its registration fresh and runs the
janitor when due (`onPoll`).
*/
import type {Clock} from '../lib/clock.js';
import type {ObjectWatch} from '../queue/object-watch.js';

export async function waitForWork(options: {
	clock: Clock;
	signal: ObjectWatch;
	stop: AbortSignal;
	pollMs: number;
	until: number;
	onPoll: () => Promise<void>;
}): Promise<'changed' | 'stopped' | 'due'> {
	const {clock, stop} = options;
	while (!stop.aborted && clock.now() < options.until) {
		await clock.sleep(options.pollMs, stop).catch(() => undefined);
		if (stop.aborted) break;
		if (await options.signal.changed()) return 'changed';
		await options.onPoll();
	}
	return stop.aborted ? 'stopped' : 'due';
}
