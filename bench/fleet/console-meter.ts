/** A console's cost per refresh, from its own request counters: requests, bytes, and how long a refresh takes. */
import type {Clock} from '../../source/lib/clock.js';
import type {RequestStats} from '../../source/storage/request-stats.js';

export type ConsoleMeterResult = {
	refreshes: number;
	requests: number;
	requestsPerRefresh: number;
	kbPerRefresh: number;
	firstRefreshSeconds: number;
	slowestRefreshSeconds: number;
	errors: number;
};

export class ConsoleFeedMeter {
	private refreshes = 0;
	private requests = 0;
	private bytes = 0;
	private errors = 0;
	private first: number | undefined;
	private slowest = 0;

	constructor(
		private readonly stats: RequestStats,
		private readonly clock: Clock,
	) {}

	async refresh(read: () => Promise<unknown>): Promise<void> {
		const before = this.stats.snapshot().total;
		const started = this.clock.now();
		try {
			await read();
		} catch {
			this.errors++;
		}
		const took = (this.clock.now() - started) / 1000;
		this.first ??= took;
		this.slowest = Math.max(this.slowest, took);
		const after = this.stats.snapshot().total;
		this.refreshes++;
		this.requests += after.count - before.count;
		this.bytes += after.bytesReceived - before.bytesReceived;
	}

	/** Starts counting afresh (after the warm-up); the first refresh's time is kept. */
	reset(): void {
		this.refreshes = 0;
		this.requests = 0;
		this.bytes = 0;
		this.errors = 0;
		this.slowest = 0;
	}

	result(): ConsoleMeterResult {
		const n = Math.max(1, this.refreshes);
		return {
			refreshes: this.refreshes,
			requests: this.requests,
			requestsPerRefresh: Math.round((this.requests / n) * 100) / 100,
			kbPerRefresh: Math.round((this.bytes / n / 1024) * 10) / 10,
			firstRefreshSeconds: Math.round((this.first ?? 0) * 100) / 100,
			slowestRefreshSeconds: Math.round(this.slowest * 100) / 100,
			errors: this.errors,
		};
	}
}
