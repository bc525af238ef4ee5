/**
queue/signal.json, which idle workers watch with conditional GETs: touched when jobs become
claimable (enqueue, retry, requeue), on pause and resume, and by a command to a worker. Watchers compare
ETags, and on S3 an ETag is the MD5 of the body, so every write carries a fresh nonce: two resumes
in a row must not write the same bytes, or the second wakes nobody.

A touch that makes at most 100 jobs claimable (an ingest batch) names them (`jobs`: [hash, priority]
pairs). An idle worker that hears a touch of at most 16 claims one of them without listing: a HEAD
of its lease (a GET's price) says whether another took it first, so a fleet of idle workers woken
by one requeued job costs a HEAD each, not two LISTs each; and a busy worker in a crowded queue (a
trickle) tries a few of a fresh touch's names before it lists (worker/claimer.ts).

queue/urgent.json is touched besides when the jobs include one of the two highest priorities, and
on every pause or resume: a busy worker reuses a listing of normal or higher jobs while it is
unchanged (worker/claimer.ts). A backlog's own retries and requeues, of normal jobs, leave it be.
*/
import {randomBytes} from 'node:crypto';
import type {Candidate} from './candidates.js';
import {isJobHash, parsePriority, type Priority} from './keys.js';
import type {QueueContext} from './queue-context.js';
import {parseJsonObject} from './records.js';

/** Jobs a touch names, at most (an ingest batch); past that it names none. */
export const namedJobsAtMost = 100;
/**
Names an idle worker woken by a touch claims from, at most; past that it lists. Touches closer than
an idle poll hide each other's names, and after the names a woken fleet lists only with about
twenty workers (worker/claimer.ts): enough for what a touch of a few jobs hid, not for a batch's.
*/
export const wokenNamesAtMost = 16;

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

/** The touch for jobs made claimable: names them, and touches urgent.json too for a critical or high one. */
export async function touchClaimable(
	context: Pick<QueueContext, 'store' | 'keys'>,
	why: Record<string, unknown>,
	jobs: Candidate[],
): Promise<void> {
	await touchSignal(context, why, {urgent: jobs.some(j => isUrgent(j.priority)), jobs});
}

/** The jobs a signal's body names, if at most `atMost`; none for a body without them or a malformed one (the worker lists instead). */
export function namedJobs(body: Uint8Array | undefined, atMost = namedJobsAtMost): Candidate[] {
	if (!body) return [];
	const json = parseJsonObject(body);
	const list = json.ok ? json.value['jobs'] : undefined;
	if (!Array.isArray(list) || list.length > atMost) return [];
	const jobs: Candidate[] = [];
	for (const item of list as unknown[]) {
		if (!Array.isArray(item) || typeof item[0] !== 'string' || typeof item[1] !== 'string') return [];
		const priority = parsePriority(item[1]);
		if (!isJobHash(item[0]) || !priority) return [];
		jobs.push({hash: item[0], priority});
	}
	return jobs;
}
