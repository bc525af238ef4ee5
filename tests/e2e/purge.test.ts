/** `blobforge purge`: the count first, confirmation, and only the part named. */
import test from 'ava';
import {cleanEnvironment, runCli} from '../support/cli.js';
import {makePdf, writeFiles} from '../support/pdfs.js';
import {tempDir} from '../support/temp.js';

test('purge --prefix-part queue: counts, refuses without --yes off a terminal, deletes the queue and nothing else', async t => {
	const store = await tempDir('bf-purge-');
	const library = await tempDir('bf-purge-lib-');
	await writeFiles(library, {'a.pdf': await makePdf(['a']), 'b.pdf': await makePdf(['b'])});
	const environment = cleanEnvironment({BLOBFORGE_STORE_DIR: store});
	t.is((await runCli(['ingest', library], environment)).code, 0);
	const dry = await runCli(['purge', '--prefix-part', 'queue', '--dry-run', '--json'], environment);
	t.is(dry.code, 0, dry.stderr);
	const counted = JSON.parse(dry.stdout) as {count: number; prefix: string; deleted: number};
	t.true(counted.count >= 2, `two todo entries at least: ${dry.stdout}`);
	t.is(counted.prefix, 'pdf/queue/');
	t.is(counted.deleted, 0);
	const asked = await runCli(['purge', '--prefix-part', 'queue'], environment);
	t.is(asked.code, 2);
	t.regex(asked.stderr, /would be deleted; add --yes to confirm without a terminal/);
	t.regex(asked.stdout, new RegExp(`${counted.count} object\\(s\\) under pdf/queue/`));
	const done = await runCli(['purge', '--prefix-part', 'queue', '--yes'], environment);
	t.is(done.code, 0, done.stderr);
	t.regex(done.stdout, new RegExp(`deleted ${counted.count} object\\(s\\) under pdf/queue/`));
	const list = await runCli(['list', '--json'], environment);
	t.is((JSON.parse(list.stdout) as {counts: {total: {todo: number}}}).counts.total.todo, 0);
	t.true((await runCli(['search', 'a.pdf'], environment)).stdout.includes('a.pdf'), 'the manifest (registry) stays');
	const again = await runCli(['purge', '--prefix-part', 'queue', '--yes'], environment);
	t.regex(again.stdout, /0 object\(s\) under pdf\/queue\//);
	const requeued = await runCli(['ingest', library], environment);
	t.regex(requeued.stdout, /2 queued \(0 uploaded\)/, 'the raw PDFs stay: ingest queues them again without uploading');
});

test('purge --prefix-part all under an empty prefix is refused: it would be the whole bucket', async t => {
	const environment = cleanEnvironment({BLOBFORGE_STORE_DIR: await tempDir('bf-purge-')});
	const refused = await runCli(['--prefix', '', 'purge', '--prefix-part', 'all', '--yes'], environment);
	t.is(refused.code, 2);
	t.regex(refused.stderr, /refusing to purge a whole bucket/);
	const unknown = await runCli(['purge', '--prefix-part', 'results'], environment);
	t.is(unknown.code, 2);
});
