/**
The janitor: recovers stale leases, rolls forward attempts whose holder died half-way,
requeues failed jobs whose backoff has passed, and compacts ended leases and the journal into
the snapshot. Any process may run it; every step is safe to repeat.

One pass — requests:
- LIST queue/processing/ (a page per 1,000 leases), then GET, 16 at a time, only the leases not
  written for two heartbeat intervals: ended ones (waiting here for this pass) and stale ones,
  except those the running process ended itself with the listed ETag (`known`). A
  lease written more recently is being renewed; reading it could change nothing. So a pass costs
  O(W / 1,000) LISTs plus one GET per job that ended since the last pass, not a GET per worker.
  The leases of failed jobs (LIST queue/failed/ first) are read however young: they have ended,
  and a failed job is requeued only once its lease is swept.
- stale lease: transitions/recover.ts (GET todo, HEAD result, then PUTs fenced by If-Match).
- ended failed/dead/cancelled lease: transitions/roll-forward.ts (HEAD the record; missing → GET
  todo, PUT the record, DELETE todo).
- compaction: read-model/compaction.ts (GET snapshot, LIST + GET journal, PUT snapshot If-Match,
  DeleteObjects).
- LIST queue/failed/, then transitions/retry-failed.ts for each (GET, PUT todo); one journal append
  for the pass, DELETE the failed records.
- One PUT queue/signal.json naming every job the pass made claimable (requeued, and freed by a
  swept lease), in the journal append when there is one.

Staleness is judged by the storage server's clock: lease last-modified against serverTime().
*/
import {mapLimit} from '../lib/concurrency.js';
import {collectAll, isNotModified, type ListEntry} from '../storage/object-store.js';
import type {EndedLeases} from './ended-leases.js';
import {emptyReport, type JanitorReport} from './janitor-report.js';
import type {QueueContext} from './queue-context.js';
import {compact} from './read-model/compaction.js';
import {appendEvents} from './read-model/journal.js';
import type {Candidate} from './candidates.js';
import {touchClaimable} from './claimable-touch.js';
import {loadSnapshot} from './read-model/snapshot-store.js';
import {parseLease, type Lease, type TodoEntry} from './records.js';
import {todoEvent} from './transitions/enqueue.js';
import {recoverLease, type SeenLease} from './transitions/recover.js';
import {requeueFailed} from './transitions/retry-failed.js';
import {rollForward} from './transitions/roll-forward.js';

export type JanitorOptions = {
	dryRun?: boolean;
	/** Journal objects younger than this are left for the next pass, so late writers are not skipped. @default 60000 */
	journalSettleMs?: number;
	/** Skip compaction. */
	compact?: boolean;
	/** Read every lease, however recently written (an operator's pass: a lease that ended a moment ago is swept too). */
	readAllLeases?: boolean;
	/**
	A pass run early for a due retry: only failed jobs' leases are read (the regular pass, at the fleet's gap,
	reads the quiet ones for stale and ended leases).
	*/
	retryOnly?: boolean;
	/** Leases this process ended: one listed with the ETag of that write is taken as known, not read. */
	known?: EndedLeases;
};

export async function runJanitor(context: QueueContext, options: JanitorOptions = {}): Promise<JanitorReport> {
	const report = emptyReport();
	const now = await context.store.serverTime();
	const config = context.config();
	const staleMs = config.stale_timeout_minutes * 60_000;
	const quietMs = Math.min(staleMs, 2 * config.heartbeat_interval * 1000);
	const ended: SeenLease[] = [];
	const leased = new Set<string>();
	// The snapshot is loaded before the leases are listed: if another janitor compacts meanwhile,
	// our compare-and-swap fails and we delete nothing we listed.
	const compacting = options.compact !== false && !options.dryRun;
	const loaded = compacting ? await loadSnapshot(context) : undefined;
	// Failed jobs first: their leases have ended (however recently), and must be swept before they are requeued.
	const failedEntries = await collectAll(context.store, context.keys.failedFolder());
	const failedHashes = new Set(failedEntries.map(e => context.keys.hashOf(e.key)));
	const quiet: ListEntry[] = [];
	for (const entry of await collectAll(context.store, context.keys.leaseFolder())) {
		const hash = context.keys.hashOf(entry.key);
		if (!hash) {
			report.malformed.push({key: entry.key, reason: 'not a job hash'});
			continue;
		}
		report.leasesListed++;
		leased.add(hash);
		const quietEnough = !options.retryOnly && now - entry.lastModified > quietMs;
		if (options.readAllLeases || quietEnough || failedHashes.has(hash)) quiet.push(entry);
	}
	await mapLimit(quiet, 16, async entry => {
		const hash = context.keys.hashOf(entry.key)!;
		const mine = options.known?.known(hash, entry.etag);
		const seen = mine ? {entry, lease: mine, etag: entry.etag} : await readLease(context, entry, report);
		if (!seen) return;
		const {lease} = seen;
		if (lease.ending && lease.ending !== 'completing') {
			if (!options.dryRun && (await rollForward(context, lease))) report.rolledForward++;
			ended.push(seen);
			return;
		}
		if (now - entry.lastModified <= staleMs) return;
		if (options.dryRun) {
			report.staleRecovered++;
			return;
		}
		const recovered = await recoverLease(context, seen, 'stale-lease', report);
		if (recovered) ended.push(recovered);
	});
	// Compaction first: it sweeps the ended leases, so a failed job whose last attempt just ended
	// is requeued in this pass, not the next one (a claim cannot create its lease while one exists).
	// Jobs of swept leases that had been requeued (a stale lease recovered, a job handed back): claimable
	// only now that the lease is gone.
	const freed: Candidate[] = [];
	if (
		loaded &&
		loaded !== 'not-modified' &&
		(await compact(context, loaded, ended, now, options.journalSettleMs ?? 60_000, report))
	) {
		for (const {lease} of ended) {
			leased.delete(lease.hash);
			options.known?.forget(lease.hash);
			if (lease.ending === 'requeued') freed.push({hash: lease.hash, priority: lease.priority});
		}
	}
	// Requeued jobs' events go to the journal in one append for the whole pass, then their failed
	// records are deleted: a crash in between leaves a job both queued and failed, and the next pass
	// requeues it again (the same todo entry) and finishes.
	const requeued: Array<{entry: TodoEntry; failedKey: string}> = [];
	for (const entry of failedEntries) {
		const done = await requeueFailed(context, entry, now, leased, report, options.dryRun);
		if (done) requeued.push(done);
	}
	// One touch of the signal for all the pass made claimable: touches closer than an idle poll hide
	// each other's names from idle workers.
	if (requeued.length > 0) {
		await appendEvents(
			context,
			requeued.map(r => ({...todoEvent(r.entry), from: 'failed' as const})),
			freed,
		);
		await mapLimit(requeued, 16, async r => context.store.delete(r.failedKey));
	} else if (freed.length > 0) await touchClaimable(context, {freed: freed.length}, freed);
	return report;
}

/** A listed lease, read; an unreadable one still locks its job, so it is treated as a first attempt at normal priority. */
async function readLease(
	context: QueueContext,
	entry: ListEntry,
	report: JanitorReport,
): Promise<SeenLease | undefined> {
	const hash = context.keys.hashOf(entry.key)!;
	const got = await context.store.get(entry.key);
	if (!got || isNotModified(got)) return undefined;
	const parsed = parseLease(got.body, hash);
	if (!parsed.ok) report.malformed.push({key: entry.key, reason: parsed.reason});
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
	return {entry, lease, etag: got.etag};
}
