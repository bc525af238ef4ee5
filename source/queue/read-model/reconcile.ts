/**
Reconciliation: rebuilds the snapshot from a full listing, so the read model is exact even after
events were lost (a process killed between a state write and its journal write, a journal object
that landed later than a minute after its time). It lists every queue folder and store/out/, so
its cost grows with history; the janitor runs it rarely (`blobforge janitor --reconcile`), never
the console.

Requests: LIST of every queue folder and store/out/ (a page per 1,000 keys), GET per lease, GET
snapshot, PUT snapshot If-Match.
*/
import {collectAll, isNotModified} from '../../storage/object-store.js';
import {emptySnapshot, type JobSummary, type Snapshot} from './event-fold.js';
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

/** Rebuilds the snapshot from a full listing; returns how many jobs' states it corrected. */
export async function reconcile(context: QueueContext): Promise<{corrected: number; saved: boolean}> {
	const loaded = await loadSnapshot(context);
	if (loaded === 'not-modified') return {corrected: 0, saved: false};
	const previous = loaded.snapshot;
	// Events up to the newest journal object seen now are reflected in the listing that follows.
	const journal = await collectAll(context.store, context.keys.journalFolder());
	const listed = await listJobStates(context);
	const now = await context.store.serverTime();
	const next: Snapshot = {
		...emptySnapshot(),
		completionsByMinute: previous.completionsByMinute,
		failuresByMinute: previous.failuresByMinute,
		compactedAt: now,
		journalCursor: journal.at(-1)?.key ?? previous.journalCursor,
	};
	let corrected = 0;
	for (const [hash, job] of listed) {
		const known = previous.jobs[hash];
		// Processing is an overlay on the job's underlying state: its todo entry is still there.
		const state = job.state === 'processing' ? 'todo' : job.state;
		const priority = job.lease?.priority ?? (job.state === 'todo' ? job.priority : (known?.priority ?? job.priority));
		const knownState = known?.state ?? 'done';
		if (knownState !== state) corrected++;
		if (state === 'done' && !known) {
			next.settledDone[priority]++;
			continue;
		}
		const summary: JobSummary = {
			seq: known?.seq ?? 0,
			state,
			priority,
			attempts: known?.attempts ?? 0,
			at: known?.at ?? now,
			...(known?.name === undefined ? {} : {name: known.name}),
			...(known?.size === undefined ? {} : {size: known.size}),
			...(known?.error === undefined ? {} : {error: known.error}),
		};
		next.jobs[hash] = summary;
	}
	for (const [hash, job] of Object.entries(previous.jobs))
		if (!listed.has(hash) && job.state !== 'removed') corrected++;
	const saved = await saveSnapshot(context, next, loaded.etag);
	return {corrected, saved};
}
