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

An ingest's touch says how many new jobs it enqueued (`ingested`): a busy worker whose tries of the
names rarely found a job tries those of a batch anyway (worker/claimer.ts).

A touch for claimable jobs (queue/claimable-touch.ts) carries on what the touch before it said that
is still fresh, each with its age: the names of the last 30 s (`earlier`: [hash, priority, age ms]),
so a janitor's retry touch does not hide an ingest batch's names from busy workers, and the pause
as its writer last read it (`pause`: {priorities, ageMs}), which spares a busy worker claiming
through the names its own read of the pause record. Ages, not times: a reader adds how long ago the
touch was written (its clock against the server's Last-Modified, as for freshness), and no two
machines' clocks are compared.

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
/** A touch's names a busy worker tries, and a later touch carries on, until they are this old: others had time to take them. */
export const freshTouchMs = 30_000;
/** What a touch carries of the pause: what was paused, read this long before the touch was written. */
export type CarriedPause = {priorities: Priority[]; ageMs: number};
/** A job a touch carries on from an earlier one: named this long before it was written. */
export type AgedJob = Candidate & {ageMs: number};

/** Priorities whose jobs, made claimable, touch queue/urgent.json too. */
export function isUrgent(priority: Priority): boolean {
	return priority === 'critical' || priority === 'high';
}

export async function touchSignal(
	context: Pick<QueueContext, 'store' | 'keys'>,
	why: Record<string, unknown>,
	options: {urgent?: boolean; jobs?: Candidate[]; earlier?: AgedJob[]; pause?: CarriedPause} = {},
): Promise<void> {
	const jobs = options.jobs ?? [];
	const named = jobs.length > 0 && jobs.length <= namedJobsAtMost ? {jobs: jobs.map(j => [j.hash, j.priority])} : {};
	const earlier = options.earlier?.length ? {earlier: options.earlier.map(j => [j.hash, j.priority, j.ageMs])} : {};
	const pause = options.pause ? {pause: options.pause} : {};
	const body = JSON.stringify({...why, ...named, ...earlier, ...pause, nonce: randomBytes(6).toString('hex')});
	await context.store.put(context.keys.signal(), body, {contentType: 'application/json'});
	if (options.urgent) await context.store.put(context.keys.urgentSignal(), body, {contentType: 'application/json'});
}

/**
How many new jobs an ingest's touch enqueued (`ingested`) and named: 0 for any other touch, for a
bulk ingest's (over 100 jobs, named none) and for a malformed body.
*/
export function ingestBatch(body: Uint8Array | undefined): number {
	const json = body ? parseJsonObject(body) : undefined;
	const ingested = json?.ok ? json.value['ingested'] : undefined;
	if (typeof ingested !== 'number' || !Number.isSafeInteger(ingested) || ingested <= 0) return 0;
	return Math.min(ingested, namedJobs(body).length);
}

/** The jobs a signal's body names, if at most `atMost`; none for a body without them or a malformed one (the worker lists instead). */
export function namedJobs(body: Uint8Array | undefined, atMost = namedJobsAtMost): Candidate[] {
	return (jobList(body, 'jobs', atMost) ?? []).map(entry => entry.job);
}

/**
The names a busy worker may try from a touch written `touchAgeMs` ago, aged to now: its own (while
the touch is fresh), then those it carried on that are still fresh. None for a malformed body.
*/
export function freshNamedJobs(body: Uint8Array | undefined, touchAgeMs: number): {own: AgedJob[]; earlier: AgedJob[]} {
	const age = Math.max(0, touchAgeMs);
	const own = age <= freshTouchMs ? namedJobs(body).map(job => ({...job, ageMs: age})) : [];
	return {own, earlier: carriedJobs(body, touchAgeMs).filter(j => !own.some(o => o.hash === j.hash))};
}

/** The jobs a touch written `touchAgeMs` ago carried on from earlier touches, aged to now, still fresh. */
export function carriedJobs(body: Uint8Array | undefined, touchAgeMs: number): AgedJob[] {
	const jobs: AgedJob[] = [];
	for (const {job, age} of jobList(body, 'earlier', namedJobsAtMost) ?? []) {
		if (typeof age !== 'number' || !Number.isFinite(age) || age < 0) return [];
		const aged = age + Math.max(0, touchAgeMs);
		if (aged <= freshTouchMs) jobs.push({...job, ageMs: aged});
	}
	return jobs;
}

/** A body's list under `field` of [hash, priority, …] entries, with what follows the pair; undefined when absent, over `atMost` or malformed. */
function jobList(
	body: Uint8Array | undefined,
	field: 'jobs' | 'earlier',
	atMost: number,
): Array<{job: Candidate; age: unknown}> | undefined {
	const json = body ? parseJsonObject(body) : undefined;
	const list = json?.ok ? json.value[field] : undefined;
	if (!Array.isArray(list) || list.length > atMost) return undefined;
	const entries: Array<{job: Candidate; age: unknown}> = [];
	for (const item of list as unknown[]) {
		if (!Array.isArray(item) || typeof item[0] !== 'string' || typeof item[1] !== 'string') return undefined;
		const priority = parsePriority(item[1]);
		if (!isJobHash(item[0]) || !priority) return undefined;
		entries.push({job: {hash: item[0], priority}, age: item[2]});
	}
	return entries;
}

/** The pause a touch written `touchAgeMs` ago carried, aged to now; undefined when it carried none (or a malformed one). */
export function carriedPause(body: Uint8Array | undefined, touchAgeMs: number): CarriedPause | undefined {
	const json = body ? parseJsonObject(body) : undefined;
	const pause = json?.ok ? json.value['pause'] : undefined;
	if (typeof pause !== 'object' || pause === null || Array.isArray(pause)) return undefined;
	const {priorities: list, ageMs} = pause as Record<string, unknown>;
	if (!Array.isArray(list) || typeof ageMs !== 'number' || !Number.isFinite(ageMs) || ageMs < 0) return undefined;
	const paused: Priority[] = [];
	for (const item of list as unknown[]) {
		const priority = typeof item === 'string' ? parsePriority(item) : undefined;
		if (!priority) return undefined;
		paused.push(priority);
	}
	return {priorities: paused, ageMs: ageMs + Math.max(0, touchAgeMs)};
}
