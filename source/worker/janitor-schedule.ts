/**
When this worker offers to run the janitor: at start, then once the next pass is due, at a random
point of a spread that grows with the fleet (offerSpacingMs), and when a job it failed is due for
its retry. Each offer is a turn (queue/janitor-turn.ts): one GET, and a pass only when nobody ran
one within the fleet's gap (10 to 60 minutes; for a due retry 15 s, more past 2,000 leases). So the
fleet runs one pass per gap whatever its size, and stale leases, retries and the read model's compaction need no
cron job. Concurrent janitors would still be safe: the snapshot is compare-and-swap and every
recovery is fenced.
*/
import type {Clock} from '../lib/clock.js';
import {EndedLeases} from '../queue/ended-leases.js';
import {runJanitor} from '../queue/janitor.js';
import {endJanitorTurn, retryGapFor, shortestGapMs, takeJanitorTurn} from '../queue/janitor-turn.js';
import type {QueueContext} from '../queue/queue-context.js';
import {errorText, type WorkerEmitter} from './events.js';

/**
Over how long after a pass is due this worker's next offer is spread: the fleet's gap times its
leases ÷ 10 (between 0.1 and 60), so that W workers offering at random within it find the pass due
within about a tenth of the gap, and the fleet makes about ten offers per pass whatever its size.
*/
export function offerSpacingMs(leases: number, gapMs = shortestGapMs): number {
	return Math.max(shortestGapMs, gapMs) * Math.min(60, Math.max(0.1, leases / 10));
}

export class JanitorSchedule {
	private offeredAt = Number.NEGATIVE_INFINITY;
	private spacingMs = shortestGapMs;
	/** Leases the last pass saw (any worker's): the fleet's size as this worker knows it. */
	fleetLeases = 0;
	/**
	When the jobs this worker failed are due for their retries, soonest first. A pass covers those due
	by its start only: one run for an earlier retry must not forget a later one (its job would wait for
	the next regular pass, up to an hour).
	*/
	private retriesDueAt: number[] = [];
	/** The leases this worker's jobs ended: its passes take them without a GET. */
	readonly endedLeases = new EndedLeases();

	constructor(
		private readonly context: QueueContext,
		private readonly clock: Clock,
		private readonly events: WorkerEmitter,
		private readonly worker: string,
		private readonly random: () => number = Math.random,
	) {}

	/** A job this worker failed is due for its retry `inMs` from now (plus a second's margin). */
	retryDueIn(inMs: number): void {
		this.dueAt(this.clock.now() + inMs + 1000);
	}

	private dueAt(at: number): void {
		this.retriesDueAt.push(at);
		this.retriesDueAt.sort((a, b) => a - b);
	}

	private get retryDueAt(): number {
		return this.retriesDueAt[0] ?? Number.POSITIVE_INFINITY;
	}

	/**
	Resolves when a job this worker failed is due for its retry, or once `stop` aborts (never before, while
	none is): a busy worker waits on it beside its jobs, so a retry waits for its backoff, not for the
	end of this worker's next job (up to a job's whole duration).
	*/
	async retryDue(stop: AbortSignal): Promise<void> {
		const inMs = this.retryDueAt - this.clock.now();
		if (Number.isFinite(inMs)) await this.clock.sleep(Math.max(0, inMs), stop).catch(() => undefined);
		else if (!stop.aborted) await new Promise(resolve => stop.addEventListener('abort', resolve, {once: true}));
	}

	get isDue(): boolean {
		return this.clock.now() >= Math.min(this.offeredAt + this.spacingMs, this.retryDueAt);
	}

	async runIfDue(): Promise<void> {
		if (this.isDue) await this.run();
	}

	/** One offer, and a pass if it is this worker's turn; a failure is reported, never thrown. */
	async run(): Promise<void> {
		const now = this.clock.now();
		const forRetry = this.retryDueAt <= now;
		this.offeredAt = now;
		// The retries due by now are this offer's to see through; later ones keep their own time.
		if (forRetry) this.retriesDueAt = this.retriesDueAt.filter(at => at > now);
		try {
			const turn = await takeJanitorTurn(this.context, this.worker, {retry: forRetry});
			if (!turn.taken) {
				this.space(turn.leases ?? 0, turn.gapMs, turn.dueInMs);
				// Another worker's pass performs the retry; if none is due yet, ask again when one is.
				if (forRetry && turn.reason === 'not-due' && turn.dueInMs !== undefined) this.dueAt(now + turn.dueInMs + 1000);
				return;
			}
			const {malformed, leasesListed, ...counts} = await runJanitor(this.context, {
				retryOnly: turn.retryOnly,
				known: this.endedLeases,
			});
			const ended = await endJanitorTurn(this.context, turn, {
				leases: leasesListed,
				swept: counts.leasesSwept,
				retryOnly: turn.retryOnly,
			});
			this.space(leasesListed, ended.gapMs, ended.gapMs);
			if (Object.values(counts).some(n => n > 0)) this.events.emit('janitor', counts);
			for (const m of malformed) this.events.emit('malformed-record', {key: m.key, reason: m.reason});
		} catch (error) {
			this.events.emit('janitor-failed', {error: errorText(error)});
			// The retries it was to see through are offered again once the retry gap has passed.
			if (forRetry) this.dueAt(now + retryGapFor(this.fleetLeases) + 1000);
		}
	}

	/**
	The next offer: once the next pass is due (`dueInMs`), at a random point of the spacing, so a
	fleet started together, or all told the same due time, does not offer together.
	*/
	private space(leases: number, gapMs: number | undefined, dueInMs = 0): void {
		this.fleetLeases = leases;
		this.spacingMs = dueInMs + offerSpacingMs(leases, gapMs) * this.random();
	}
}
