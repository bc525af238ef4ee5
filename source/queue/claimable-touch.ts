/**
The touch of queue/signal.json for jobs made claimable (enqueue, a janitor's retries and requeues,
a shutdown's requeue, a safety listing's finds), carrying on what the last touch said that is still
fresh (queue/signal.ts).

touch for claimable jobs — requests:
1. GET    queue/signal.json              the last touch: its names of the last 30 s and the pause it
                                         carried (a failed read carries nothing on; the touch is made)
2. GET    queue/todo/0_paused.json       only when the pause carried is over 20 s old or absent (absent
                                         record: GET queue/paused.json too, the old key)
3. PUT    queue/signal.json              this touch's names (at most 100), those carried on after them
                                         (up to 100 in all), the pause with its age, a nonce
4. PUT    queue/urgent.json              the same body, when a job is critical or high
Two writers at once: the later PUT wins, and the earlier one's names reach only the idle workers
that polled between the two (the rest find those jobs by listing): names are hints, every claim is
create-only.
*/
import {isNotModified} from '../storage/object-store.js';
import type {Candidate} from './candidates.js';
import type {QueueContext} from './queue-context.js';
import {
	type AgedJob,
	type CarriedPause,
	carriedPause,
	freshNamedJobs,
	isUrgent,
	namedJobsAtMost,
	touchSignal,
} from './signal.js';
import {readPause} from './transitions/pause.js';

/**
A carried pause older than this is read again by the next touch: a claimer trusts one up to 30 s
(as its own read, worker/claimer.ts), and touches come every few seconds where it matters (a trickle).
*/
export const pauseRefreshMs = 20_000;

export async function touchClaimable(
	context: Pick<QueueContext, 'store' | 'keys' | 'clock'>,
	why: Record<string, unknown>,
	jobs: Candidate[],
): Promise<void> {
	const got = await context.store.get(context.keys.signal()).catch(() => undefined);
	const last = got && !isNotModified(got) ? got : undefined;
	const body = last?.body;
	const age = last ? Math.max(0, context.clock.now() - last.lastModified) : 0;
	let pause: CarriedPause | undefined = carriedPause(body, age);
	if (!pause || pause.ageMs > pauseRefreshMs) {
		const read = await readPause(context).catch(() => undefined);
		pause = read ? {priorities: read.priorities, ageMs: 0} : undefined;
	}
	await touchSignal(context, why, {
		urgent: jobs.some(j => isUrgent(j.priority)),
		jobs,
		earlier: jobs.length <= namedJobsAtMost ? carriedOn(body, age, jobs) : [],
		pause,
	});
}

/** The last touch's names still fresh (its own, then those it carried), after this touch's, up to 100 in all. */
function carriedOn(body: Uint8Array | undefined, age: number, jobs: Candidate[]): AgedJob[] {
	const fresh = freshNamedJobs(body, age);
	const seen = new Set(jobs.map(j => j.hash));
	return [...fresh.own, ...fresh.earlier]
		.filter(job => !seen.has(job.hash))
		.slice(0, Math.max(0, namedJobsAtMost - jobs.length));
}
