/**
The fleet's requests in five-minute steps of virtual time, for the JSON: where a scenario's requests
go as it moves on (a drain's backlog, its queue's end, its idle tail), which the per-job totals of
the table blur together.
*/
import type {FleetObserver} from './fleet-observer.js';
import type {SimulatedStore} from './simulated-store.js';
import type {VirtualClock} from './virtual-time.js';

export type TimelineStep = {
	/** Minutes since measuring began, at the step's end. */
	minute: number;
	completed: number;
	/** Create-only lease PUTs, refused ones included. */
	claims: number;
	refused: number;
	listTodo: number;
	listLeases: number;
	/** Conditional GETs of queue/signal.json: an idle worker's polls, a busy one's questions. */
	signalGets: number;
	leaseHeads: number;
};

const stepMs = 5 * 60_000;

/**
Steps every five virtual minutes for as long as the clock runs; `close` adds the last, shorter one
(a drain ends where it ends) and returns them all.
*/
export function startTimeline(
	store: SimulatedStore,
	clock: VirtualClock,
	observer: FleetObserver,
): {close: () => TimelineStep[]} {
	const steps: TimelineStep[] = [];
	const from = clock.now();
	const counts = () => {
		const byArea = store.billOf('workers').byArea;
		const n = (kind: string) => byArea.get(kind) ?? 0;
		return {
			completed: observer.completedSoFar,
			claims: n('put-create-only queue/processing'),
			refused: n('412 put-create-only queue/processing'),
			listTodo: n('list queue/todo'),
			listLeases: n('list queue/processing'),
			signalGets: n('get signal'),
			leaseHeads: n('head queue/processing'),
		};
	};
	let before = counts();
	const step = () => {
		const now = counts();
		steps.push({
			minute: Math.round(((clock.now() - from) / 60_000) * 10) / 10,
			completed: now.completed - before.completed,
			claims: now.claims - before.claims,
			refused: now.refused - before.refused,
			listTodo: now.listTodo - before.listTodo,
			listLeases: now.listLeases - before.listLeases,
			signalGets: now.signalGets - before.signalGets,
			leaseHeads: now.leaseHeads - before.leaseHeads,
		});
		before = now;
	};
	void (async () => {
		for (;;) {
			await clock.sleep(stepMs);
			step();
		}
	})();
	return {
		close: () => {
			if (clock.now() > from + steps.length * stepMs) step();
			return steps;
		},
	};
}
