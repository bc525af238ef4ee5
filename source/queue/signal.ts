/**
queue/signal.json, which idle workers watch with conditional GETs: touched when jobs become
claimable (enqueue, retry, requeue), on resume, and by a command to a worker. Watchers compare
ETags, and on S3 an ETag is the MD5 of the body, so every write carries a fresh nonce: two resumes
in a row must not write the same bytes, or the second wakes nobody.
*/
import {randomBytes} from 'node:crypto';
import type {QueueContext} from './queue-context.js';

export async function touchSignal(
	context: Pick<QueueContext, 'store' | 'keys'>,
	why: Record<string, unknown>,
): Promise<void> {
	await context.store.put(context.keys.signal(), JSON.stringify({...why, nonce: randomBytes(6).toString('hex')}), {
		contentType: 'application/json',
	});
}
