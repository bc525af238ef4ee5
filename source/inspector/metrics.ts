/**
The queue as Prometheus metrics, built from the console's snapshots (console-feed.ts): a scrape costs
what a console refresh does (a conditional GET of queue/changes.json in steady state, the lease
listing every sweep), whatever the queue's history. Scrapes closer together than the feed's refresh
floor share one refresh; a store that cannot be reached keeps the last values and says so in
`blobforge_store_up`.

Counters live in this process: completions and failures are summed from the read model's per-minute
series (a minute's count only grows, so its largest value seen is added), and attempt durations from
the ended leases each sweep lists, every attempt once. They start when the exporter does, as
Prometheus counters may; `rate()` and `increase()` handle the restart.
*/
import {formatExposition, Histogram, type Family, type Sample} from '../lib/prometheus.js';
import {priorities} from '../queue/keys.js';
import {requestFamilies} from '../storage/request-metrics.js';
import type {RequestStats} from '../storage/request-stats.js';
import type {ConsoleSnapshot, EndedAttempt, HeartbeatHealth} from './console-source.js';

/** Seconds from claim to the ending write: conversions of small PDFs take seconds, long books an hour. */
export const durationBounds = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600] as const;

const jobStates = ['todo', 'processing', 'failed', 'dead', 'done'] as const;
const workerStatuses = ['idle', 'processing', 'sleeping', 'stopped', 'gone'] as const;
const healths: HeartbeatHealth[] = ['fine', 'late', 'stale'];
const outcomes: Array<EndedAttempt['outcome']> = ['done', 'failed', 'dead', 'requeued', 'cancelled'];

/** Per-minute counts folded into a total that never goes down. */
class MinuteCounter {
	private readonly minutes = new Map<number, number>();
	private base = 0;

	/** `perMinute` ends with the minute of `now`. */
	update(perMinute: readonly number[], now: number): void {
		const current = Math.floor(now / 60_000);
		perMinute.forEach((count, i) => {
			const minute = current - perMinute.length + 1 + i;
			this.minutes.set(minute, Math.max(this.minutes.get(minute) ?? 0, count));
		});
		// A minute the series no longer shows is final: kept in the base, not per minute.
		for (const [minute, count] of this.minutes)
			if (minute <= current - perMinute.length) {
				this.base += count;
				this.minutes.delete(minute);
			}
	}

	get total(): number {
		let total = this.base;
		for (const count of this.minutes.values()) total += count;
		return total;
	}
}

export type MetricsSource = {
	snapshot(): Promise<ConsoleSnapshot>;
	readonly minRefreshSeconds: number;
};

export class QueueMetrics {
	private last?: ConsoleSnapshot;
	private lastError?: string;
	private refreshedAt = Number.NEGATIVE_INFINITY;
	private inFlight?: Promise<void>;
	private readonly completions = new MinuteCounter();
	private readonly failures = new MinuteCounter();
	private readonly durations = new Map<EndedAttempt['outcome'], Histogram>(
		outcomes.map(o => [o, new Histogram(durationBounds)]),
	);
	/** The ended attempts already timed, while their leases are still listed. */
	private timed = new Set<string>();

	constructor(
		/** Where snapshots come from when a scrape needs one; without it, only `observe` feeds them. */
		private readonly source: MetricsSource | undefined,
		private readonly options: {stats?: RequestStats; isPriced?: boolean; monotonic?: () => number} = {},
	) {}

	/** Takes a snapshot another reader made (the console's): metrics without requests of their own. */
	observe(snapshot: ConsoleSnapshot): void {
		this.last = snapshot;
		this.lastError = undefined;
		this.completions.update(snapshot.completionsPerMinute, snapshot.serverNow);
		this.failures.update(snapshot.failuresPerMinute, snapshot.serverNow);
		const listed = new Set<string>();
		for (const attempt of snapshot.endings ?? []) {
			const id = `${attempt.hash}:${attempt.seq}`;
			listed.add(id);
			if (this.timed.has(id)) continue;
			this.durations.get(attempt.outcome)?.observe(Math.max(0, attempt.endedAt - attempt.claimedAt) / 1000);
		}
		this.timed = listed;
	}

	/** The exposition text, refreshing first when the last snapshot is older than the refresh floor. */
	async scrape(): Promise<string> {
		if (this.source) {
			const now = (this.options.monotonic ?? (() => performance.now()))();
			if (now - this.refreshedAt >= this.source.minRefreshSeconds * 1000) {
				this.inFlight ??= this.refresh(this.source).finally(() => {
					this.inFlight = undefined;
				});
				this.refreshedAt = now;
			}
			await this.inFlight;
		}
		return formatExposition(this.families());
	}

	private async refresh(source: MetricsSource): Promise<void> {
		try {
			this.observe(await source.snapshot());
		} catch (error) {
			this.lastError = error instanceof Error ? error.message : String(error);
		}
	}

	families(): Family[] {
		const s = this.last;
		const families: Family[] = [
			gauge('blobforge_store_up', 'Whether the last refresh read the store (1) or failed (0).', [
				{value: s && !this.lastError ? 1 : 0},
			]),
		];
		if (s) families.push(...queueFamilies(s), ...this.counterFamilies());
		families.push(...this.exporterFamilies());
		return families;
	}

	private counterFamilies(): Family[] {
		return [
			counter('blobforge_jobs_completed_total', 'Jobs that reached done, counted since this exporter started.', [
				{value: this.completions.total},
			]),
			counter(
				'blobforge_job_failures_total',
				'Attempts that ended failed or dead, counted since this exporter started.',
				[{value: this.failures.total}],
			),
			{
				name: 'blobforge_job_duration_seconds',
				help: 'Seconds from claim to the end of an attempt, by outcome (attempts whose ended lease a sweep listed).',
				type: 'histogram',
				series: outcomes.map(outcome => this.durations.get(outcome)!.series({outcome})),
			},
		];
	}

	private exporterFamilies(): Family[] {
		const {stats} = this.options;
		return stats
			? requestFamilies('blobforge_exporter', stats, {isPriced: this.options.isPriced, who: "this process's"})
			: [];
	}
}

function gauge(name: string, help: string, samples: Sample[]): Family {
	return {name, help, type: 'gauge', samples};
}

function counter(name: string, help: string, samples: Sample[]): Family {
	return {name, help, type: 'counter', samples};
}

function queueFamilies(s: ConsoleSnapshot): Family[] {
	const oldestQueued = s.todo.reduce((oldest, job) => Math.min(oldest, job.at), Number.POSITIVE_INFINITY);
	const live = s.workers.filter(w => w.status === 'idle' || w.status === 'processing');
	return [
		gauge(
			'blobforge_jobs',
			'Jobs by state and priority (processing: running under a lease).',
			jobStates.flatMap(state =>
				priorities.map(priority => ({labels: {state, priority}, value: s.counts[state][priority]})),
			),
		),
		// In a queue larger than the console's head carries, the oldest job is not known without reading every shard.
		...(s.partial
			? []
			: [
					gauge('blobforge_oldest_queued_job_age_seconds', 'Age of the oldest queued job (0 when none is queued).', [
						{value: Number.isFinite(oldestQueued) ? Math.max(0, s.serverNow - oldestQueued) / 1000 : 0},
					]),
				]),
		// Workers asleep outside their run windows will take the jobs: not an alert.
		gauge(
			'blobforge_unattended_jobs',
			'Jobs waiting while no worker is live or asleep until a run window (0 while one is).',
			[{value: s.unattended?.sleepingUntil === undefined ? (s.unattended?.waiting ?? 0) : 0}],
		),
		gauge(
			'blobforge_workers',
			'Registered workers by status (sleeping: outside its run windows; gone: silent past the stale timeout).',
			workerStatuses.map(status => ({labels: {status}, value: s.workers.filter(w => w.status === status).length})),
		),
		gauge('blobforge_worker_slots', 'Job slots of live workers (--slots each), busy or idle.', [
			{labels: {state: 'busy'}, value: live.reduce((sum, w) => sum + Math.min(w.runningJobs, w.slots), 0)},
			{labels: {state: 'idle'}, value: live.reduce((sum, w) => sum + Math.max(0, w.slots - w.runningJobs), 0)},
		]),
		gauge(
			'blobforge_leases',
			'Running jobs by heartbeat health: late past two missed heartbeats, stale past the stale timeout.',
			healths.map(health => ({labels: {health}, value: s.active.filter(a => a.run?.health === health).length})),
		),
		gauge('blobforge_stale_timeout_seconds', 'The stale timeout in force (remote config).', [
			{value: s.staleAfterMs / 1000},
		]),
		gauge('blobforge_read_problems', 'Records the last refresh could not read (reported and skipped).', [
			{value: s.problems.length},
		]),
		gauge('blobforge_last_refresh_timestamp_seconds', 'Server time of the last refresh that read the store.', [
			{value: s.serverNow / 1000},
		]),
	];
}
