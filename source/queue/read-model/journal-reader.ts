/**
Reads journal events after a cursor.

Journal keys are ordered by the writer's idea of server time, so an object can land after a
reader has listed past its key (two writers in the same second, a slow PUT). Readers therefore
list from a minute before their cursor and skip what they already read: the events are
idempotent anyway, the skip only saves GETs.

Requests: LIST queue/journal/ start-after <cursor> (a page per 1,000 new objects), then one GET
per new journal object. Both grow with what changed, not with history.
*/
import {listAll} from '../../storage/object-store.js';
import {isNotModified} from '../../storage/object-store.js';
import type {QueueContext} from '../queue-context.js';
import {parseJournalRecord, type JobEvent} from '../records.js';

export type JournalBatch = {key: string; events: JobEvent[]};

export type ReadJournalOptions = {
	/** List keys after this one. */
	startAfter?: string;
	/** Keys already read (skipped without a GET). */
	skip?: (key: string) => boolean;
	/** Only objects whose server time is before this (the compaction's settle margin). */
	before?: number;
};

export async function readJournal(
	context: QueueContext,
	options: ReadJournalOptions = {},
): Promise<{batches: JournalBatch[]; problems: string[]}> {
	const batches: JournalBatch[] = [];
	const problems: string[] = [];
	for await (const entry of listAll(
		context.store,
		context.keys.journalFolder(),
		options.startAfter ? {startAfter: options.startAfter} : {},
	)) {
		const time = context.keys.journalTime(entry.key);
		if (options.before !== undefined && (time === undefined || time >= options.before)) break;
		if (options.skip?.(entry.key)) continue;
		const got = await context.store.get(entry.key);
		if (!got || isNotModified(got)) continue;
		const parsed = parseJournalRecord(got.body);
		if (!parsed.ok) {
			problems.push(`${entry.key}: ${parsed.reason}`);
			batches.push({key: entry.key, events: []});
			continue;
		}
		for (const reason of parsed.skipped ?? []) problems.push(`${entry.key}: ${reason}`);
		batches.push({key: entry.key, events: parsed.value.events});
	}
	return {batches, problems};
}
