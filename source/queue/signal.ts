/**
queue/signal.json, which idle workers watch with conditional GETs: touched when jobs become
claimable (enqueue, retry, requeue), on pause and resume, and by a command to a worker. Watchers compare
ETags, and on S3 an ETag is the MD5 of the body, so every write carries a fresh nonce: two resumes
in a row must not write the same bytes, or the second wakes nobody.

A touch that makes at most 16 jobs claimable names them (`jobs`: [hash, priority] pairs). An idle
worker that hears it claims one of them without listing: a HEAD of its lease (a GET's price) says
whether another took it first, so a fleet of idle workers woken by one requeued job costs a HEAD
each, not two LISTs each (worker/claimer.ts).

queue/urgent.json is touched besides when the jobs include one of the two highest priorities, and
on every pause or resume: a busy worker reuses a listing of normal or higher jobs while it is
unchanged (worker/claimer.ts). A backlog's own retries and requeues, of normal jobs, leave it be.
*/
import {randomBytes} from 'node:crypto';
import type {Candidate} from './candidates.js';
import {isJobHash, parsePriority, type Priority} from './keys.js';
import type {QueueContext} from './queue-context.js';
import {parseJsonObject} from './records.js';

/** Jobs a touch names, at most; past that it names none and woken workers list the queue. */
export const namedJobsAtMost = 16;

/** Priorities whose jobs, made claimable, touch queue/urgent.json too. */
export function isUrgent(priority: Priority): boolean {
	return priority === 'critical' || priority === 'high';
}

export async function touchSignal(
	context: Pick<QueueContext, 'store' | 'keys'>,
	why: Record<string, unknown>,
	options: {urgent?: boolean; jobs?: Candidate[]} = {},
): Promise<void> {
	const jobs = options.jobs ?? [];
	const named = jobs.length > 0 && jobs.length <= namedJobsAtMost ? {jobs: jobs.map(j => [j.hash, j.priority])} : {};
	const body = JSON.stringify({...why, ...named, nonce: randomBytes(6).toString('hex')});
	await context.store.put(context.keys.signal(), body, {contentType: 'application/json'});
	if (options.urgent) await context.store.put(context.keys.urgentSignal(), body, {contentType: 'application/json'});
}

/** The jobs a signal's body names; none for a body without them or a malformed one (the worker lists instead). */
export function namedJobs(body: Uint8Array | undefined): Candidate[] {
	if (!body) return [];
	const json = parseJsonObject(body);
	const list = json.ok ? json.value['jobs'] : undefined;
	if (!Array.isArray(list) || list.length > namedJobsAtMost) return [];
	const jobs: Candidate[] = [];
	for (const item of list as unknown[]) {
		if (!Array.isArray(item) || typeof item[0] !== 'string' || typeof item[1] !== 'string') return [];
		const priority = parsePriority(item[1]);
		if (!isJobHash(item[0]) || !priority) return [];
		jobs.push({hash: item[0], priority});
	}
	return jobs;
}
