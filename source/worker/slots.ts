/**
The jobs a worker runs at once (`--slots`): each a JobRun with its own fenced lease and heartbeats,
sharing the worker's store client, registration and converter. The worker's loop claims while a
slot is free and waits here for one to free when none is. A run that throws (a store error before its
lease was written) is kept for the loop to rethrow, so the worker's store-trouble backoff sees it.
*/
import type {JobRun} from './job-run.js';
import type {ShownJob} from './events.js';

export class Slots {
	private readonly runs = new Map<JobRun, Promise<void>>();
	private readonly shown = new Map<JobRun, ShownJob>();
	private readonly errors: unknown[] = [];

	get size(): number {
		return this.runs.size;
	}

	/** The jobs as a terminal view shows them, in the order they started. */
	get jobs(): ShownJob[] {
		return [...this.shown.values()];
	}

	/** Runs `work` (the job's whole life) in a slot; `ended` follows it, whatever happened. */
	add(run: JobRun, work: () => Promise<void>, ended: () => void): void {
		let finish = () => {};
		// In the map before the work starts: a run shows itself at once (synchronously).
		this.runs.set(
			run,
			new Promise<void>(resolve => {
				finish = resolve;
			}),
		);
		work()
			.catch(error => {
				this.errors.push(error);
			})
			.finally(() => {
				this.runs.delete(run);
				this.shown.delete(run);
				ended();
				finish();
			});
	}

	/** Whether a running job is this one (by its hash). */
	holds(hash: string): boolean {
		for (const run of this.runs.keys()) if (run.hash === hash) return true;
		return false;
	}

	show(run: JobRun, job: ShownJob): void {
		if (this.runs.has(run)) this.shown.set(run, job);
	}

	/** Rethrows the first error a run ended with, once. */
	throwFailure(): void {
		if (this.errors.length > 0) throw this.errors.shift();
	}

	/** Resolves when any run ends (at once when none runs). */
	async anyEnds(): Promise<void> {
		if (this.runs.size > 0) await Promise.race(this.runs.values());
	}

	/** Resolves when every run has ended. */
	async allEnd(): Promise<void> {
		await Promise.all(this.runs.values());
	}

	abortAll(reason: string): void {
		for (const run of this.runs.keys()) run.abort(reason);
	}
}
