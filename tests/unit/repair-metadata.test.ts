/** repair-metadata: names, tags and size back on raw PDFs that lost them, from the manifest. */
import test from 'ava';
import {repairMetadata} from '../../source/ingest/repair-metadata.js';
import {Inspector, jobName} from '../../source/inspector/inspector.js';
import {updateManifest} from '../../source/queue/manifest.js';
import {hashOf, makeQueue} from '../support/queue.js';

test('status names a stripped PDF from the manifest; repair restores it, leaves whole ones alone, names what the manifest lacks', async t => {
	const {context, keys} = await makeQueue();
	const body = new TextEncoder().encode('%PDF-1.7 stripped');
	await context.store.put(keys.raw(hashOf(1)), body, {contentType: 'application/pdf'});
	await context.store.put(keys.raw(hashOf(2)), body, {
		contentType: 'application/pdf',
		metadata: {'original-name': 'whole.pdf', tags: '["a"]', size: '17'},
	});
	await context.store.put(keys.raw(hashOf(3)), body, {contentType: 'application/pdf'});
	await updateManifest(context, manifest => {
		manifest.entries[hashOf(1)] = {
			paths: ['papers/2026/Stripped Paper.pdf'],
			size: 17,
			tags: ['papers', '2026'],
			ingested_at: '2026-12-02T00:00:00.000Z',
			source: 'lib',
		};
	});
	// Before any repair, `status` and the console's detail name the job from the manifest.
	const stripped = await new Inspector(context).job(hashOf(1), {manifest: 'load'});
	t.is(stripped.state, 'raw-only');
	t.is(jobName(stripped), 'Stripped Paper.pdf');
	t.deepEqual(stripped.manifest, {paths: ['papers/2026/Stripped Paper.pdf'], tags: ['papers', '2026']});
	t.is(jobName(await new Inspector(context).job(hashOf(1))), undefined, 'without the manifest nothing names it');
	const dry = await repairMetadata(context, {dryRun: true});
	t.is(dry.checked, 3);
	t.like(
		dry.repairs.find(r => r.hash === hashOf(1)),
		{missing: ['original-name', 'tags', 'size']},
	);
	t.is(
		(await context.store.head(keys.raw(hashOf(1))))?.metadata['original-name'],
		undefined,
		'a dry run writes nothing',
	);
	const done = await repairMetadata(context);
	t.deepEqual(done.repairs.map(r => [r.hash, 'reason' in r ? r.reason : 'restored']).sort(), [
		[hashOf(1), 'restored'],
		[hashOf(3), 'lacks original-name, tags, size and the manifest does not know it'],
	]);
	const repaired = await context.store.head(keys.raw(hashOf(1)));
	t.like(repaired?.metadata, {
		'original-name': 'Stripped Paper.pdf',
		tags: '["papers","2026"]',
		size: '17',
		path: 'papers/2026/Stripped Paper.pdf',
	});
	const got = await context.store.get(keys.raw(hashOf(1)));
	t.deepEqual(
		got && 'body' in got ? new TextDecoder().decode(got.body) : '',
		'%PDF-1.7 stripped',
		'the PDF itself unchanged',
	);
	t.deepEqual(
		(await repairMetadata(context)).repairs.map(r => r.hash),
		[hashOf(3)],
		'a second run has nothing left to repair',
	);
});
