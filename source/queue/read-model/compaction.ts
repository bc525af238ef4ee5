/**
Compaction: the journal objects older than a minute and the ended leases are folded into the
snapshot, which is saved with a compare-and-swap; then the folded objects go, with the todo entries
of jobs whose lease ended done (complete leaves them). Requests: GET snapshot (by the caller,
before it lists the leases), LIST + GET journal, PUT snapshot If-Match (skipped when nothing
changed), DeleteObjects for the folded journal objects, leases and todo entries (1,000 per request).
*/
import type {JanitorReport} from '../janitor-report.js';
import type {QueueContext} from '../queue-context.js';
import type {SeenLease} from '../transitions/recover.js';
import {applyEvent, eventOfEndedLease, settle} from './event-fold.js';
import {readJournal} from './journal-reader.js';
import {type LoadedSnapshot, saveSnapshot} from './snapshot-store.js';

/**
Folds journal objects older than `settleMs` and the ended leases into the snapshot, then deletes them; false
when another janitor saved first.
*/
export async function compact(
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
	let changed = journal.batches.length > 0 || ended.length > 0 || loaded.problem !== undefined;
	for (const batch of journal.batches) for (const event of batch.events) applyEvent(snapshot, event);
	for (const {lease} of ended) {
		const event = eventOfEndedLease(lease);
		if (event) applyEvent(snapshot, event);
	}
	if (journal.batches.length > 0) snapshot.journalCursor = journal.batches.at(-1)!.key;
	if (settle(snapshot, now)) changed = true;
	// Nothing to fold and nothing settled: no PUT (every console would fetch the same snapshot again).
	if (!changed && loaded.etag !== undefined) return true;
	snapshot.compactedAt = now;
	// Another janitor compacted first: leave everything for the next pass (folding twice is harmless).
	if (!(await saveSnapshot(context, snapshot, loaded.etag))) return false;
	const doneTodo = ended
		.filter(e => e.lease.ending === 'done')
		.map(e => context.keys.todo(e.lease.priority, e.lease.hash));
	const folded = [...journal.batches.map(b => b.key), ...ended.map(e => e.entry.key), ...doneTodo];
	for (let i = 0; i < folded.length; i += 1000) {
		await context.store.deleteMany(folded.slice(i, i + 1000));
	}
	report.journalFolded += journal.batches.length;
	report.leasesSwept += ended.length;
	return true;
}
