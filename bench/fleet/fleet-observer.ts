/**
What a fleet scenario measures, from outside the code under test: the simulated store says which
jobs are claimable (a todo entry and no lease) as keys come and go, the workers' own events say
what each worker does, and a sampler each virtual second adds up busy and idle worker time.
*/
import {defaultRemoteConfig} from '../../source/queue/records.js';
import {retryBackoffMs} from '../../source/queue/transitions/finish.js';
import type {Worker} from '../../source/worker/worker.js';
import type {ConsoleMeterResult} from './console-meter.js';
import type {SimulatedBill} from './simulated-store.js';
import type {TimelineStep} from './timeline.js';
import type {VirtualClock} from './virtual-time.js';

const todoPattern = /^pdf\/queue\/todo\/[^/]+\/([0-9a-f]{64})$/;
const leasePattern = /^pdf\/queue\/processing\/([0-9a-f]{64})$/;
const failedPattern = /^pdf\/queue\/failed\/([0-9a-f]{64})$/;

function percentile(sorted: number[], p: number): number {
	if (sorted.length === 0) return 0;
	return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export class FleetObserver {
	private readonly todo = new Map<string, number>();
	private readonly leases = new Set<string>();
	private failedRecords = 0;
	private claimable = 0;
	private claimableSince = 0;
	private readonly enqueuedAt = new Map<string, number>();
	private readonly waits: number[] = [];
	/** When each failed job's backoff ends, and how long past it each was queued again: the queue's share of a retry's delay. */
	private readonly retryDueAt = new Map<string, number>();
	private readonly retryWaits: number[] = [];
	private readonly states = new Map<string, {state: string; since: number}>();
	/** Workers whose state is 'processing': `drained()` is asked after every instant, so it cannot count them. */
	private processingWorkers = 0;
	private measuring = false;
	private measureStart = 0;
	private completed = 0;
	private failed = 0;
	private claimsLost = 0;
	private processingSeconds = 0;
	/** Worker-seconds, and those spent processing, while claimable jobs existed. */
	private claimableWorkerSeconds = 0;
	private claimableProcessingSeconds = 0;
	private idleWhileClaimable = 0;
	private idleSeconds = 0;
	/** Conversions running now, and converter-seconds summed while measuring. */
	private convertingNow = 0;
	private convertingSeconds = 0;
	private restart:
		| {perWorker: number; recoveryPerWorker: number; byKind: Record<string, number>; resumed: number}
		| undefined;
	private resumed = 0;
	private readonly problems: string[] = [];
	crashes = 0;
	/** Jobs completed, measured or not (for progress lines). */
	completedSoFar = 0;

	constructor(
		private readonly clock: VirtualClock,
		private readonly scenario: {workers: number; name: string},
	) {
		void this.sample();
	}

	keyChanged(key: string, exists: boolean): void {
		const todo = todoPattern.exec(key)?.[1];
		if (todo) {
			const due = exists ? this.retryDueAt.get(todo) : undefined;
			if (due !== undefined) {
				this.retryDueAt.delete(todo);
				if (this.measuring) this.retryWaits.push(this.clock.now() - due);
			}
			const before = this.todo.get(todo) ?? 0;
			const after = before + (exists ? 1 : -1);
			if (after > 0) this.todo.set(todo, after);
			else this.todo.delete(todo);
			if (!this.leases.has(todo) && (before === 0) !== (after === 0)) this.moveClaimable(after > 0 ? 1 : -1);
			return;
		}
		if (failedPattern.test(key)) {
			this.failedRecords += exists ? 1 : -1;
			return;
		}
		const lease = leasePattern.exec(key)?.[1];
		if (!lease) return;
		if (exists) this.leases.add(lease);
		else this.leases.delete(lease);
		if (this.todo.has(lease)) this.moveClaimable(exists ? -1 : 1);
	}

	enqueued(hash: string): void {
		this.enqueuedAt.set(hash, this.clock.now());
	}

	converting(change: 1 | -1): void {
		this.convertingNow += change;
	}

	watch(id: string, worker: Worker): void {
		this.setState(id, 'starting');
		worker.on('status', status => {
			const current = this.states.get(id);
			if (current && current.state !== status.state) this.setState(id, status.state);
		});
		worker.on('job-claimed', ({job}) => {
			const at = this.enqueuedAt.get(job);
			if (at === undefined) return;
			this.enqueuedAt.delete(job);
			if (this.measuring) this.waits.push(this.clock.now() - at);
		});
		worker.on('job-completed', () => {
			this.completedSoFar++;
			if (this.measuring) this.completed++;
		});
		worker.on('job-failed', ({job, attempt, outcome}) => {
			if (this.measuring) this.failed++;
			// As `fail` sets retryAt, from the server's clock, which this one is.
			if (outcome === 'failed')
				this.retryDueAt.set(job, this.clock.now() + retryBackoffMs(defaultRemoteConfig, attempt));
		});
		worker.on('recovered-own-leases', ({resumed}) => {
			this.resumed += resumed;
		});
		worker.on('lease-lost', () => {
			if (this.measuring) this.claimsLost++;
		});
	}

	forget(id: string): void {
		this.setState(id, undefined);
	}

	private setState(id: string, state: string | undefined): void {
		if (this.states.get(id)?.state === 'processing') this.processingWorkers--;
		if (state === undefined) this.states.delete(id);
		else this.states.set(id, {state, since: this.clock.now()});
		if (state === 'processing') this.processingWorkers++;
	}

	crashedWith(id: string, error: unknown): void {
		this.problems.push(`${id}: ${String(error)}`);
	}

	/**
	The fleet's requests in the ten seconds after all its workers started again, per worker, and of
	them the recovery's: the reads and writes of leases and todo entries (resume.ts: GET lease, GET
	todo, PUT lease), not the start-up's registrations and reads or the raw PDF to convert again.
	*/
	restartCost(byKind: Map<string, number>, workers: number): void {
		const sum = (counts: number[]) => counts.reduce((a, b) => a + b, 0);
		const recovery = sum([...byKind].filter(([kind]) => /^\S+ queue\/(processing|todo)$/.test(kind)).map(e => e[1]));
		this.restart = {
			perWorker: round(sum([...byKind.values()]) / workers, 2),
			recoveryPerWorker: round(recovery / workers, 2),
			byKind: Object.fromEntries([...byKind].sort((a, b) => b[1] - a[1]).map(([k, n]) => [k, round(n / workers, 3)])),
			resumed: this.resumed,
		};
	}

	startMeasuring(): void {
		this.measuring = true;
		this.measureStart = this.clock.now();
	}

	/** Nothing claimable, nothing being processed, no failed job waiting for its retry (done jobs' entries may wait for the janitor). */
	drained(): boolean {
		return this.claimable === 0 && this.failedRecords === 0 && this.processingWorkers === 0;
	}

	result(end: {
		bills: {all: SimulatedBill; workers: SimulatedBill; janitor: SimulatedBill; consoles: SimulatedBill};
		snapshotBytes: number;
		shardBytes: number;
		consoles: ConsoleMeterResult[];
		meanIdealJobsPerSecond: number;
		ideal: {completed: number; attempts: number} | {drainSeconds: number; idealDrainSeconds: number};
		timeline: TimelineStep[];
	}) {
		const seconds = (this.clock.now() - this.measureStart) / 1000;
		const jobs = Math.max(1, this.completed);
		const sorted = [...this.waits].sort((a, b) => a - b);
		const retryWaits = [...this.retryWaits].sort((a, b) => a - b);
		const {all, workers, janitor, consoles} = end.bills;
		// The fleet's requests: the workers' own and their janitor passes (not consoles, not the enqueuer).
		const byArea = new Map(workers.byArea);
		for (const [kind, n] of janitor.byArea) byArea.set(`janitor: ${kind}`, n);
		const byKind = Object.fromEntries(
			[...byArea.entries()].sort((a, b) => b[1] - a[1]).map(([kind, n]) => [kind, round(n / jobs, 3)]),
		);
		const total = (bill: SimulatedBill) => Object.values(bill.requests).reduce((a, b) => a + b, 0);
		const fleetRequests = total(workers) + total(janitor);
		const fleetDollars = workers.dollars + janitor.dollars;
		return {
			scenario: this.scenario.name,
			workers: this.scenario.workers,
			simulatedSeconds: round(seconds, 0),
			completed: this.completed,
			failedAttempts: this.failed,
			jobsPerSecond: round(this.completed / seconds, 2),
			// The ideal (ideal-fleet.ts): on a backlog, the jobs each machine's own draws complete back to back
			// over the same window; in a drain, how soon an ideal scheduler of those draws would end it.
			...('completed' in end.ideal
				? {idealCompleted: end.ideal.completed, idealAttempts: end.ideal.attempts}
				: {drainSeconds: round(end.ideal.drainSeconds, 0), idealDrainSeconds: round(end.ideal.idealDrainSeconds, 0)}),
			ofIdeal: round(
				'completed' in end.ideal
					? this.completed / Math.max(1, end.ideal.completed)
					: end.ideal.idealDrainSeconds / end.ideal.drainSeconds,
				3,
			),
			// Against W ÷ the distribution's mean: what a finite window's draws and the failed attempts move too.
			meanIdealJobsPerSecond: round(end.meanIdealJobsPerSecond, 2),
			ofMeanIdeal: round(this.completed / seconds / end.meanIdealJobsPerSecond, 3),
			utilisation: round(this.processingSeconds / (this.scenario.workers * seconds), 3),
			// The fleet's capacity spent in the converter, failed attempts and crashed ones included: what the
			// queue gave the converters to do, whatever became of it.
			converting: round(this.convertingSeconds / (this.scenario.workers * seconds), 3),
			utilisationWhileClaimable: round(this.claimableProcessingSeconds / Math.max(1, this.claimableWorkerSeconds), 3),
			idleSeconds: this.idleSeconds,
			idleWhileClaimableSeconds: this.idleWhileClaimable,
			enqueueToClaimP50s: round(percentile(sorted, 50) / 1000, 1),
			enqueueToClaimP99s: round(percentile(sorted, 99) / 1000, 1),
			// A failed job queued again, how long after its backoff ended: the janitor pass that requeues it
			// (15 s apart at most up to 2,000 leases, longer beyond). An idle worker hears of it at its next poll.
			retriesQueued: retryWaits.length,
			retryWaitPastBackoffP50s: round(percentile(retryWaits, 50) / 1000, 1),
			retryWaitPastBackoffP99s: round(percentile(retryWaits, 99) / 1000, 1),
			requestsPerJob: round(fleetRequests / jobs, 2),
			dollarsPer1000Jobs: round((fleetDollars / jobs) * 1000, 4),
			// All in as issue 14 counts it: the fleet and its consoles, not the enqueuer that stands for ingest.
			dollarsPer1000JobsWithConsoles: round(((fleetDollars + consoles.dollars) / jobs) * 1000, 4),
			requestsPerJobByKind: byKind,
			janitorRequestsPerHour: round((total(janitor) / seconds) * 3600, 0),
			preconditionFailedPerJob: round((workers.preconditionFailed + janitor.preconditionFailed) / jobs, 3),
			slowDownsPerJob: round(all.slowDowns / jobs, 4),
			leasesLost: this.claimsLost,
			crashes: this.crashes,
			snapshotBytes: end.snapshotBytes,
			shardBytes: end.shardBytes,
			consoles: end.consoles,
			consoleRequestsPerRefreshByKind: perRefresh(end.bills.consoles, end.consoles),
			problems: this.problems.slice(0, 5),
			restart: this.restart,
			timeline: end.timeline,
		};
	}

	private moveClaimable(by: number): void {
		if (this.claimable === 0 && by > 0) this.claimableSince = this.clock.now();
		this.claimable += by;
	}

	/** Each virtual second: who is processing, who is idle, and whether the idle could have worked. */
	private async sample(): Promise<void> {
		for (;;) {
			await this.clock.sleep(1000);
			if (!this.measuring) continue;
			const now = this.clock.now();
			const claimable = this.claimable > 0;
			this.convertingSeconds += this.convertingNow;
			for (const {state, since} of this.states.values()) {
				if (claimable) this.claimableWorkerSeconds++;
				if (state === 'processing') {
					this.processingSeconds++;
					if (claimable) this.claimableProcessingSeconds++;
				} else if (state === 'idle') {
					this.idleSeconds++;
					// One idle poll (10 s) is the allowed delay before a waiting worker sees new work.
					if (this.claimable > 0 && now - Math.max(since, this.claimableSince) > 11_000) this.idleWhileClaimable++;
				}
			}
		}
	}
}

/** A console's requests per refresh by kind and area, over all the consoles. */
function perRefresh(bill: SimulatedBill, consoles: ConsoleMeterResult[]): Record<string, number> {
	const refreshes = Math.max(
		1,
		consoles.reduce((sum, c) => sum + c.refreshes, 0),
	);
	return Object.fromEntries(
		[...bill.byArea.entries()].sort((a, b) => b[1] - a[1]).map(([kind, n]) => [kind, round(n / refreshes, 3)]),
	);
}

function round(n: number, digits: number): number {
	const f = 10 ** digits;
	return Math.round(n * f) / f;
}
