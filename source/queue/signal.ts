/**
queue/signal.json, which idle workers watch with conditional GETs: touched when jobs become
claimable (enqueue, retry, requeue), on pause and resume, and by a command to a worker. Watchers compare
ETags, and on S3 an ETag is the MD5 of the body, so every write carries a fresh nonce: two resumes
in a row must not write the same bytes, or the second wakes nobody.

queue/urgent.json is touched besides when the jobs include one of the two highest priorities, and
on every pause or resume: a busy worker reuses a listing of normal or higher jobs while it is
unchanged (worker/claimer.ts). A backlog's own retries and requeues, of normal jobs, leave it be.
*/
import {randomBytes} from 'node:crypto';
import type {Priority} from './keys.js';
import type {QueueContext} from './queue-context.js';

/** Priorities whose jobs, made claimable, touch queue/urgent.json too. */
export function isUrgent(priority: Priority): boolean {
	return priority === 'critical' || priority === 'high';
}

export async function touchSignal(
	context: Pick<QueueContext, 'store' | 'keys'>,
	why: Record<string, unknown>,
	options: {urgent?: boolean} = {},
): Promise<void> {
	const body = JSON.stringify({...why, nonce: randomBytes(6).toString('hex')});
	await context.store.put(context.keys.signal(), body, {contentType: 'application/json'});
	if (options.urgent) await context.store.put(context.keys.urgentSignal(), body, {contentType: 'application/json'});
}
