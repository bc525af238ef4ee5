/**
Reconciliation: rebuilds the snapshot from a full listing, so the read model is exact even after
events were lost (a process killed between a state write and its journal write, a journal object
that landed later than a minute after its time). It lists every queue folder and store/out/, so
its cost grows with history; the janitor runs it rarely (`blobforge janitor --reconcile`), never
the console.

Requests: LIST of every queue folder and store/out/ (a page per 1,000 keys), GET per lease, GET
head and every shard, PUT every shard (new ids), PUT head If-Match, DeleteObjects (old shards).
*/
import {collectAll, isNotModified} from '../../storage/object-store.js';
import {defaultSettleMs, emptySnapshot, type JobSummary, type Snapshot} from './event-fold.js';
import {selectHeadJobs} from './head-jobs.js';
import {allPrefixes, readAllShards, ShardSet, widthFor} from './snapshot-shards.js';
import {priorities, type Priority} from '../keys.js';
import type {QueueContext} from '../queue-context.js';
import {parseLease, type JobState, type Lease} from '../records.js';
import {loadSnapshot, saveSnapshot} from './snapshot-store.js';

export type ListedJob = {state: JobState; priority: Priority; lease?: Lease};

/**
Every job's state from a full listing. Precedence: an active lease → processing; an ended lease →
its ending; a result → done; dead; failed; a todo entry → todo.
*/
export async function listJobStates(context: QueueContext): Promise<Map<string, ListedJob>> {
	const {store, keys} = context;
	const jobs = new Map<string, ListedJob>();
	const setIfAbsent = (hash: string | undefined, job: ListedJob) => {
		if (hash && !jobs.has(hash)) jobs.set(hash, job);
	};
	for (const entry of await collectAll(store, keys.leaseFolder())) {
		const hash = keys.hashOf(entry.key);
		if (!hash) continue;
		const got = await store.get(entry.key);
		if (!got || isNotModified(got)) continue;
		const parsed = parseLease(got.body, hash);
		const lease = parsed.ok ? parsed.value : undefined;
		const ending = lease?.ending;
		const state: JobState =
			!ending || ending === 'completing'
				? 'processing'
				: ending === 'requeued'
					? 'todo'
					: ending === 'cancelled'
						? 'dead'
						: ending;
		jobs.set(hash, {state, priority: lease?.priority ?? 'normal', lease});
	}
	const results = await collectAll(store, keys.resultFolder());
	for (const entry of results) setIfAbsent(keys.hashOf(entry.key), {state: 'done', priority: 'normal'});
	for (const entry of await collectAll(store, keys.deadFolder()))
		setIfAbsent(keys.hashOf(entry.key), {state: 'dead', priority: 'normal'});
	for (const entry of await collectAll(store, keys.failedFolder()))
		setIfAbsent(keys.hashOf(entry.key), {state: 'failed', priority: 'normal'});
	for (const priority of priorities) {
		for (const entry of await collectAll(store, keys.todoFolder(priority)))
			setIfAbsent(keys.hashOf(entry.key), {state: 'todo', priority});
	}
	return jobs;
}

/** Rebuilds the snapshot (head and shards) from a full listing; returns how many jobs' states it corrected. */
export async function reconcile(context: QueueContext): Promise<{corrected: number; saved: boolean}> {
	const loaded = await loadSnapshot(context);
	if (loaded === 'not-modified') return {corrected: 0, saved: false};
	const previous = loaded.snapshot;
	const known = previous.legacy
		? previous.jobs
		: {...(await readAllShards(context, previous.shards, new Map())), ...previous.jobs};
	// Events up to the newest journal object seen now are reflected in the listing that follows.
	const journal = await collectAll(context.store, context.keys.journalFolder());
	const listed = await listJobStates(context);
	const now = await context.store.serverTime();
	const next: Snapshot = {
		...emptySnapshot(),
		completionsByMinute: previous.completionsByMinute,
		failuresByMinute: previous.failuresByMinute,
		history: previous.history,
		compactedAt: now,
		journalCursor: journal.at(-1)?.key ?? previous.journalCursor,
	};
	const jobs: Record<string, JobSummary> = {};
	let corrected = 0;
	for (const [hash, job] of listed) {
		const before = known[hash];
		// Processing is an overlay on the job's underlying state: its todo entry is still there.
		const state = job.state === 'processing' ? 'todo' : job.state;
		const priority = job.lease?.priority ?? (job.state === 'todo' ? job.priority : (before?.priority ?? job.priority));
		const knownState = before?.state ?? 'done';
		if (knownState !== state) corrected++;
		next.counts[state][priority]++;
		// A done job is counted; kept per job only while it settles.
		if (state === 'done' && !before) continue;
		jobs[hash] = {
			seq: before?.seq ?? 0,
			state,
			priority,
			attempts: before?.attempts ?? 0,
			at: before?.at ?? now,
			...(before?.name === undefined ? {} : {name: before.name}),
			...(before?.size === undefined ? {} : {size: before.size}),
			...(before?.error === undefined ? {} : {error: before.error}),
		};
	}
	for (const [hash, job] of Object.entries(known)) if (!listed.has(hash) && job.state !== 'removed') corrected++;
	const width = widthFor(Object.keys(jobs).length, 0);
	const written = await new ShardSet(context, {width, ids: {}}).save(jobs, allPrefixes(width), width, now);
	next.shards = written.index;
	next.jobs = selectHeadJobs(jobs, next.counts, now, defaultSettleMs).jobs;
	const saved = await saveSnapshot(context, next, loaded.etag);
	const replaced = Object.entries(previous.shards.ids).map(([p, id]) => context.keys.snapshotShard(p, id));
	const doomed = saved ? replaced : written.written;
	for (let i = 0; i < doomed.length; i += 1000) await context.store.deleteMany(doomed.slice(i, i + 1000));
	return {corrected, saved};
}
