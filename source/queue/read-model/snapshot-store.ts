/**
Reading and writing the snapshot object (`queue/snapshot.json`).

Requests: load = 1 GET (conditional when an ETag is known: 304 costs a GET and moves no bytes);
save = 1 PUT, compare-and-swap on the ETag it was loaded with (create-only when there was none),
so two janitors never overwrite each other's compaction.
*/
import {isNotModified} from '../../storage/object-store.js';
import {isStoreError} from '../../storage/store-error.js';
import {emptySnapshot, parseSnapshot, type Snapshot} from './event-fold.js';
import type {QueueContext} from '../queue-context.js';

export type LoadedSnapshot = {snapshot: Snapshot; etag?: string; problem?: string};

export async function loadSnapshot(
	context: QueueContext,
	knownEtag?: string,
): Promise<LoadedSnapshot | 'not-modified'> {
	const got = await context.store.get(context.keys.snapshot(), knownEtag ? {ifNoneMatch: knownEtag} : undefined);
	if (!got) return {snapshot: emptySnapshot()};
	if (isNotModified(got)) return 'not-modified';
	const parsed = parseSnapshot(got.body);
	// A malformed snapshot is reported; an empty one plus reconciliation rebuilds it.
	if (!parsed.ok)
		return {
			snapshot: emptySnapshot(),
			etag: got.etag,
			problem:
				`${context.keys.snapshot()}: ${parsed.reason}; the read model is degraded (counts only from the ` +
				'changes since) until `blobforge janitor --reconcile` rebuilds it from a listing',
		};
	return {snapshot: parsed.value, etag: got.etag};
}

/** Saves with compare-and-swap; false when another writer saved first. */
export async function saveSnapshot(
	context: QueueContext,
	snapshot: Snapshot,
	etag: string | undefined,
): Promise<boolean> {
	try {
		await context.store.put(context.keys.snapshot(), JSON.stringify(snapshot), {
			condition: etag ? {kind: 'if-match', etag} : {kind: 'create-only'},
			contentType: 'application/json',
		});
		return true;
	} catch (error) {
		if (isStoreError(error, 'precondition-failed')) return false;
		throw error;
	}
}
