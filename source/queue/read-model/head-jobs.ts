/**
Which jobs the snapshot's head carries, so a console shows real rows while the head stays small
whatever the queue's size: every job while the queue holds at most `allUpTo` jobs in todo, failed
and dead; beyond that the newest `perGroup` of each state and priority. Pure; compaction.ts calls it.
*/
import {priorities} from '../keys.js';
import {hasSettled, type JobSummary, type StateCounts, type StoredState} from './event-fold.js';

export const headLimits = {allUpTo: 1000, perGroup: 40};

const listedStates: StoredState[] = ['todo', 'failed', 'dead', 'done'];

export type HeadSelection = {
	jobs: Record<string, JobSummary>;
	/** A group shows fewer jobs than it should and more exist: the caller must read every shard and select again. */
	short: boolean;
};

export function selectHeadJobs(
	candidates: Record<string, JobSummary>,
	counts: StateCounts,
	now: number,
	settleMs: number,
	limits = headLimits,
): HeadSelection {
	const pending = (['todo', 'failed', 'dead'] as const).reduce(
		(sum, s) => sum + priorities.reduce((n, p) => n + counts[s][p], 0),
		0,
	);
	const groups = new Map<string, Array<[string, JobSummary]>>();
	for (const entry of Object.entries(candidates)) {
		const job = entry[1];
		if (job.state === 'removed' || hasSettled(job, now, settleMs)) continue;
		const group = `${job.state}/${job.priority}`;
		const list = groups.get(group) ?? [];
		list.push(entry);
		groups.set(group, list);
	}
	const jobs: Record<string, JobSummary> = {};
	let short = false;
	for (const state of listedStates) {
		for (const priority of priorities) {
			const list = groups.get(`${state}/${priority}`) ?? [];
			const limit = state !== 'done' && pending <= limits.allUpTo ? Number.POSITIVE_INFINITY : limits.perGroup;
			if (list.length > limit) list.sort((a, b) => b[1].at - a[1].at).length = limit;
			for (const [hash, job] of list) jobs[hash] = job;
			// Done jobs settle out of the shards: the head's done rows are the newest known, never refilled.
			if (state !== 'done' && list.length < Math.min(limit, counts[state][priority])) short = true;
		}
	}
	return {jobs, short};
}
