/**
When this worker runs the janitor: at start, then every ten minutes, busy or idle, and when a job
it failed is due for its retry (which a pass performs). So stale leases, retries and the read
model's compaction need no cron job. Concurrent janitors are safe: the snapshot is compare-and-swap
and every recovery is fenced.
*/
import type {Clock} from '../lib/clock.js';
import {runJanitor} from '../queue/janitor.js';
import type {QueueContext} from '../queue/queue-context.js';
import {errorText, type WorkerEmitter} from './events.js';

const everyMs = 10 * 60_000;

export class JanitorSchedule {
	private passedAt = Number.NEGATIVE_INFINITY;
	/** When the earliest job this worker failed is due for its retry. */
	private retryDueAt = Number.POSITIVE_INFINITY;

	constructor(
		private readonly context: QueueContext,
		private readonly clock: Clock,
		private readonly events: WorkerEmitter,
	) {}

	/** A job this worker failed is due for its retry `inMs` from now (plus a second's margin). */
	retryDueIn(inMs: number): void {
		this.retryDueAt = Math.min(this.retryDueAt, this.clock.now() + inMs + 1000);
	}

	get isDue(): boolean {
		return this.clock.now() >= Math.min(this.passedAt + everyMs, this.retryDueAt);
	}

	async runIfDue(): Promise<void> {
		if (this.isDue) await this.run();
	}

	/** One pass; its failure is reported, never thrown (the next pass tries again). */
	async run(): Promise<void> {
		const now = this.clock.now();
		this.passedAt = now;
		// A retry due by now is this pass's to perform; a later one keeps its own time (a pass before
		// its backoff ends must not push it to the next ten-minute pass).
		if (this.retryDueAt <= now) this.retryDueAt = Number.POSITIVE_INFINITY;
		try {
			const {malformed, ...counts} = await runJanitor(this.context);
			if (Object.values(counts).some(n => n > 0)) this.events.emit('janitor', counts);
			for (const m of malformed) this.events.emit('malformed-record', {key: m.key, reason: m.reason});
		} catch (error) {
			this.events.emit('janitor-failed', {error: errorText(error)});
		}
	}
}
