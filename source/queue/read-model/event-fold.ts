/**
The pure part of the read model: folding job events into a snapshot, and counting.
No requests here; read-model.ts and the janitor's compaction feed it.

Exactness rests on one rule: events for a job carry its transition counter `seq`, and an event
is applied only when its seq is higher than the one known. Reading an event twice, or out of
order, therefore changes nothing. Done jobs are kept per job for `settleMs` (long enough for any
late event of theirs to arrive), then only counted.
*/
import {priorities, type Priority} from '../keys.js';
import {isObject, parseJson, type JobEvent, type JobState, type Lease, type Parsed} from '../records.js';

/** What the snapshot keeps per job: its last event, without the hash (the key) or `from`. */
export type JobSummary = Omit<JobEvent, 'hash' | 'from'>;

export type Snapshot = {
	version: 1;
	/** Server time of the last compaction. */
	compactedAt: number;
	/** The last journal key folded in; readers list after it. */
	journalCursor: string;
	/** Jobs in todo, failed and dead, and done or removed ones still settling. */
	jobs: Record<string, JobSummary>;
	/** Done jobs no longer kept per job, by priority. */
	settledDone: Record<Priority, number>;
	/** Completions and failures per minute (key: minute since the epoch), the last two hours. */
	completionsByMinute: Record<string, number>;
	failuresByMinute: Record<string, number>;
};

export type Counts = Record<JobState, Record<Priority, number>> & {total: Record<JobState, number>};

/** Done and removed jobs stay per job this long, so late events for them are recognised. */
export const defaultSettleMs = 30 * 60_000;

const states: JobState[] = ['todo', 'processing', 'failed', 'dead', 'done'];

function zeroByPriority(): Record<Priority, number> {
	return Object.fromEntries(priorities.map(p => [p, 0])) as Record<Priority, number>;
}

export function emptySnapshot(): Snapshot {
	return {
		version: 1,
		compactedAt: 0,
		journalCursor: '',
		jobs: {},
		settledDone: zeroByPriority(),
		completionsByMinute: {},
		failuresByMinute: {},
	};
}

export function cloneSnapshot(snapshot: Snapshot): Snapshot {
	return structuredClone(snapshot);
}

export function parseSnapshot(body: Uint8Array | string): Parsed<Snapshot> {
	const json = parseJson(body);
	if (!json.ok) return json;
	const v = json.value;
	if (
		!isObject(v) ||
		v['version'] !== 1 ||
		!isObject(v['jobs']) ||
		!isObject(v['settledDone']) ||
		typeof v['journalCursor'] !== 'string'
	)
		return {ok: false, reason: 'not a version 1 snapshot'};
	const snapshot = v as unknown as Snapshot;
	snapshot.completionsByMinute ??= {};
	snapshot.failuresByMinute ??= {};
	return {ok: true, value: snapshot};
}

function bump(series: Record<string, number>, at: number): void {
	const minute = String(Math.floor(at / 60_000));
	series[minute] = (series[minute] ?? 0) + 1;
}

/** Applies one event; returns false when it was not newer than what is known. */
export function applyEvent(snapshot: Snapshot, event: JobEvent): boolean {
	const known = snapshot.jobs[event.hash];
	if (known && known.seq >= event.seq) return false;
	if (!known && event.state === 'removed' && event.from === 'done') {
		// A settled done job leaves: it is counted, not kept.
		snapshot.settledDone[event.priority] = Math.max(0, snapshot.settledDone[event.priority] - 1);
	}
	if (event.state === 'done' && known?.state !== 'done') bump(snapshot.completionsByMinute, event.at);
	if ((event.state === 'failed' || event.state === 'dead') && known?.state !== event.state)
		bump(snapshot.failuresByMinute, event.at);
	snapshot.jobs[event.hash] = {
		seq: event.seq,
		state: event.state,
		priority: event.priority,
		attempts: event.attempts,
		at: event.at,
		...((event.name ?? known?.name) === undefined ? {} : {name: event.name ?? known?.name}),
		...((event.size ?? known?.size) === undefined ? {} : {size: event.size ?? known?.size}),
		...(event.error === undefined ? {} : {error: event.error}),
	};
	return true;
}

/** The event an ended lease stands for; undefined while it is active or still completing. */
export function eventOfEndedLease(lease: Lease): JobEvent | undefined {
	if (!lease.ending || lease.ending === 'completing') return undefined;
	const state = lease.ending === 'cancelled' ? 'dead' : lease.ending === 'requeued' ? 'todo' : lease.ending;
	return {
		hash: lease.hash,
		seq: lease.seq,
		state,
		priority: lease.priority,
		attempts: lease.attemptsAfter ?? lease.attempt,
		at: lease.endedAt ?? lease.claimedAt,
		...(lease.name === undefined ? {} : {name: lease.name}),
		...(lease.size === undefined ? {} : {size: lease.size}),
		...(lease.failure ? {error: lease.failure.error} : {}),
	};
}

/** Moves done and removed jobs older than `settleMs` out of the per-job map; trims the series. Whether anything moved. */
export function settle(snapshot: Snapshot, now: number, settleMs = defaultSettleMs): boolean {
	let changed = false;
	for (const [hash, job] of Object.entries(snapshot.jobs)) {
		if ((job.state === 'done' || job.state === 'removed') && now - job.at > settleMs) {
			if (job.state === 'done') snapshot.settledDone[job.priority]++;
			delete snapshot.jobs[hash];
			changed = true;
		}
	}
	const oldest = Math.floor(now / 60_000) - 120;
	for (const series of [snapshot.completionsByMinute, snapshot.failuresByMinute]) {
		for (const minute of Object.keys(series))
			if (Number(minute) < oldest) {
				delete series[minute];
				changed = true;
			}
	}
	return changed;
}

/** Counts per state and priority: the snapshot's jobs, with jobs under an active lease counted as processing. */
export function countJobs(snapshot: Snapshot, activeLeases: Iterable<Lease>): Counts {
	const counts = Object.fromEntries(states.map(s => [s, zeroByPriority()])) as unknown as Counts;
	for (const job of Object.values(snapshot.jobs)) {
		if (job.state === 'removed') continue;
		counts[job.state][job.priority]++;
	}
	for (const p of priorities) counts.done[p] += snapshot.settledDone[p];
	const active = new Map<string, Lease>();
	for (const lease of activeLeases) active.set(lease.hash, lease);
	return withActive(withTotals(counts), snapshot, active);
}

/** Counts of the jobs alone, with the active leases laid over: a job under a lease counts as processing. */
export function withActive(base: Counts, snapshot: Snapshot, active: ReadonlyMap<string, Lease>): Counts {
	const counts = Object.fromEntries(states.map(s => [s, {...base[s]}])) as unknown as Counts;
	for (const lease of active.values()) {
		const job = snapshot.jobs[lease.hash];
		// A job under a lease was in todo; a lease for a job the snapshot thinks done is a re-run.
		if (job && job.state !== 'removed') counts[job.state][job.priority]--;
		counts.processing[lease.priority]++;
	}
	return withTotals(counts);
}

function withTotals(counts: Counts): Counts {
	counts.total = Object.fromEntries(
		states.map(s => [s, priorities.reduce((sum, p) => sum + counts[s][p], 0)]),
	) as Record<JobState, number>;
	return counts;
}

/** A job's state as the read model sees it. */
export function stateOf(snapshot: Snapshot, active: ReadonlyMap<string, Lease>, hash: string): JobState | undefined {
	if (active.has(hash)) return 'processing';
	const job = snapshot.jobs[hash];
	if (!job || job.state === 'removed') return undefined;
	return job.state;
}
