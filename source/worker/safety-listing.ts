/**
When an idle worker lists the queue without a signal: every transition that makes a job claimable
touches queue/signal.json, but a toucher can die between its write and the touch, and a touch can
overwrite another's names. Five minutes after a listing, doubling after each safety listing that
found nothing, up to thirty: an idle fleet of 1,000 listed about 400 times a minute at a fixed five
($0.12 an hour, near its polls' $0.14). Any claim brings it back to five.

A safety listing that finds a job found one no signal named to this worker: it names the jobs the
listing showed besides (worker.ts touches the signal), so the idle fleet looks at its next poll
instead of each at its own, later, safety listing.
*/
const firstMs = 5 * 60_000;
const longestMs = 30 * 60_000;

export class SafetyListing {
	private intervalMs = firstMs;
	/** The wait that ended last did so because a safety listing was due. */
	private due = false;

	/** Until when a wait that follows a listing at `listedAt` polls the signal. */
	untilAfter(listedAt: number): number {
		return listedAt + this.intervalMs;
	}

	/** How the last wait ended. */
	waited(woken: 'changed' | 'stopped' | 'due'): void {
		this.due = woken === 'due';
	}

	/** The claim after a wait: whether it was a safety listing that found a job (which no signal named). */
	claimed(found: boolean): boolean {
		const safety = this.due;
		this.due = false;
		if (found) this.intervalMs = firstMs;
		else if (safety) this.intervalMs = Math.min(longestMs, 2 * this.intervalMs);
		return safety && found;
	}
}
