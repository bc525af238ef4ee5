/**
Put a job in the queue.

Requests:
1. PUT queue/todo/<priority>/<hash>   If-None-Match: *   → 412: already queued at this priority; return 'already-queued'

Create-only so that an entry carrying a retry count is never reset by a second enqueue
(the earlier system overwrote it).
*/
import {isStoreError} from '../../storage/store-error.js';
import type {Priority} from '../keys.js';
import type {QueueContext} from '../queue-context.js';
import {serializeTodoEntry, type QueueReason, type TodoEntry} from '../records.js';

export type EnqueueRequest = {hash: string; priority: Priority; attempts?: number; reason?: QueueReason; lastError?: string; notBefore?: number};

export async function enqueue(context: QueueContext, request: EnqueueRequest): Promise<{kind: 'queued'; entry: TodoEntry} | {kind: 'already-queued'}> {
	const entry: TodoEntry = {
		version: 1,
		hash: request.hash,
		priority: request.priority,
		attempts: request.attempts ?? 0,
		queuedAt: await context.store.serverTime(),
		reason: request.reason ?? 'ingest',
		...(request.lastError === undefined ? {} : {lastError: request.lastError}),
		...(request.notBefore === undefined ? {} : {notBefore: request.notBefore}),
	};
	try {
		await context.store.put(context.keys.todo(request.priority, request.hash), serializeTodoEntry(entry), {condition: {kind: 'create-only'}, contentType: 'application/json'});
	} catch (error) {
		if (isStoreError(error, 'precondition-failed')) return {kind: 'already-queued'};
		throw error;
	}
	return {kind: 'queued', entry};
}
