/**
The janitor: recovers stale leases, rolls forward attempts whose holder died half-way,
requeues failed jobs whose backoff has passed, and compacts ended leases and the journal into
the snapshot. Any process may run it; every step is safe to repeat.

One pass — requests:
- LIST queue/processing/, GET each lease (active ones are few: one per busy worker; ended ones
  wait here for this pass).
- stale lease (no write for stale_timeout by the server's clock), or `completing` and stale:
  1. GET  queue/todo/<p>/<h>            the attempt count (if the lease never heartbeated) and the history
  2. HEAD store/out/<h>.zip             exists → DELETE todo, PUT lease If-Match ending: done
  3. otherwise, within the retry budget: PUT todo/<p>/<h> (attempt counted), PUT lease If-Match
     ending: requeued; past it: PUT lease If-Match ending: dead, PUT dead/<h>, DELETE todo.
     The If-Match is the fence: 412 means the holder renewed it a moment ago; leave it.
- ended failed/dead/cancelled lease: HEAD the failed/dead record; missing (the holder died after
  its fence) → GET todo, and when the todo entry is older than the lease, PUT the record, DELETE todo.
- LIST queue/failed/, GET each; retryAt passed and no lease left → PUT todo, journal event, DELETE failed.
- compaction: GET snapshot, LIST + GET journal objects older than a minute, fold them and the
  ended leases, PUT snapshot If-Match, then DeleteObjects for the folded journal objects and leases.

Staleness is judged by the storage server's clock: lease last-modified against serverTime().
*/
import {mapLimit} from '../lib/concurrency.js';
import {collectAll, isNotModified, type ListEntry} from '../storage/object-store.js';
import {appendEvents} from './journal.js';
import {readJournal} from './journal-reader.js';
import {applyEvent, eventOfEndedLease, settle} from './job-view.js';
import type {QueueContext} from './queue-context.js';
import {
	nextSeq,
	parseFailureRecord,
	parseLease,
	parseTodoEntry,
	serializeTodoEntry,
	type AttemptFailure,
	type Lease,
	type QueueReason,
	type TodoEntry,
} from './records.js';
import {loadSnapshot, saveSnapshot, type LoadedSnapshot} from './snapshot-store.js';
import {failureRecordOf} from './transitions/finish.js';
import {rollForward} from './roll-forward.js';
import {writeLeaseIfMatch} from './transitions/lease-write.js';
import {todoEvent} from './transitions/enqueue.js';

export type JanitorReport = {
	staleRecovered: number;
	finishedDone: number;
	deadLettered: number;
	rolledForward: number;
	failedRequeued: number;
	leasesSwept: number;
	journalFolded: number;
	/** Objects that could not be read, with the reason: reported, left in place (leases: recovered). */
	malformed: Array<{key: string; reason: string}>;
};

export function emptyReport(): JanitorReport {
	return {
		staleRecovered: 0,
		finishedDone: 0,
		deadLettered: 0,
		rolledForward: 0,
		failedRequeued: 0,
		leasesSwept: 0,
		journalFolded: 0,
		malformed: [],
	};
}

export type JanitorOptions = {
	dryRun?: boolean;
	/** Journal objects younger than this are left for the next pass, so late writers are not skipped. @default 60000 */
	journalSettleMs?: number;
	/** Skip compaction (a worker's start-up recovery). */
	compact?: boolean;
	/** Only leases of this worker, not renewed for two heartbeat intervals (start-up recovery). */
	ownWorker?: string;
};

type SeenLease = {entry: ListEntry; lease: Lease; etag: string};

export async function runJanitor(context: QueueContext, options: JanitorOptions = {}): Promise<JanitorReport> {
	const report = emptyReport();
	const now = await context.store.serverTime();
	const config = context.config();
	const quietMs = options.ownWorker ? 2 * config.heartbeat_interval * 1000 : config.stale_timeout_minutes * 60_000;
	const ended: SeenLease[] = [];
	const leased = new Set<string>();
	// The snapshot is loaded before the leases are listed: if another janitor compacts meanwhile,
	// our compare-and-swap fails and we delete nothing we listed.
	const compacting = options.compact !== false && !options.dryRun && !options.ownWorker;
	const loaded = compacting ? await loadSnapshot(context) : undefined;
	for (const entry of await collectAll(context.store, context.keys.leaseFolder())) {
		const hash = context.keys.hashOf(entry.key);
		if (!hash) {
			report.malformed.push({key: entry.key, reason: 'not a job hash'});
			continue;
		}
		leased.add(hash);
		const got = await context.store.get(entry.key);
		if (!got || isNotModified(got)) continue;
		const parsed = parseLease(got.body, hash);
		if (!parsed.ok) report.malformed.push({key: entry.key, reason: parsed.reason});
		// An unreadable lease still locks a job: treat it as a first attempt at normal priority.
		const lease: Lease = parsed.ok
			? parsed.value
			: {
					version: 1,
					hash,
					seq: 0,
					worker: 'unknown',
					priority: 'normal',
					attempt: 0,
					nonce: 'malformed',
					counter: 0,
					claimedAt: got.lastModified,
				};
		if (options.ownWorker && lease.worker !== options.ownWorker) continue;
		const seen = {entry, lease, etag: got.etag};
		if (lease.ending && lease.ending !== 'completing') {
			if (!options.dryRun) {
				if (await rollForward(context, lease)) report.rolledForward++;
			}
			ended.push(seen);
			continue;
		}
		if (now - entry.lastModified <= quietMs) continue;
		if (options.dryRun) {
			report.staleRecovered++;
			continue;
		}
		const recovered = await recoverLease(context, seen, options.ownWorker ? 'worker-restart' : 'stale-lease', report);
		if (recovered) ended.push(recovered);
	}
	if (options.ownWorker) return report;
	// Compaction first: it sweeps the ended leases, so a failed job whose last attempt just ended
	// is requeued in this pass, not the next one (a claim cannot create its lease while one exists).
	if (
		loaded &&
		loaded !== 'not-modified' &&
		(await compact(context, loaded, ended, now, options.journalSettleMs ?? 60_000, report))
	) {
		for (const {lease} of ended) leased.delete(lease.hash);
	}
	// Requeued jobs' events go to the journal in one append for the whole pass, then their failed
	// records are deleted: a crash in between leaves a job both queued and failed, and the next pass
	// requeues it again (the same todo entry) and finishes.
	const requeued: Array<{entry: TodoEntry; failedKey: string}> = [];
	for (const entry of await collectAll(context.store, context.keys.failedFolder())) {
		const done = await requeueFailed(context, entry, now, leased, report, options.dryRun);
		if (done) requeued.push(done);
	}
	if (requeued.length > 0) {
		await appendEvents(
			context,
			requeued.map(r => todoEvent(r.entry)),
		);
		await mapLimit(requeued, 16, async r => context.store.delete(r.failedKey));
	}
	return report;
}

/** A worker's start-up recovery of leases its earlier process left behind (after kill -9). */
export async function recoverOwnLeases(context: QueueContext, worker: string): Promise<JanitorReport> {
	return runJanitor(context, {ownWorker: worker, compact: false});
}

async function recoverLease(
	context: QueueContext,
	seen: SeenLease,
	reason: QueueReason,
	report: JanitorReport,
): Promise<SeenLease | undefined> {
	const {store, keys} = context;
	const {lease} = seen;
	const hash = lease.hash;
	const todoKey = keys.todo(lease.priority, hash);
	const now = await store.serverTime();
	// The todo entry is still there (it lives until the attempt ends): it has the attempt count of a
	// lease that never heartbeated, and the history of earlier failures that the requeue carries on.
	const got = await store.get(todoKey);
	const parsed = got && !isNotModified(got) ? parseTodoEntry(got.body, hash, lease.priority) : undefined;
	const todo: TodoEntry | undefined = parsed?.ok ? parsed.value : undefined;
	const attempt = lease.attempt || (todo?.attempts ?? 0) + 1;
	const base: Lease = {
		...lease,
		attempt,
		counter: lease.counter + 1,
		endedAt: now,
		seq: nextSeq(Math.max(lease.seq, todo?.seq ?? 0), now),
		...(todo?.name === undefined ? {} : {name: todo.name}),
		...(todo?.size === undefined ? {} : {size: todo.size}),
	};
	const end = async (changes: Partial<Lease>): Promise<SeenLease | undefined> => {
		const next = {...base, ...changes};
		const etag = await writeLeaseIfMatch(context, next, seen.etag);
		return etag === undefined ? undefined : {entry: seen.entry, lease: next, etag};
	};
	if (await store.head(keys.result(hash))) {
		await store.delete(todoKey);
		const done = await end({ending: 'done', attemptsAfter: attempt - 1});
		if (done) report.finishedDone++;
		return done;
	}
	const error =
		reason === 'worker-restart'
			? `worker ${lease.worker} restarted while the job was running`
			: `lease not renewed for ${context.config().stale_timeout_minutes} min (worker ${lease.worker})`;
	const failure: AttemptFailure = {attempt, worker: lease.worker, error, at: now, permanent: false};
	if (attempt > context.config().max_retries) {
		const dead = await end({ending: 'dead', failure, attemptsAfter: attempt});
		if (!dead) return undefined;
		await store.put(keys.dead(hash), JSON.stringify(failureRecordOf(dead.lease, todo?.history ?? [])), {
			contentType: 'application/json',
		});
		await store.delete(todoKey);
		report.deadLettered++;
		return dead;
	}
	// The todo entry first: if the fence then fails (the holder renewed), at worst one attempt is over-counted.
	const entry: TodoEntry = {
		version: 1,
		hash,
		seq: base.seq,
		priority: lease.priority,
		attempts: attempt,
		queuedAt: now,
		reason,
		lastError: error,
		history: [...(todo?.history ?? []), failure].slice(-20),
		...(base.name === undefined ? {} : {name: base.name}),
		...(base.size === undefined ? {} : {size: base.size}),
	};
	await store.put(todoKey, serializeTodoEntry(entry), {contentType: 'application/json'});
	const requeued = await end({ending: 'requeued', failure, attemptsAfter: attempt});
	if (requeued) report.staleRecovered++;
	return requeued;
}

/** Writes the todo entry of a failed job whose backoff passed; the caller journals and deletes the failed record. */
async function requeueFailed(
	context: QueueContext,
	listed: ListEntry,
	now: number,
	leased: ReadonlySet<string>,
	report: JanitorReport,
	dryRun = false,
): Promise<{entry: TodoEntry; failedKey: string} | undefined> {
	const {store, keys} = context;
	const hash = keys.hashOf(listed.key);
	if (!hash) {
		report.malformed.push({key: listed.key, reason: 'not a job hash'});
		return;
	}
	// Its last attempt's lease is still waiting to be folded: requeue on the next pass.
	if (leased.has(hash)) return;
	const got = await store.get(listed.key);
	if (!got || isNotModified(got)) return;
	const parsed = parseFailureRecord(got.body, hash);
	if (!parsed.ok) {
		report.malformed.push({key: listed.key, reason: parsed.reason});
		return;
	}
	const record = parsed.value;
	if (record.retryAt !== undefined && record.retryAt > now) return;
	if (dryRun) {
		report.failedRequeued++;
		return;
	}
	const entry: TodoEntry = {
		version: 1,
		hash,
		seq: nextSeq(record.seq, now),
		priority: record.priority,
		attempts: record.attempts,
		queuedAt: now,
		reason: 'retry',
		lastError: record.history.at(-1)?.error,
		history: record.history,
		...(record.name === undefined ? {} : {name: record.name}),
		...(record.size === undefined ? {} : {size: record.size}),
	};
	await store.put(keys.todo(record.priority, hash), serializeTodoEntry(entry), {contentType: 'application/json'});
	report.failedRequeued++;
	return {entry, failedKey: listed.key};
}

/**
Folds journal objects older than `settleMs` and the ended leases into the snapshot, then deletes them; false
when another janitor saved first.
*/
async function compact(
	context: QueueContext,
	loaded: LoadedSnapshot,
	ended: SeenLease[],
	now: number,
	settleMs: number,
	report: JanitorReport,
): Promise<boolean> {
	const {snapshot} = loaded;
	if (loaded.problem) report.malformed.push({key: context.keys.snapshot(), reason: loaded.problem});
	const journal = await readJournal(context, {startAfter: snapshot.journalCursor, before: now - settleMs});
	for (const problem of journal.problems) report.malformed.push({key: context.keys.journalFolder(), reason: problem});
	for (const batch of journal.batches) for (const event of batch.events) applyEvent(snapshot, event);
	for (const {lease} of ended) {
		const event = eventOfEndedLease(lease);
		if (event) applyEvent(snapshot, event);
	}
	if (journal.batches.length > 0) snapshot.journalCursor = journal.batches.at(-1)!.key;
	snapshot.compactedAt = now;
	settle(snapshot, now);
	// Another janitor compacted first: leave everything for the next pass (folding twice is harmless).
	if (!(await saveSnapshot(context, snapshot, loaded.etag))) return false;
	const folded = [...journal.batches.map(b => b.key), ...ended.map(e => e.entry.key)];
	for (let i = 0; i < folded.length; i += 1000) {
		await context.store.deleteMany(folded.slice(i, i + 1000));
	}
	report.journalFolded += journal.batches.length;
	report.leasesSwept += ended.length;
	return true;
}
