/**
Put jobs in the queue.

Requests:
1. PUT queue/todo/<priority>/<hash>   If-None-Match: *   per job, at most 16 at once
   → 412: already queued at this priority (an entry carrying a retry count is never reset)
2. PUT queue/journal/<time>-<random>.json                 one for the whole batch: the read model's events
*/
import {isStoreError} from '../../storage/store-error.js';
import {appendEvents} from '../read-model/journal.js';
import type {Priority} from '../keys.js';
import type {QueueContext} from '../queue-context.js';
import {
	nextSeq,
	serializeTodoEntry,
	type AttemptFailure,
	type JobEvent,
	type QueueReason,
	type TodoEntry,
} from '../records.js';
import {mapLimit} from '../../lib/concurrency.js';

export type EnqueueRequest = {
	hash: string;
	priority: Priority;
	name?: string;
	size?: number;
	attempts?: number;
	/** The job's last transition counter, when it had one (retries). */
	previousSeq?: number;
	reason?: QueueReason;
	lastError?: string;
	history?: AttemptFailure[];
};

export type EnqueueOutcome = {hash: string; kind: 'queued' | 'already-queued'};

export function todoEntryFor(request: EnqueueRequest, now: number): TodoEntry {
	return {
		version: 1,
		hash: request.hash,
		seq: nextSeq(request.previousSeq ?? 0, now),
		priority: request.priority,
		...(request.name === undefined ? {} : {name: request.name}),
		...(request.size === undefined ? {} : {size: request.size}),
		attempts: request.attempts ?? 0,
		queuedAt: now,
		reason: request.reason ?? 'ingest',
		...(request.lastError === undefined ? {} : {lastError: request.lastError}),
		...(request.history === undefined ? {} : {history: request.history}),
	};
}

export function todoEvent(entry: TodoEntry): JobEvent {
	return {
		hash: entry.hash,
		seq: entry.seq,
		state: 'todo',
		priority: entry.priority,
		attempts: entry.attempts,
		at: entry.queuedAt,
		...(entry.name === undefined ? {} : {name: entry.name}),
		...(entry.size === undefined ? {} : {size: entry.size}),
		...(entry.lastError === undefined ? {} : {error: entry.lastError}),
	};
}

export async function enqueueMany(context: QueueContext, requests: EnqueueRequest[]): Promise<EnqueueOutcome[]> {
	const now = await context.store.serverTime();
	const events: JobEvent[] = [];
	const outcomes = await mapLimit(requests, 32, async request => {
		const entry = todoEntryFor(request, now);
		try {
			await context.store.put(context.keys.todo(request.priority, request.hash), serializeTodoEntry(entry), {
				condition: {kind: 'create-only'},
				contentType: 'application/json',
			});
		} catch (error) {
			if (isStoreError(error, 'precondition-failed')) return {hash: request.hash, kind: 'already-queued' as const};
			throw error;
		}
		events.push(todoEvent(entry));
		return {hash: request.hash, kind: 'queued' as const};
	});
	await appendEvents(context, events);
	return outcomes;
}

export async function enqueue(context: QueueContext, request: EnqueueRequest): Promise<EnqueueOutcome> {
	const [outcome] = await enqueueMany(context, [request]);
	return outcome!;
}
