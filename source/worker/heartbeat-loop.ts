/**
Runs a job's heartbeats one after another, never two at once. Two overlapping heartbeats of one
lease race on its ETag: the loser sees 412 and would take its own holder's renewal for a lost
lease. The same holds for the final write (complete, fail, requeue), so the worker stops the loop,
waiting for a heartbeat in flight, before it ends the attempt.
*/
import type {Clock} from '../lib/clock.js';

export class HeartbeatLoop {
	private readonly controller = new AbortController();
	private readonly running: Promise<void>;

	constructor(clock: Clock, intervalMs: number, beat: () => Promise<void>, onError: (error: Error) => void) {
		this.running = (async () => {
			while (!this.controller.signal.aborted) {
				try {
					await clock.sleep(intervalMs, this.controller.signal);
				} catch {
					return; // stopped while waiting
				}
				try {
					await beat();
				} catch (error) {
					onError(error as Error);
				}
			}
		})();
	}

	/** Stops the loop; resolves once no heartbeat is in flight. */
	async stop(): Promise<void> {
		this.controller.abort();
		await this.running;
	}
}
