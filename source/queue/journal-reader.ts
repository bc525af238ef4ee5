/**
Reads journal events after a cursor.

Requests: LIST queue/journal/ start-after <cursor> (a page per 1,000 new objects), then one GET
per new journal object. Both grow with what changed, not with history.
*/
import {listAll} from '../storage/object-store.js';
import {isNotModified} from '../storage/object-store.js';
import type {QueueContext} from './queue-context.js';
import {parseJournalRecord, type JobEvent} from './records.js';

export type JournalBatch = {key: string; events: JobEvent[]};

export async function readJournal(context: QueueContext, after: string, options: {before?: number} = {}): Promise<{batches: JournalBatch[]; problems: string[]}> {
	const batches: JournalBatch[] = [];
	const problems: string[] = [];
	for await (const entry of listAll(context.store, context.keys.journalFolder(), after ? {startAfter: after} : {})) {
		const time = context.keys.journalTime(entry.key);
		if (options.before !== undefined && (time === undefined || time >= options.before)) break;
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
