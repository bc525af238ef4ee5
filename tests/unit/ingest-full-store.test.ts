/**
Ingest into a store that is nearly full: parallel uploads share the last room and all fail, so those
that ran out of room are tried again one at a time and what fits is stored.
*/
import {stat} from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import {ingest} from '../../source/ingest/ingest.js';
import type {ObjectStore} from '../../source/storage/object-store.js';
import {StoreError} from '../../source/storage/store-error.js';
import {writeFiles} from '../support/pdfs.js';
import {makeQueue} from '../support/queue.js';
import {tempDir} from '../support/temp.js';

/** Raw PDFs share `room` bytes: writes in flight together all fail once their sum passes what is left. */
function nearlyFull(inner: ObjectStore, room: number): ObjectStore {
	let used = 0;
	const inFlight = new Set<{size: number; doomed: boolean}>();
	return {
		...inner,
		async putFile(key, file, options) {
			const write = {size: (await stat(file)).size, doomed: false};
			inFlight.add(write);
			// The disk fills while they are all half-written: every write in flight then fails.
			if (used + [...inFlight].reduce((sum, w) => sum + w.size, 0) > room) for (const w of inFlight) w.doomed = true;
			await new Promise(resolve => setTimeout(resolve, 20));
			inFlight.delete(write);
			if (write.doomed)
				throw new StoreError('no-space', 'the local store could not write: its disk is full (ENOSPC)', {key});
			used += write.size;
			return inner.putFile(key, file, options);
		},
	};
}

test('a nearly full store: five parallel uploads fail together, then the three that fit are stored one at a time', async t => {
	const queue = await makeQueue();
	const folder = await tempDir('bf-full-ingest-');
	await writeFiles(
		folder,
		Object.fromEntries([1, 2, 3, 4, 5].map(n => [`doc-${n}.pdf`, `document number ${n} ${'x'.repeat(n)}`])),
	);
	const sizes = await Promise.all([1, 2, 3, 4, 5].map(async n => (await stat(path.join(folder, `doc-${n}.pdf`))).size));
	const largest = Math.max(...sizes);
	const context = {...queue.context, store: nearlyFull(queue.context.store, 3 * largest + 10)};
	const summary = await ingest(context, [folder], {concurrency: 8});
	t.is(summary.queued, 3, JSON.stringify(summary.results));
	t.is(summary.failed, 2);
	t.true(summary.results.filter(r => r.outcome === 'failed').every(r => /disk is full/.test(r.reason ?? '')));
});
