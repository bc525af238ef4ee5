/** hydrate: the result beside each converted PDF, links rewritten, newer files kept, one LIST for many. */
import {createHash} from 'node:crypto';
import {readFile, readdir, stat, utimes, writeFile} from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import {zipSync} from 'fflate';
import {hydrate, rewriteAssetLinks} from '../../source/ingest/hydrate.js';
import {makePdf, writeFiles} from '../support/pdfs.js';
import {describeRequests, makeQueue} from '../support/queue.js';
import {tempDir} from '../support/temp.js';

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function library() {
	const queue = await makeQueue();
	const folder = await tempDir('bf-hydrate-');
	const done = await makePdf(['converted']);
	const waiting = await makePdf(['not yet']);
	await writeFiles(folder, {'My Paper.pdf': done, 'sub/waiting.pdf': waiting});
	const archive = zipSync({
		'content.md': new TextEncoder().encode('# Title\n\n![fig](assets/img-1.png)\n<img src="assets/img-2.png">\n'),
		'assets/img-1.png': new Uint8Array([1, 2, 3]),
		'assets/img-2.png': new Uint8Array([4]),
		'assets/../../escape.png': new Uint8Array([9]),
		'info.json': new TextEncoder().encode('{}'),
	});
	await queue.context.store.put(queue.keys.result(sha(done)), archive, {contentType: 'application/zip'});
	return {...queue, folder};
}

test('writes <stem>.md and <stem>.assets/ beside a converted PDF, links rewritten; one not converted is skipped', async t => {
	const {context, folder, requests, keys} = await library();
	requests.length = 0;
	const {outcomes} = await hydrate(context, [folder]);
	t.deepEqual(outcomes.map(o => [path.basename(o.file), o.kind]).sort(), [
		['My Paper.pdf', 'written'],
		['waiting.pdf', 'not-converted'],
	]);
	t.deepEqual(describeRequests(requests, keys).sort(), [
		'get store/out/<hash>.zip',
		'head store/out/<hash>.zip',
		'head store/out/<hash>.zip',
	]);
	const markdown = await readFile(path.join(folder, 'My Paper.md'), 'utf8');
	t.is(markdown, '# Title\n\n![fig](My%20Paper.assets/img-1.png)\n<img src="My%20Paper.assets/img-2.png">\n');
	t.deepEqual((await readdir(path.join(folder, 'My Paper.assets'))).sort(), ['img-1.png', 'img-2.png']);
	t.deepEqual(
		(await readdir(folder)).sort(),
		['My Paper.assets', 'My Paper.md', 'My Paper.pdf', 'sub'],
		'no temporary file left, nothing escaped the folder',
	);
});

test('a Markdown file newer than the result is kept unless --force; a dry run writes nothing; many PDFs: one LIST', async t => {
	const {context, folder, requests, keys} = await library();
	const target = path.join(folder, 'My Paper.md');
	await writeFile(target, 'edited by hand\n');
	const future = new Date(Date.now() + 3_600_000);
	await utimes(target, future, future);
	const kept = await hydrate(context, [folder]);
	t.like(
		kept.outcomes.find(o => o.file.endsWith('My Paper.pdf')),
		{kind: 'kept'},
	);
	t.is(await readFile(target, 'utf8'), 'edited by hand\n');
	const dry = await hydrate(context, [folder], {dryRun: true, force: true});
	t.like(
		dry.outcomes.find(o => o.file.endsWith('My Paper.pdf')),
		{kind: 'would-write', assets: 2},
	);
	t.is(await readFile(target, 'utf8'), 'edited by hand\n');
	requests.length = 0;
	const forced = await hydrate(context, [folder], {force: true, listAbove: 1});
	t.like(
		forced.outcomes.find(o => o.file.endsWith('My Paper.pdf')),
		{kind: 'written'},
	);
	t.regex(await readFile(target, 'utf8'), /^# Title/);
	t.deepEqual(
		describeRequests(requests, keys).sort(),
		['get store/out/<hash>.zip', 'list store/out/'],
		'one LIST instead of a HEAD each',
	);
	t.true((await stat(target)).mtimeMs < future.getTime());
});

test('asset links: only links into assets/ are rewritten', t => {
	t.is(
		rewriteAssetLinks('[a](assets/x.png) [b](./assets/y.png) [c](other/assets/z.png) assets/plain', 'D'),
		'[a](D/x.png) [b](D/y.png) [c](other/assets/z.png) assets/plain',
	);
});
