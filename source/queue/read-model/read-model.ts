/**
The read model behind `watch`, `dashboard`, `list` and `status`: counts per state and priority,
the jobs in todo, failed and dead, the active leases with their progress, and completions per
minute, at a cost that does not grow with history.

One refresh — requests:
1. GET  queue/snapshot.json  If-None-Match: <ETag>   (304 in steady state: the head — counts, and the
                                                      jobs a console shows, whatever the queue's size)
2. LIST queue/journal/ start-after <cursor>          (+ one GET per journal object new since: enqueue
                                                      batches, retries and other low-rate changes)
3. LIST queue/processing/                             (+ one GET per lease whose ETag changed: a
                                                      heartbeat, a claim, an ending)
Nothing lists store/out/ or the todo folders, so 100,000 finished jobs cost what 100 do, and a
million queued ones what a thousand do. A full reader (ingest, `list`) also GETs every shard the
head names, once per shard id (snapshot-shards.ts).

A caller may skip either half (the console does: it reads the journal when queue/changes.json
changed and sweeps the leases on a slower clock); the skipped half is served from what the last
refresh read, with heartbeat ages brought up to the server's current time.
*/
import {mapLimit} from '../../lib/concurrency.js';
import {collectAll, isNotModified} from '../../storage/object-store.js';
import {readJournal} from './journal-reader.js';
import {
	applyEvent,
	baseCounts,
	cloneSnapshot,
	eventOfEndedLease,
	stateOf,
	withActive,
	type Counts,
	type History,
	type Snapshot,
} from './event-fold.js';
import type {QueueContext} from '../queue-context.js';
import {parseLease, type JobState, type Lease} from '../records.js';
import {type LoadedSnapshot, loadSnapshot} from './snapshot-store.js';
import {readAllShards, type ShardJobs, ShardUnreadable} from './snapshot-shards.js';

export type ActiveJob = {
	lease: Lease;
	/** Server time of the lease's last write (claim or heartbeat). */
	lastWrite: number;
	/** Server time minus lastWrite. */
	heartbeatAgeMs: number;
};

export type QueueView = {
	/** The server's clock when the refresh finished. */
	serverNow: number;
	counts: Counts;
	/**
	Jobs by hash: for a full reader every job in todo, failed and dead (and recently done); otherwise the
	head's (every one in a small queue, the newest per state and priority in a large one) and those changed since.
	*/
	jobs: Snapshot['jobs'];
	/** `jobs` holds every job in todo, failed and dead: lists are whole, not the newest of more. */
	complete: boolean;
	active: ActiveJob[];
	/** The ended leases the last sweep listed (not yet deleted by a janitor): each attempt's outcome and times. */
	ended: Lease[];
	completionsByMinute: Record<string, number>;
	failuresByMinute: Record<string, number>;
	/** Completions and failures per hour and per day (event-fold.ts `History`). */
	history: History;
	/** Records that could not be read: reported, skipped. */
	problems: string[];
	stateOf(hash: string): JobState | undefined;
	/** Changes whenever `jobs` does: what derives from the jobs alone may be kept until it moves. */
	version: number;
};

/** How far back each refresh re-lists the journal. */
const journalWindowMs = 60_000;

type CachedLease = {etag: string; lastModified: number; lease?: Lease};

/** Which halves of a refresh to read; both by default. */
export type RefreshParts = {
	/** GET the snapshot and LIST the journal. @default true */
	journal?: boolean;
	/**
	Only GET the snapshot (304 unless the janitor compacted), listing the journal only if it changed. @default
	false
	*/
	snapshot?: boolean;
	/** LIST the leases and GET the changed ones. @default true */
	leases?: boolean;
};

export class ReadModel {
	private baseEtag?: string;
	private working?: Snapshot;
	/** Journal keys read since the snapshot, with their server time, to skip them on the next listing. */
	private readonly journalRead = new Map<string, number>();
	private snapshotCursor = '';
	private readonly leases = new Map<string, CachedLease>();
	/** Bumped by every change of the working snapshot's jobs. */
	private version = 0;
	private counted?: {version: number; counts: Counts; complete: boolean};
	private leasesRead = false;
	private readonly shardCache = new Map<string, ShardJobs>();

	constructor(
		private readonly context: QueueContext,
		/** Read every shard too (ingest, `list`): `jobs` is then complete. */
		private readonly options: {full?: boolean} = {},
	) {}

	async refresh(parts: RefreshParts = {}): Promise<QueueView> {
		const problems: string[] = [];
		// Nothing read yet: both halves, whatever was asked.
		if (parts.journal !== false || !this.working) await this.readJournalHalf(problems, true);
		else if (parts.snapshot) await this.readJournalHalf(problems, false);
		if (parts.leases !== false || !this.leasesRead) await this.readLeaseHalf(problems);
		return this.view(problems);
	}

	private async readJournalHalf(problems: string[], listJournal: boolean): Promise<void> {
		const {keys} = this.context;
		const loaded = await this.loadHead();
		// Still no snapshot (no compaction yet) is no change either: keep what was read on top of nothing.
		const unchanged =
			loaded === 'not-modified' ||
			(this.working !== undefined && this.baseEtag === undefined && loaded.etag === undefined);
		// A new snapshot is a new base: the journal after its cursor must be read on top of it.
		if (unchanged && !listJournal) return;
		if (!unchanged) {
			this.baseEtag = loaded.etag;
			this.working = cloneSnapshot(loaded.snapshot);
			if (loaded.shardJobs) for (const [hash, job] of Object.entries(loaded.shardJobs)) this.working.jobs[hash] ??= job;
			this.version++;
			this.snapshotCursor = loaded.snapshot.journalCursor;
			this.journalRead.clear();
			if (loaded.problem) problems.push(loaded.problem);
		}
		const working = this.working!;
		// List from a minute before the newest key read, so objects that landed late are not missed.
		const newest = Math.max(0, ...this.journalRead.values());
		const startAfter = newest > 0 ? keys.journal(newest - journalWindowMs, '') : this.snapshotCursor;
		const journal = await readJournal(this.context, {
			startAfter,
			skip: key => key <= this.snapshotCursor || this.journalRead.has(key),
		});
		problems.push(...journal.problems);
		// In seq order (see compaction.ts): journal keys of one millisecond list in random order.
		const events = journal.batches.flatMap(b => b.events).sort((a, b) => a.seq - b.seq);
		for (const event of events) if (applyEvent(working, event)) this.version++;
		for (const batch of journal.batches) this.journalRead.set(batch.key, keys.journalTime(batch.key) ?? 0);
		for (const [key, time] of this.journalRead) if (time < newest - 2 * journalWindowMs) this.journalRead.delete(key);
	}

	/**
	The head, and for a full reader every shard it names. A janitor that compacts meanwhile deletes the
	shards it replaced: then the new head is read, up to three times.
	*/
	private async loadHead(): Promise<(LoadedSnapshot & {shardJobs?: ShardJobs}) | 'not-modified'> {
		for (let attempt = 1; ; attempt++) {
			const loaded = await loadSnapshot(this.context, this.working ? this.baseEtag : undefined);
			if (loaded === 'not-modified' || !this.options.full || loaded.snapshot.legacy) return loaded;
			try {
				return {...loaded, shardJobs: await readAllShards(this.context, loaded.snapshot.shards, this.shardCache)};
			} catch (error) {
				if (!(error instanceof ShardUnreadable)) throw error;
				// Not a race with a janitor: a damaged shard. The head's jobs are shown, and why the list is short.
				if (attempt === 3)
					return {
						...loaded,
						problem: `${error.message}; the job lists are degraded until \`blobforge janitor --reconcile\` rebuilds the shards`,
					};
			}
		}
	}

	private async readLeaseHalf(problems: string[]): Promise<void> {
		const {store, keys} = this.context;
		this.leasesRead = true;
		const listed = await collectAll(store, keys.leaseFolder());
		const seen = new Set<string>();
		const changed = listed.filter(entry => {
			seen.add(entry.key);
			return this.leases.get(entry.key)?.etag !== entry.etag;
		});
		// In parallel: a first refresh of a fleet of 10,000 reads 10,000 leases.
		await mapLimit(changed, 32, async entry => {
			const hash = keys.hashOf(entry.key);
			const got = hash ? await store.get(entry.key) : undefined;
			if (!hash || !got || isNotModified(got)) return;
			const parsed = parseLease(got.body, hash);
			if (!parsed.ok) problems.push(`${entry.key}: ${parsed.reason}`);
			this.leases.set(entry.key, {
				etag: got.etag,
				lastModified: got.lastModified,
				lease: parsed.ok ? parsed.value : undefined,
			});
		});
		for (const key of this.leases.keys()) if (!seen.has(key)) this.leases.delete(key);
	}

	private async view(problems: string[]): Promise<QueueView> {
		const working = this.working!;
		const serverNow = await this.context.store.serverTime();
		const active: ActiveJob[] = [];
		const ended: Lease[] = [];
		for (const cached of this.leases.values()) {
			const lease = cached.lease;
			if (!lease) continue;
			const event = eventOfEndedLease(lease);
			if (event) {
				ended.push(lease);
				if (applyEvent(working, event)) this.version++;
			} else
				active.push({
					lease,
					lastWrite: cached.lastModified,
					heartbeatAgeMs: Math.max(0, serverNow - cached.lastModified),
				});
		}
		const activeByHash = new Map(active.map(a => [a.lease.hash, a.lease]));
		const counted = this.countsOf(working);
		return {
			serverNow,
			counts: withActive(counted.counts, working, activeByHash),
			jobs: working.jobs,
			complete: counted.complete,
			active,
			ended,
			completionsByMinute: working.completionsByMinute,
			failuresByMinute: working.failuresByMinute,
			history: working.history,
			problems,
			stateOf: hash => stateOf(working, activeByHash, hash),
			version: this.version,
		};
	}

	/** The counts without the active leases, and whether the jobs are all there: kept until the jobs change. */
	private countsOf(working: Snapshot): {counts: Counts; complete: boolean} {
		if (this.counted?.version === this.version) return this.counted;
		const counts = baseCounts(working);
		const listed = {todo: 0, failed: 0, dead: 0};
		for (const job of Object.values(working.jobs)) if (job.state in listed) listed[job.state as keyof typeof listed]++;
		const complete = (['todo', 'failed', 'dead'] as const).every(s => listed[s] >= counts.total[s]);
		this.counted = {version: this.version, counts, complete};
		return this.counted;
	}
}
