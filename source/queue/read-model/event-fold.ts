/**
The pure part of the read model: folding job events into a snapshot, and counting.
No requests here; read-model.ts and the janitor's compaction feed it.

The snapshot is a head (`queue/snapshot.json`) over shards (snapshot-shards.ts). The head holds
the exact counts per state and priority and a bounded set of jobs: those changed in the last
`settleMs` and the newest few per state and priority. Every job in todo, failed and dead (and
done ones still settling) is in its shard, which only the janitor and full readers (ingest,
`list`) read. A console therefore reads an object whose size does not grow with the queue.

Exactness rests on one rule: events for a job carry its transition counter `seq`, and an event
is applied only when its seq is higher than the one known. Reading an event twice, or out of
order, therefore changes nothing. A reader that does not know the job counts the change from the
state the event says it left (`from`), or from todo for an ended lease (claims take jobs from
todo), or as a new job.
*/
import {priorities, type Priority} from '../keys.js';
import {isObject, parseJson, type JobEvent, type JobState, type Lease, type Parsed} from '../records.js';

/** What the snapshot keeps per job: its last event, without the hash (the key) or its origin. */
export type JobSummary = Omit<JobEvent, 'hash' | 'from' | 'fromPriority'>;

/** The states stored in the bucket; processing is a lease laid over todo. */
export type StoredState = Exclude<JobState, 'processing'>;
export const storedStates: StoredState[] = ['todo', 'failed', 'dead', 'done'];

export type StateCounts = Record<StoredState, Record<Priority, number>>;

/** Where the shards are: the hash's first `width` hex digits name one; `ids` their current objects. */
export type ShardIndex = {width: number; ids: Record<string, string>};

export type Snapshot = {
	version: 2;
	/** Server time of the last compaction. */
	compactedAt: number;
	/** The last journal key folded in; readers list after it. */
	journalCursor: string;
	/** Every job per state and priority; done ones no longer kept per job too. */
	counts: StateCounts;
	/** The head's jobs (see above); in a reader's working copy, also what it read since. */
	jobs: Record<string, JobSummary>;
	/**
	The seq of each lease this compaction folded: the janitor deletes those leases after saving, and a
	reader that lists one meanwhile must not count it again. Kept until a compaction that changes
	something (no PUT only to clear it): a later event of the same job has a higher seq.
	*/
	folded: Record<string, number>;
	shards: ShardIndex;
	/** Server time of the last look for orphaned shards (a LIST every six hours, not one per compaction). */
	orphansCheckedAt?: number;
	/** Completions and failures per minute (key: minute since the epoch), the last two hours. */
	completionsByMinute: Record<string, number>;
	failuresByMinute: Record<string, number>;
	/** The same per hour (key: hour since the epoch) for the last two days, and per day (UTC) for 62 days. */
	history: History;
	/** Read from a version 1 object: `jobs` holds every job and there are no shards yet. Never saved. */
	legacy?: true;
};

export type History = {
	completionsByHour: Record<string, number>;
	failuresByHour: Record<string, number>;
	completionsByDay: Record<string, number>;
	failuresByDay: Record<string, number>;
};

const hourMs = 3_600_000;
const dayMs = 86_400_000;

function emptyHistory(): History {
	return {completionsByHour: {}, failuresByHour: {}, completionsByDay: {}, failuresByDay: {}};
}

export type Counts = Record<JobState, Record<Priority, number>> & {total: Record<JobState, number>};

/** Done and removed jobs stay per job this long, so late events for them are recognised. */
export const defaultSettleMs = 30 * 60_000;

const states: JobState[] = ['todo', 'processing', 'failed', 'dead', 'done'];

function zeroByPriority(): Record<Priority, number> {
	return Object.fromEntries(priorities.map(p => [p, 0])) as Record<Priority, number>;
}

export function zeroCounts(): StateCounts {
	return Object.fromEntries(storedStates.map(s => [s, zeroByPriority()])) as StateCounts;
}

export function emptySnapshot(): Snapshot {
	return {
		version: 2,
		compactedAt: 0,
		journalCursor: '',
		counts: zeroCounts(),
		jobs: {},
		folded: {},
		shards: {width: 0, ids: {}},
		completionsByMinute: {},
		failuresByMinute: {},
		history: emptyHistory(),
	};
}

export function cloneSnapshot(snapshot: Snapshot): Snapshot {
	return structuredClone(snapshot);
}

function isCounts(v: unknown): v is StateCounts {
	return (
		isObject(v) &&
		storedStates.every(s => {
			const row = v[s];
			return isObject(row) && priorities.every(p => typeof row[p] === 'number' && Number.isFinite(row[p]));
		})
	);
}

function isShardIndex(v: unknown): v is ShardIndex {
	if (!isObject(v) || typeof v['width'] !== 'number' || !Number.isInteger(v['width'])) return false;
	const ids = v['ids'];
	return v['width'] >= 0 && v['width'] <= 4 && isObject(ids) && Object.values(ids).every(id => typeof id === 'string');
}

/** Reads a head; a version 1 snapshot (every job inline) is taken as a legacy head. */
export function parseSnapshot(body: Uint8Array | string): Parsed<Snapshot> {
	const json = parseJson(body);
	if (!json.ok) return json;
	const v = json.value;
	if (!isObject(v) || !isObject(v['jobs']) || typeof v['journalCursor'] !== 'string')
		return {ok: false, reason: 'not a snapshot'};
	const history = isObject(v['history']) ? v['history'] : {};
	const series = {
		completionsByMinute: countSeries(v['completionsByMinute']),
		failuresByMinute: countSeries(v['failuresByMinute']),
		history: {
			completionsByHour: countSeries(history['completionsByHour']),
			failuresByHour: countSeries(history['failuresByHour']),
			completionsByDay: countSeries(history['completionsByDay']),
			failuresByDay: countSeries(history['failuresByDay']),
		},
	};
	const jobs = validJobs(v['jobs']);
	const base = {compactedAt: Number(v['compactedAt']) || 0, journalCursor: v['journalCursor'], jobs, ...series};
	if (v['version'] === 1 && isObject(v['settledDone'])) {
		const counts = zeroCounts();
		for (const job of Object.values(jobs)) if (job.state !== 'removed') counts[job.state][job.priority]++;
		for (const p of priorities) counts.done[p] += Number(v['settledDone'][p]) || 0;
		return {ok: true, value: {...base, version: 2, counts, folded: {}, shards: {width: 0, ids: {}}, legacy: true}};
	}
	if (v['version'] !== 2 || !isCounts(v['counts']) || !isShardIndex(v['shards']) || !isObject(v['folded']))
		return {ok: false, reason: 'not a version 2 snapshot head'};
	const folded = v['folded'] as Record<string, number>;
	const checked = typeof v['orphansCheckedAt'] === 'number' ? {orphansCheckedAt: v['orphansCheckedAt']} : {};
	return {ok: true, value: {...base, version: 2, counts: v['counts'], folded, shards: v['shards'], ...checked}};
}

const summaryStates = new Set<string>([...storedStates, 'removed']);

/** The well-formed entries of a jobs map read from the bucket (a wrong-typed one is left out, not trusted). */
export function validJobs(raw: Record<string, unknown>): Record<string, JobSummary> {
	const jobs: Record<string, JobSummary> = {};
	for (const [hash, v] of Object.entries(raw)) {
		if (!/^[0-9a-f]{64}$/.test(hash) || !isObject(v)) continue;
		if (typeof v['seq'] !== 'number' || typeof v['at'] !== 'number' || typeof v['attempts'] !== 'number') continue;
		if (!summaryStates.has(String(v['state'])) || !priorities.includes(v['priority'] as Priority)) continue;
		const job = v as unknown as JobSummary;
		jobs[hash] = {
			seq: job.seq,
			state: job.state,
			priority: job.priority,
			attempts: job.attempts,
			at: job.at,
			...(typeof job.name === 'string' ? {name: job.name.slice(0, 1024)} : {}),
			...(typeof job.size === 'number' ? {size: job.size} : {}),
			...(typeof job.error === 'string' ? {error: job.error.slice(0, 4096)} : {}),
			...(typeof job.worker === 'string' ? {worker: job.worker.slice(0, 200)} : {}),
		};
	}
	return jobs;
}

/** A per-period series as stored: only finite counts are kept, so a wrong-typed entry cannot poison a sum. */
function countSeries(value: unknown): Record<string, number> {
	if (!isObject(value)) return {};
	const series: Record<string, number> = {};
	for (const [key, count] of Object.entries(value))
		if (/^\d+$/.test(key) && typeof count === 'number' && Number.isFinite(count) && count >= 0) series[key] = count;
	return series;
}

function bumpOne(series: Record<string, number>, at: number, periodMs: number): void {
	const period = String(Math.floor(at / periodMs));
	series[period] = (series[period] ?? 0) + 1;
}

function bump(snapshot: Snapshot, kind: 'completions' | 'failures', at: number): void {
	bumpOne(snapshot[`${kind}ByMinute`], at, 60_000);
	bumpOne(snapshot.history[`${kind}ByHour`], at, hourMs);
	bumpOne(snapshot.history[`${kind}ByDay`], at, dayMs);
}

/** The state and priority a job leaves with this event, or undefined for a job new to the queue. */
function originOf(known: JobSummary | undefined, event: JobEvent): {state: JobState; priority: Priority} | undefined {
	if (known) return known.state === 'removed' ? undefined : {state: known.state, priority: known.priority};
	if (event.from) return {state: event.from, priority: event.fromPriority ?? event.priority};
	return undefined;
}

/** Applies one event (the job, its counts, the series); returns false when it was not newer than what is known. */
export function applyEvent(snapshot: Snapshot, event: JobEvent): boolean {
	const known = snapshot.jobs[event.hash];
	if (known && known.seq >= event.seq) return false;
	if ((snapshot.folded[event.hash] ?? -1) >= event.seq) return false;
	const origin = originOf(known, event);
	// Processing is a lease over todo: the job leaves todo.
	const left = origin?.state === 'processing' ? 'todo' : origin?.state;
	if (left && origin) {
		const row = snapshot.counts[left];
		row[origin.priority] = Math.max(0, row[origin.priority] - 1);
	}
	if (event.state !== 'removed') snapshot.counts[event.state][event.priority]++;
	if (event.state === 'done' && left !== 'done') bump(snapshot, 'completions', event.at);
	if ((event.state === 'failed' || event.state === 'dead') && left !== event.state)
		bump(snapshot, 'failures', event.at);
	snapshot.jobs[event.hash] = summaryOf(event, known);
	return true;
}

function summaryOf(event: JobEvent, known: JobSummary | undefined): JobSummary {
	const name = event.name ?? known?.name;
	const size = event.size ?? known?.size;
	// The worker of the attempt that ended so; a later change by an operator (retry, cancel) names none.
	const worker = event.worker;
	return {
		seq: event.seq,
		state: event.state,
		priority: event.priority,
		attempts: event.attempts,
		at: event.at,
		...(name === undefined ? {} : {name}),
		...(size === undefined ? {} : {size}),
		...(event.error === undefined ? {} : {error: event.error}),
		...(worker === undefined ? {} : {worker}),
	};
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
		from: 'todo',
		...(lease.name === undefined ? {} : {name: lease.name}),
		...(lease.size === undefined ? {} : {size: lease.size}),
		...(lease.failure ? {error: lease.failure.error} : {}),
		worker: lease.worker,
	};
}

/** Whether a job kept per job has settled: done or removed longer than `settleMs` ago. */
export function hasSettled(job: JobSummary, now: number, settleMs = defaultSettleMs): boolean {
	return (job.state === 'done' || job.state === 'removed') && now - job.at > settleMs;
}

/** Drops minutes older than two hours, hours older than two days, days older than 62; whether any went. */
export function trimSeries(snapshot: Snapshot, now: number): boolean {
	let changed = false;
	const {history} = snapshot;
	const trim = (series: Record<string, number>, periodMs: number, keep: number) => {
		const oldest = Math.floor(now / periodMs) - keep;
		for (const period of Object.keys(series))
			if (Number(period) < oldest) {
				delete series[period];
				changed = true;
			}
	};
	for (const series of [snapshot.completionsByMinute, snapshot.failuresByMinute]) trim(series, 60_000, 120);
	for (const series of [history.completionsByHour, history.failuresByHour]) trim(series, hourMs, 48);
	for (const series of [history.completionsByDay, history.failuresByDay]) trim(series, dayMs, 62);
	return changed;
}

/** A series (key: period since the epoch) as its last `count` values, oldest first, the current period last. */
export function periodSeries(series: Record<string, number>, now: number, periodMs: number, count: number): number[] {
	const current = Math.floor(now / periodMs);
	return Array.from({length: count}, (_, i) => series[String(current - count + 1 + i)] ?? 0);
}

/** The snapshot's counts with processing at zero and the totals. */
export function baseCounts(snapshot: Snapshot): Counts {
	const counts = Object.fromEntries(
		states.map(s => [s, s === 'processing' ? zeroByPriority() : {...snapshot.counts[s]}]),
	) as unknown as Counts;
	return withTotals(counts);
}

/** Counts of the jobs alone, with the active leases laid over: a job under a lease counts as processing. */
export function withActive(base: Counts, snapshot: Snapshot, active: ReadonlyMap<string, Lease>): Counts {
	const counts = Object.fromEntries(states.map(s => [s, {...base[s]}])) as unknown as Counts;
	for (const lease of active.values()) {
		const job = snapshot.jobs[lease.hash];
		// A job under a lease was in todo (at the lease's priority when the head does not show it); a lease for
		// a job the snapshot thinks done is a re-run.
		const state = job ? job.state : 'todo';
		const priority = job ? job.priority : lease.priority;
		if (state !== 'removed') counts[state][priority] = Math.max(0, counts[state][priority] - 1);
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
