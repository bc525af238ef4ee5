/**
Remove a job from the store: its queue records, raw PDF, result (with force), logs and manifest
entry. Refused while it runs, and for a done job without force.

Requests: locateJob (10 reads) · DELETE of each record that exists (todo entries, failed, dead,
an ended lease, raw, result with force) · LIST + DeleteObjects of registry/logs/<h>/ · GET + PUT
If-Match manifest · PUT journal (removed).
*/
import {collectAll} from '../../storage/object-store.js';
import {appendEvents} from '../read-model/journal.js';
import {isActiveLease, locateJob} from '../locate.js';
import {updateManifest} from '../manifest.js';
import type {QueueContext} from '../queue-context.js';
import {nextSeq} from '../records.js';
import {type AdminOutcome, applied, refuse} from './admin.js';

export async function removeJob(
	context: QueueContext,
	hash: string,
	options: {force?: boolean; dryRun?: boolean} = {},
): Promise<AdminOutcome> {
	const {store, keys} = context;
	const records = await locateJob(context, hash);
	if (records.lease && isActiveLease(records.lease.lease))
		return refuse(hash, `cannot remove: the job is running (worker ${records.lease.lease.worker}); cancel it first`);
	if (records.state === 'done' && !options.force)
		return refuse(hash, 'cannot remove: the job is done (add --force to delete its result too)');
	const doomed = [
		...records.todo.map(t => keys.todo(t.entry.priority, hash)),
		...(records.failed ? [keys.failed(hash)] : []),
		...(records.dead ? [keys.dead(hash)] : []),
		...(records.lease ? [keys.lease(hash)] : []),
		...(records.raw ? [keys.raw(hash)] : []),
		...(records.result && options.force ? [keys.result(hash)] : []),
		...(await collectAll(store, keys.jobLogFolder(hash))).map(e => e.key),
	];
	if (options.dryRun)
		return applied(hash, `would delete ${doomed.length} object(s) and the manifest entry`, 'unchanged');
	const now = await store.serverTime();
	const seq = nextSeq(
		Math.max(
			records.lease?.lease.seq ?? 0,
			records.todo[0]?.entry.seq ?? 0,
			records.failed?.seq ?? 0,
			records.dead?.seq ?? 0,
		),
		now,
	);
	if (records.state !== 'unknown' && records.state !== 'raw-only') {
		await appendEvents(context, [
			{
				hash,
				seq,
				state: 'removed',
				priority: records.todo[0]?.entry.priority ?? records.dead?.priority ?? records.failed?.priority ?? 'normal',
				attempts: 0,
				at: now,
				from: records.state,
			},
		]);
	}
	for (let i = 0; i < doomed.length; i += 1000) {
		await store.deleteMany(doomed.slice(i, i + 1000));
	}
	let inManifest = false;
	await updateManifest(context, manifest => {
		inManifest = hash in manifest.entries;
		delete manifest.entries[hash];
	});
	return applied(hash, `removed ${doomed.length} object(s)${inManifest ? ' and the manifest entry' : ''}`);
}
