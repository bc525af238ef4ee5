/**
Compaction: the journal objects older than a minute and the ended leases are folded into the
snapshot (head and shards), which is saved with a compare-and-swap on the head; then the folded
objects go, with the todo entries of jobs whose lease ended done (complete leaves them).

Requests: GET head (by the caller, before it lists the leases), LIST + GET journal, GET per shard
an event touches (every shard when a head group needs refilling or the shard width changes), PUT
per changed shard (create-only, new id), PUT head If-Match (skipped when nothing changed),
DeleteObjects for the folded journal objects, leases, todo entries and replaced shards (1,000 per
request), and every six hours LIST queue/snapshot/ for orphaned shards (an hour old). A swept
lease that had been requeued (a stale lease recovered, a job handed back) makes its job claimable
only now: the janitor names it in the pass's one touch of queue/signal.json (janitor.ts).
*/
import type {JanitorReport} from '../janitor-report.js';
import type {QueueContext} from '../queue-context.js';
import type {SeenLease} from '../transitions/recover.js';
import type {JobEvent} from '../records.js';
import {applyEvent, eventOfEndedLease, hasSettled, trimSeries, type Snapshot} from './event-fold.js';
import {selectHeadJobs} from './head-jobs.js';
import {readJournal} from './journal-reader.js';
import {type LoadedSnapshot, saveSnapshot} from './snapshot-store.js';
import {
	orphanShards,
	prefixOf,
	type ShardJobs,
	ShardSet,
	ShardUnreadable,
	shardLimits,
	widthFor,
} from './snapshot-shards.js';

/**
Folds journal objects older than `journalSettleMs` and the ended leases into the snapshot, then deletes them;
false when another janitor saved first (or a shard could not be read: reported).
*/
export async function compact(
	context: QueueContext,
	loaded: LoadedSnapshot,
	ended: SeenLease[],
	now: number,
	journalSettleMs: number,
	report: JanitorReport,
	settleMs = 30 * 60_000,
): Promise<boolean> {
	const head = loaded.snapshot;
	if (loaded.problem) report.malformed.push({key: context.keys.snapshot(), reason: loaded.problem});
	const journal = await readJournal(context, {startAfter: head.journalCursor, before: now - journalSettleMs});
	for (const problem of journal.problems) report.malformed.push({key: context.keys.journalFolder(), reason: problem});
	const events: JobEvent[] = journal.batches.flatMap(b => b.events);
	for (const {lease} of ended) {
		const event = eventOfEndedLease(lease);
		if (event) events.push(event);
	}
	// In seq order: journal objects written in the same millisecond list in random order, and an
	// event met before the one it follows would count a change from a state never counted.
	events.sort((a, b) => a.seq - b.seq);
	const seriesTrimmed = trimSeries(head, now);
	const stale = Object.values(head.jobs).some(job => hasSettled(job, now, settleMs));
	// Nothing to fold or settle: no PUT (every console would fetch the same head again).
	if (
		events.length === 0 &&
		ended.length === 0 &&
		!seriesTrimmed &&
		!stale &&
		!head.legacy &&
		loaded.problem === undefined &&
		loaded.etag !== undefined
	)
		return true;
	let folded: Awaited<ReturnType<typeof foldIntoShards>>;
	try {
		folded = await foldIntoShards(context, head, events, ended, now, settleMs);
	} catch (error) {
		if (!(error instanceof ShardUnreadable)) throw error;
		// Another janitor committed meanwhile and deleted the shards it replaced: a lost race, not damage.
		const current = await context.store.head(context.keys.snapshot());
		if (current?.etag === loaded.etag)
			report.malformed.push({key: context.keys.snapshotShardFolder(), reason: error.message});
		return false;
	}
	if (journal.batches.length > 0) head.journalCursor = journal.batches.at(-1)!.key;
	head.compactedAt = now;
	// Orphans come only from janitors that died mid-compaction: a look every six hours is enough.
	const lookForOrphans =
		folded.written.length > 0 && now - (head.orphansCheckedAt ?? 0) > shardLimits.orphanLookEveryMs;
	if (lookForOrphans) head.orphansCheckedAt = now;
	delete head.legacy;
	// Another janitor compacted first: leave everything for the next pass (folding twice is harmless).
	if (!(await saveSnapshot(context, head, loaded.etag))) {
		await context.store.deleteMany(folded.written);
		return false;
	}
	const doneTodo = ended
		.filter(e => e.lease.ending === 'done')
		.map(e => context.keys.todo(e.lease.priority, e.lease.hash));
	const doomed = new Set([
		...journal.batches.map(b => b.key),
		...ended.map(e => e.entry.key),
		...doneTodo,
		...folded.replaced,
		...(lookForOrphans ? await orphanShards(context, head.shards, now) : []),
	]);
	const keys = [...doomed];
	for (let i = 0; i < keys.length; i += 1000) {
		await context.store.deleteMany(keys.slice(i, i + 1000));
	}
	report.journalFolded += journal.batches.length;
	report.leasesSwept += ended.length;
	return true;
}

/**
The exact fold: the shards of every job an event touches are read, so each event meets the job's
known seq and state, and the head's counts move by what actually changed. Updates `head` in place.
*/
async function foldIntoShards(
	context: QueueContext,
	head: Snapshot,
	events: JobEvent[],
	ended: SeenLease[],
	now: number,
	settleMs: number,
): Promise<{written: string[]; replaced: string[]}> {
	const shards = new ShardSet(context, head.shards);
	const dirty = new Set(events.map(e => prefixOf(e.hash, shards.width)));
	// The head's copies are never older than the shards'.
	const jobs: ShardJobs = {...head.jobs};
	// Shards join the fold as they are loaded; their settled jobs leave them.
	const absorb = (prefixes: string[]) => {
		for (const prefix of prefixes) {
			for (const [hash, job] of Object.entries(shards.shard(prefix))) {
				if (!(hash in jobs)) jobs[hash] = job;
				if (!hasSettled(jobs[hash]!, now, settleMs)) continue;
				delete jobs[hash];
				dirty.add(prefix);
			}
		}
	};
	// A legacy head holds every job itself: loading its (no) shards costs nothing, and all are written.
	absorb(await (head.legacy ? shards.loadAll() : shards.load(dirty)));
	if (head.legacy) for (const p of shards.loadedPrefixes()) dirty.add(p);
	const fold: Snapshot = {...head, jobs, folded: {}};
	for (const event of events) applyEvent(fold, event);
	head.counts = fold.counts;
	const pending = (['todo', 'failed', 'dead'] as const).reduce(
		(n, s) => n + Object.values(head.counts[s]).reduce((a, b) => a + b, 0),
		0,
	);
	// A new width rewrites every shard: all must be in the fold.
	const width = widthFor(pending, shards.width);
	if (width !== shards.width) absorb(await shards.loadAll());
	head.folded = Object.fromEntries(ended.map(e => [e.lease.hash, e.lease.seq]));
	const candidates = {...head.jobs};
	for (const event of events) {
		const job = jobs[event.hash];
		if (job) candidates[event.hash] = job;
		else delete candidates[event.hash];
	}
	let selection = selectHeadJobs(candidates, head.counts, now, settleMs);
	if (selection.short) {
		// A group the head shows fewer of than exist: choose again from every job.
		absorb(await shards.loadAll());
		selection = selectHeadJobs(jobs, head.counts, now, settleMs);
	}
	head.jobs = selection.jobs;
	const saved = await shards.save(jobs, dirty, width, now);
	head.shards = saved.index;
	return saved;
}
