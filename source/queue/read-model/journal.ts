/**
The journal: small objects recording the events of low-rate transitions (enqueue, retry,
reprioritize, clear-dead, remove), keyed by server time so readers list only what is new with
start-after. High-rate transitions (complete, fail) need no journal write: their final fenced
lease write is the event (see read-model.ts).

Requests: append = 1 PUT queue/journal/<server ms>-<random>.json (a unique key, unconditional),
1 PUT queue/changes.json (what consoles poll instead of listing the journal), and when any event
makes a job claimable, 1 PUT queue/signal.json (what idle workers poll; it names up to 16 such jobs), and 1 PUT queue/urgent.json
when one of them is critical or high (what busy workers ask before reusing a listing). Two objects, not one with
a flag: a blind overwrite by a later non-todo append would hide a todo change from a worker.
*/
import type {Candidate} from '../candidates.js';
import {touchClaimable} from '../claimable-touch.js';
import {randomBytes} from 'node:crypto';
import type {QueueContext} from '../queue-context.js';
import type {JobEvent, JournalRecord} from '../records.js';

/** `alsoClaimable`: jobs made claimable otherwise (a swept lease), named in the same touch. */
export async function appendEvents(
	context: QueueContext,
	events: JobEvent[],
	alsoClaimable: Candidate[] = [],
): Promise<void> {
	if (events.length === 0) return;
	const record: JournalRecord = {version: 1, events};
	const key = context.keys.journal(await context.store.serverTime(), randomBytes(4).toString('hex'));
	await context.store.put(key, JSON.stringify(record), {contentType: 'application/json'});
	await context.store.put(context.keys.changes(), JSON.stringify({journal: key}), {contentType: 'application/json'});
	// Jobs became claimable: wake idle workers, which poll this one object (304 while unchanged).
	const claimable = [
		...events.filter(e => e.state === 'todo').map(e => ({hash: e.hash, priority: e.priority})),
		...alsoClaimable,
	];
	// New jobs (no earlier state: not a retry, requeue or revival) say so: an ingest batch (signal.ts).
	const ingested = events.filter(e => e.state === 'todo' && e.from === undefined).length;
	if (claimable.length > 0) await touchClaimable(context, {journal: key, ...(ingested ? {ingested} : {})}, claimable);
}
