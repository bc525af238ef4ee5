/** download and preview on hostile results: a non-zip, a bomb, clashing names; none crashes or floods. */
import {readFile, stat} from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import {zipSync} from 'fflate';
import {openQueueContext} from '../../source/queue/queue-context.js';
import {LocalStore} from '../../source/storage/local-store.js';
import {cleanEnvironment, runCli} from '../support/cli.js';
import {hashOf} from '../support/queue.js';
import {tempDir} from '../support/temp.js';

test('a non-zip result downloads as bytes with a warning; a bomb and clashing names are refused by name', async t => {
	const dir = await tempDir('bf-results-');
	const store = path.join(dir, 'store');
	const context = openQueueContext(new LocalStore({root: store}));
	const environment = cleanEnvironment({BLOBFORGE_STORE_DIR: store});
	const cli = async (...args: string[]) => runCli(args, environment);
	const notZip = hashOf(91);
	await context.store.put(context.keys.result(notZip), '<html>not a zip</html>');
	const plain = await cli('download', notZip, '-o', path.join(dir, 'plain.bin'));
	t.is(plain.code, 0, plain.stderr);
	t.regex(plain.stderr, /not a zip archive; saved as it is/);
	t.is(await readFile(path.join(dir, 'plain.bin'), 'utf8'), '<html>not a zip</html>');
	const previewed = await cli('preview', notZip);
	t.is(previewed.code, 1);
	t.regex(previewed.stderr, /the result is not a zip archive/);
	t.notRegex(previewed.stderr, /unexpected error/);

	const hostile = hashOf(92);
	const text = new TextEncoder().encode('# Fine\n');
	await context.store.put(
		context.keys.result(hostile),
		zipSync({'content.md': text, 'assets/bomb.bin': new Uint8Array(64 * 2 ** 20), a: text, 'a/b': text}, {level: 9}),
	);
	const extracted = await cli('download', hostile, '--extract', '-o', path.join(dir, 'out'));
	t.is(extracted.code, 1, 'something was refused');
	t.regex(extracted.stdout, /refused assets\/bomb\.bin: inflates \d+:1, a zip bomb/);
	t.regex(extracted.stdout, /refused a(\/b)?: E(NOTDIR|EXIST|ISDIR)/);
	t.is(await readFile(path.join(dir, 'out', 'content.md'), 'utf8'), '# Fine\n');
	t.is(await stat(path.join(dir, 'out', 'assets', 'bomb.bin')).catch(() => undefined), undefined);
	const preview = await cli('preview', hostile);
	t.is(preview.code, 0, preview.stderr);
	t.regex(preview.stdout, /refused assets\/bomb\.bin/);
	t.regex(preview.stdout, /# Fine/);
});
