/**
Purge: delete everything under one part of the prefix, what a test run or an old layout left.
`queue` is every queued, running, failed and dead job and the read model; `registry` the manifest,
remote config, capabilities, worker registrations and job logs; `all` the whole prefix, raw PDFs and
results included. Workers that run meanwhile lose their leases (their fenced writes fail): stop
them first.

Requests: LIST <prefix><part>/ (a page per 1,000 keys) · DeleteObjects per 1,000 keys.
*/
import {collectAll} from '../../storage/object-store.js';
import type {QueueContext} from '../queue-context.js';

export const purgeParts = ['queue', 'registry', 'all'] as const;
export type PurgePart = (typeof purgeParts)[number];

export function purgePrefix(context: QueueContext, part: PurgePart): string {
	return part === 'all' ? context.keys.prefix : `${context.keys.prefix}${part}/`;
}

/** The keys a purge would delete, and how many of them are running jobs' leases. */
export async function purgePlan(context: QueueContext, part: PurgePart): Promise<{keys: string[]; leases: number}> {
	const keys = (await collectAll(context.store, purgePrefix(context, part))).map(entry => entry.key);
	const leaseFolder = context.keys.leaseFolder();
	return {keys, leases: keys.filter(key => key.startsWith(leaseFolder)).length};
}

export async function purge(
	context: QueueContext,
	keys: readonly string[],
	onProgress?: (deleted: number) => void,
): Promise<number> {
	let deleted = 0;
	for (let i = 0; i < keys.length; i += 1000) {
		const batch = keys.slice(i, i + 1000);
		await context.store.deleteMany(batch);
		deleted += batch.length;
		onProgress?.(deleted);
	}
	return deleted;
}
