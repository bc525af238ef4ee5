/**
The CLI end to end, through subprocesses against the real S3 server: ingest (PDFs, a non-PDF, a
duplicate, a Git LFS pointer), re-ingest, dry run, two racing ingests, and every admin command on
real records.
*/
import {execFileSync} from 'node:child_process';
import {readFile, writeFile} from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import {openQueueContext, type QueueContext} from '../../source/queue/queue-context.js';
import {loadManifest} from '../../source/queue/manifest.js';
import {claim} from '../../source/queue/transitions/claim.js';
import {complete, fail} from '../../source/queue/transitions/finish.js';
import {listCandidates} from '../../source/queue/candidates.js';
import {collectAll} from '../../source/storage/object-store.js';
import {zipSync} from 'fflate';
import {cleanEnvironment, runCli} from '../support/cli.js';
import {passwordPdf, writeFiles} from '../support/pdfs.js';
import {createBucket, requireS3, type TestS3, openTestStore} from '../support/s3-server.js';
import {tempDir} from '../support/temp.js';

async function setup(server: TestS3) {
	const bucket = await createBucket(server);
	const environment = cleanEnvironment({
		BLOBFORGE_S3_BUCKET: bucket,
		BLOBFORGE_S3_ENDPOINT_URL: server.endpoint,
		BLOBFORGE_S3_ACCESS_KEY_ID: server.accessKeyId,
		BLOBFORGE_S3_SECRET_ACCESS_KEY: server.secretAccessKey,
	});
	const {store} = openTestStore(server, bucket);
	const context: QueueContext = openQueueContext(store);
	const cli = async (...args: string[]) => runCli(args, environment);
	return {bucket, environment, context, cli};
}

test('ingest: PDFs, a non-PDF, a duplicate and a Git LFS pointer; re-ingest skips with reasons; dry run writes nothing', async t => {
	const server = requireS3(t);
	if (!server) return;
	const {cli, context} = await setup(server);
	const folder = await tempDir('bf-ingest-');
	await writeFiles(path.join(folder, 'library'), {
		'books/alpha.pdf': 'Alpha',
		'books/Grüße – 東京.PDF': 'Beta',
		'notes.pdf': new TextEncoder().encode('plain text, not a PDF'),
		'copy/alpha-again.pdf': 'Alpha',
	});
	// A Git LFS repository whose PDF is checked out as a pointer (as with GIT_LFS_SKIP_SMUDGE=1).
	const repo = path.join(folder, 'repo');
	const git = (...args: string[]) =>
		execFileSync('git', args, {
			cwd: repo,
			stdio: 'pipe',
			env: {
				...process.env,
				GIT_AUTHOR_NAME: 't',
				GIT_AUTHOR_EMAIL: 't@t',
				GIT_COMMITTER_NAME: 't',
				GIT_COMMITTER_EMAIL: 't@t',
			},
		});
	await writeFiles(repo, {'docs/lfs-paper.pdf': 'Stored in LFS'});
	git('init', '-q');
	git('lfs', 'install', '--local');
	git('lfs', 'track', '*.pdf');
	git('add', '.');
	git('commit', '-qm', 'pdf');
	const pointer = git('lfs', 'pointer', '--file', 'docs/lfs-paper.pdf').toString();
	await writeFile(path.join(repo, 'docs/lfs-paper.pdf'), pointer);

	const dry = await cli('ingest', path.join(folder, 'library'), path.join(repo, 'docs'), '--dry-run', '--json');
	const drySummary = JSON.parse(dry.stdout) as {results: Array<{outcome: string}>};
	t.is(drySummary.results.filter(r => r.outcome === 'would-queue').length, 3, dry.stderr);
	t.deepEqual(await collectAll(context.store, 'pdf/'), [], 'the dry run wrote nothing');

	const first = await cli(
		'ingest',
		path.join(folder, 'library'),
		path.join(repo, 'docs'),
		'--priority',
		'high',
		'--tag',
		'batch1',
	);
	t.is(first.code, 1, 'exit 1: one file failed (the non-PDF)');
	t.regex(first.stdout, /notes\.pdf: not a PDF \(does not start with %PDF\)/);
	t.regex(first.stdout, /alpha-again\.pdf: duplicate in this run/);
	t.regex(
		first.stdout,
		/ingest: 5 PDF file\(s\) found, 3 queued \(3 uploaded\), 1 skipped \(1 duplicate in this run\), 1 failed/,
	);
	const raws = await collectAll(context.store, context.keys.rawFolder());
	t.is(raws.length, 3);
	const lfsHash = /oid sha256:([0-9a-f]{64})/.exec(pointer)![1]!;
	const lfsRaw = await context.store.head(context.keys.raw(lfsHash));
	t.is(lfsRaw?.metadata['original-name'], 'lfs-paper.pdf', "the LFS object was uploaded under its pointer's hash");
	t.is(
		await readFile(path.join(repo, 'docs/lfs-paper.pdf'), 'utf8'),
		pointer,
		'the working tree still holds the pointer',
	);
	const umlaut = raws.map(r => r.key).find(k => k !== context.keys.raw(lfsHash));
	const names = await Promise.all(raws.map(async r => (await context.store.head(r.key))?.metadata['original-name']));
	t.true(names.includes('Grüße – 東京.PDF'), 'non-ASCII names survive as metadata');
	t.truthy(umlaut);
	const {manifest} = await loadManifest(context);
	const alpha = Object.values(manifest.entries).find(e => e.paths.includes('books/alpha.pdf'));
	t.deepEqual(alpha?.paths, ['books/alpha.pdf', 'copy/alpha-again.pdf'], 'the duplicate path is recorded too');
	t.deepEqual(alpha?.tags, ['books', 'batch1', 'copy'], 'folders and --tag, not file names');

	const again = await cli('ingest', path.join(folder, 'library'), path.join(repo, 'docs'), '--json');
	const summary = JSON.parse(again.stdout) as {queued: number; skipped: Record<string, number>};
	t.is(summary.queued, 0);
	t.deepEqual(summary.skipped, {'already todo': 3, 'duplicate in this run': 1});
});

test('two ingests racing on the manifest lose no entry', async t => {
	const server = requireS3(t);
	if (!server) return;
	const {cli, context} = await setup(server);
	const folder = await tempDir('bf-race-');
	const files: Record<string, string> = {};
	for (let i = 0; i < 60; i++) files[`${i % 2 ? 'left' : 'right'}/doc-${i}.pdf`] = `Document number ${i}`;
	await writeFiles(folder, files);
	const [left, right] = await Promise.all([
		cli('ingest', path.join(folder, 'left'), '--json'),
		cli('ingest', path.join(folder, 'right'), '--json'),
	]);
	t.is(left.code, 0, left.stderr);
	t.is(right.code, 0, right.stderr);
	const {manifest} = await loadManifest(context);
	t.is(Object.keys(manifest.entries).length, 60);
	t.is((await collectAll(context.store, 'pdf/queue/todo/')).length, 60);
});

test(
	'admin commands on real records: status, list, dashboard, retry, cancel, reprioritize, clear-dead, janitor, config, manifest, search, ' +
		'lookup, download, preview',
	async t => {
		const server = requireS3(t);
		if (!server) return;
		const {cli, context} = await setup(server);
		const folder = await tempDir('bf-admin-');
		await writeFiles(folder, {
			'done.pdf': 'Done',
			'dead.pdf': 'Dead',
			'failed.pdf': 'Failed',
			'queued.pdf': 'Queued',
			'evil\u001b[31mname.pdf': 'Evil',
		});
		t.is((await cli('ingest', folder)).code, 0);
		// Play the worker: one job done with a result, one dead, one failed.
		const {candidates} = await listCandidates(context);
		const byName = new Map<string, string>();
		for (const c of candidates) {
			const head = await context.store.head(context.keys.raw(c.hash));
			byName.set(head!.metadata['original-name']!, c.hash);
		}
		const take = async (name: string) => {
			const outcome = await claim(context, 'w-test', {hash: byName.get(name)!, priority: 'normal'});
			if (outcome.kind !== 'claimed') throw new Error(outcome.kind);
			return outcome.held;
		};
		await complete(
			context,
			await take('done.pdf'),
			zipSync({
				'content.md': new TextEncoder().encode('# Done\n\nconverted text\n'),
				'../escape.txt': new TextEncoder().encode('x'),
				'info.json': new TextEncoder().encode('{}'),
			}),
		);
		await fail(context, await take('dead.pdf'), {error: 'the PDF is encrypted', permanent: true});
		await fail(context, await take('failed.pdf'), {error: 'converter crashed', permanent: false});
		const hash = (name: string) => byName.get(name)!;

		const list = await cli('list', '-v');
		t.regex(list.stdout, /todo\s+0\s+0\s+2\s+0\s+0\s+2/);
		t.regex(list.stdout, /dead\s+0\s+0\s+1\s+0\s+0\s+1/);
		t.regex(list.stdout, /the PDF is encrypted/);
		t.regex(list.stdout, /evil␛\[31mname\.pdf/, 'escape sequences are shown safely');
		t.false(list.stdout.includes('\u001b[31m'));
		const status = await cli('status', hash('dead.pdf').slice(0, 10));
		t.is(status.code, 0, status.stderr);
		t.regex(status.stdout, /state\s+dead/);
		t.regex(status.stdout, /dead-lettered after a permanent failure: the PDF is encrypted/);
		t.regex((await cli('dashboard')).stdout, /completed in the last 30 minutes: 1/);
		const retry = await cli('retry', hash('dead.pdf').slice(0, 10), '--reset-retries', '--priority', 'high');
		t.regex(retry.stdout, /queued at high from dead, retries reset/);
		t.regex((await cli('retry', hash('done.pdf'))).stderr, /refused: cannot retry: the job is done/);
		t.regex((await cli('reprioritize', hash('queued.pdf'), 'critical')).stdout, /moved from normal to critical/);
		t.regex((await cli('cancel', hash('queued.pdf'))).stdout, /cancelled: the job is in dead-letter/);
		const clearRefused = await cli('clear-dead');
		t.is(clearRefused.code, 2, 'no terminal: --yes required');
		t.regex((await cli('clear-dead', '--yes')).stdout, /cleared 1 dead-lettered job/);
		t.regex((await cli('janitor', '--dry-run')).stdout, /janitor \(dry run\)/);
		t.regex((await cli('janitor')).stdout, /leasesSwept 1/);
		t.regex((await cli('config', 'set', 'max_retries=5')).stdout, /max_retries\s+5\s+3/);
		const badConfig = await cli('config', 'set', 'max_retries=lots', 'colour=blue');
		t.is(badConfig.code, 3, 'an invalid value is a configuration error, as the readme says');
		t.regex(badConfig.stderr, /max_retries must be a number, not "lots"; unknown key "colour"/);
		// A stale timeout shorter than three heartbeats would kill healthy jobs: refused, nothing changed.
		for (const pair of [
			['heartbeat_interval=60', 'stale_timeout_minutes=0.25'],
			['heartbeat_interval=3600', 'stale_timeout_minutes=0.05'],
			['heartbeat_interval=600'],
		]) {
			const refused = await cli('config', 'set', ...pair);
			t.is(refused.code, 3, pair.join(' '));
			t.regex(refused.stderr, /at least three heartbeat intervals/);
		}
		const huge = await cli('config', 'set', 'heartbeat_interval=1e309');
		t.is(huge.code, 3);
		t.regex((await cli('config', 'show')).stdout, /heartbeat_interval\s+180\s+180/, 'nothing was changed');
		t.regex((await cli('manifest', '-v')).stdout, /entries\s+5/);
		t.regex((await cli('search', 'fail')).stdout, /failed\.pdf/);
		t.is((await cli('search', 'nothing-like-this')).code, 1);
		t.regex((await cli('lookup', '--path', 'done.pdf')).stdout, new RegExp(`hash\\s+${hash('done.pdf')}`));
		t.regex((await cli('preview', hash('done.pdf').slice(0, 8))).stdout, /# Done\n\nconverted text/);
		const out = await tempDir('bf-download-');
		const extracted = await cli('download', hash('done.pdf'), '--extract', '-o', out);
		t.regex(extracted.stdout, /extracted 2 file\(s\)/);
		t.regex(extracted.stdout, /refused \.\.\/escape\.txt: an unsafe name/);
		t.is(extracted.code, 1, 'an entry was refused');
		t.is(await readFile(path.join(out, 'content.md'), 'utf8'), '# Done\n\nconverted text\n');
		t.regex(
			(await cli('download', hash('failed.pdf'))).stderr,
			/has no result: (attempt 1 failed \(converter crashed\)|queued at normal \(retry\), 1 of 6 attempts used \(last error: converter crashed\))/,
			'failed, or already requeued by the janitor pass above when its backoff had passed',
		);
	},
);

test('bad arguments give one clear line and a usage exit code', async t => {
	const server = requireS3(t);
	if (!server) return;
	const {cli} = await setup(server);
	const cases: Array<[string[], number, RegExp]> = [
		[['ingest', '/tmp', '--priority', 'urgent'], 2, /--priority "urgent" is not a priority/],
		[['status', 'zz'], 1, /"zz" is not a SHA-256 hash or a prefix of at least 4 hex digits/],
		[['status', 'abcdef12'], 1, /no queued, active, failed or dead job starts with abcdef12/],
		[['retry'], 2, /name at least one job hash/],
		[['reprioritize', 'abcd1234'], 2, /Not enough non-option arguments/],
		[['list', '--state', 'sleeping'], 2, /Invalid values/],
		[['lookup'], 2, /give --hash or --path/],
		[['list', '-v', '--limit', 'abc'], 2, /--limit abc is not a number of rows/],
		[['list', '-v', '--limit', '-5'], 2, /--limit -5 is not a number of rows/],
		[[], 2, /^blobforge: name a command\n {2}see blobforge --help\n$/],
	];
	for (const [args, code, message] of cases) {
		const result = await cli(...args);
		t.is(result.code, code, `${args.join(' ')}: ${result.stderr}`);
		t.regex(result.stderr, message);
		t.notRegex(result.stderr, /\n\s+at /, 'no stack trace');
	}
	// With --json a script reads the error as an object on stdout, with the same exit code.
	const failed = await cli('status', 'abcdef12', '--json');
	t.is(failed.code, 1);
	const parsed = JSON.parse(failed.stdout) as {error?: {message?: string; exitCode?: number}};
	t.regex(parsed.error?.message ?? '', /no queued, active, failed or dead job starts with abcdef12/);
	t.is(parsed.error?.exitCode, 1);
});

test('remove, search-queue, retry --all-failed and manifest rebuild on real records', async t => {
	const server = requireS3(t);
	if (!server) return;
	const {cli, context} = await setup(server);
	const folder = await tempDir('bf-more-');
	await writeFiles(folder, {'keep-me.pdf': 'Keep', 'drop-me.pdf': 'Drop', 'flaky.pdf': 'Flaky'});
	t.is((await cli('ingest', folder)).code, 0);
	const found = JSON.parse((await cli('search-queue', 'drop', '--json')).stdout) as Array<{hash: string; name: string}>;
	t.is(found.length, 1);
	t.is(found[0]?.name, 'drop-me.pdf');
	t.regex((await cli('remove', found[0]!.hash.slice(0, 10), '--dry-run')).stdout, /would delete 2 object\(s\)/);
	t.regex((await cli('remove', found[0]!.hash.slice(0, 10))).stdout, /removed 2 object\(s\) and the manifest entry/);
	t.is(await context.store.head(context.keys.raw(found[0]!.hash)), undefined);
	t.is((await cli('search-queue', 'drop')).code, 1);
	const flaky = (JSON.parse((await cli('search-queue', 'flaky', '--json')).stdout) as Array<{hash: string}>)[0]!.hash;
	const outcome = await claim(context, 'w-test', {hash: flaky, priority: 'normal'});
	if (outcome.kind !== 'claimed') throw new Error(outcome.kind);
	await fail(context, outcome.held, {error: 'timeout', permanent: false});
	t.regex((await cli('retry', '--all-failed')).stdout, /queued at normal from failed/);
	await context.store.delete(context.keys.manifest());
	t.is((await cli('manifest', 'rebuild')).code, 2, 'asks for --yes');
	t.regex((await cli('manifest', 'rebuild', '--yes')).stdout, /manifest rebuilt from 2 raw PDF\(s\): 2 entries/);
	t.regex((await cli('lookup', '--path', 'keep-me.pdf')).stdout, /source\s*|ingested .* from rebuilt/);
});

test('Ctrl-C during ingest leaves the store consistent: every queued job has its raw PDF and its manifest entry', async t => {
	const server = requireS3(t);
	if (!server) return;
	const {environment, context} = await setup(server);
	const folder = await tempDir('bf-interrupt-');
	const files: Record<string, string> = {};
	for (let i = 0; i < 400; i++) files[`doc-${String(i).padStart(3, '0')}.pdf`] = `Interrupted document ${i}`;
	await writeFiles(folder, files);
	const {spawn} = await import('node:child_process');
	const {cliPath} = await import('../support/cli.js');
	const child = spawn(process.execPath, [cliPath, 'ingest', folder, '--concurrency', '2'], {
		env: environment,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let stderr = '';
	child.stderr.on('data', (chunk: Buffer) => {
		stderr += chunk.toString();
	});
	// Interrupt once the first uploads are under way.
	for (let i = 0; i < 200 && (await collectAll(context.store, context.keys.rawFolder())).length < 5; i++)
		await new Promise(resolve => setTimeout(resolve, 50));
	child.kill('SIGINT');
	const code = await new Promise<number | null>(resolve => child.on('close', resolve));
	const queued = (await collectAll(context.store, 'pdf/queue/todo/')).map(e => context.keys.hashOf(e.key)!);
	const raws = new Set(
		(await collectAll(context.store, context.keys.rawFolder())).map(e => context.keys.hashOf(e.key)),
	);
	const {manifest} = await loadManifest(context);
	t.log(
		`exit ${code}: ${queued.length} queued, ${raws.size} raw PDFs, ${Object.keys(manifest.entries).length} manifest entries when interrupted`,
	);
	t.true(queued.length < 400, 'the run was interrupted before the end');
	t.true(
		queued.every(h => raws.has(h)),
		'no job is queued without its raw PDF',
	);
	t.true(
		queued.every(h => h in manifest.entries),
		'no queued job is missing from the manifest',
	);
	t.true(code === 130 || stderr.includes('interrupted'), stderr);
});

test('a reader that goes away (`list | head -1`) ends a command quietly: no EPIPE stack trace', async t => {
	const {spawn} = await import('node:child_process');
	const {cliPath} = await import('../support/cli.js');
	const {tempDir} = await import('../support/temp.js');
	const child = spawn(process.execPath, [cliPath, 'list'], {
		env: cleanEnvironment({BLOBFORGE_STORE_DIR: await tempDir('bf-epipe-')}),
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	// Closed before the command writes anything: its first line meets a closed pipe.
	child.stdout.destroy();
	let stderr = '';
	child.stderr.on('data', (chunk: Buffer) => {
		stderr += chunk.toString();
	});
	const code = await new Promise<number | null>(resolve => child.on('exit', c => resolve(c)));
	t.is(code, 0, stderr);
	t.false(stderr.includes('EPIPE'), stderr);
});

test('completion offers the priorities after --priority and no one-letter option with two dashes', async t => {
	const environment = cleanEnvironment({BLOBFORGE_STORE_DIR: await tempDir('bf-complete-')});
	const completions = async (...words: string[]) =>
		(await runCli(['--get-yargs-completions', 'blobforge', ...words], environment)).stdout.split('\n').filter(Boolean);
	t.deepEqual(await completions('list', '--priority', ''), ['critical', 'high', 'normal', 'low', 'background']);
	t.deepEqual(await completions('retry', 'abc', '--priority', 'b'), ['background']);
	t.deepEqual(await completions('reprioritize', 'abc', 'h'), ['high']);
	const options = await completions('list', '--');
	t.true(options.includes('--verbose-list') && options.includes('--limit'));
	t.false(
		options.some(o => /^--.$/.test(o)),
		options.join(' '),
	);
});

test('dashboard --history: completed and failed per hour for a day and per day for a month, as text and JSON', async t => {
	const environment = cleanEnvironment({BLOBFORGE_STORE_DIR: await tempDir('bf-history-')});
	const text = await runCli(['dashboard', '--history'], environment);
	t.is(text.code, 0, text.stderr);
	t.regex(text.stdout, /── per hour, the last 24 hours[\s\S]*── per day, the last 30 days/);
	t.false(
		text.stdout.split('\n').some(line => / $/.test(line)),
		'no trailing blanks',
	);
	const json = JSON.parse((await runCli(['dashboard', '--history', '--json'], environment)).stdout) as {
		history: {hourly: {completed: number[]; failed: number[]}; daily: {completed: number[]}};
	};
	t.is(json.history.hourly.completed.length, 24);
	t.is(json.history.hourly.failed.length, 24);
	t.is(json.history.daily.completed.length, 30);
});

test('convert --password opens an encrypted PDF; without it, or with a wrong one, it says which', async t => {
	const dir = await tempDir('bf-password-');
	const file = path.join(dir, 'locked.pdf');
	await writeFile(file, passwordPdf('s3cret', 'Behind the password'));
	const environment = cleanEnvironment({BLOBFORGE_STORE_DIR: path.join(dir, 'store')});
	const without = await runCli(['convert', file, '-o', path.join(dir, 'a')], environment);
	t.is(without.code, 1);
	t.regex(without.stderr, /encrypted and needs a password/);
	const wrong = await runCli(['convert', file, '-o', path.join(dir, 'b'), '--password', 'nope'], environment);
	t.regex(wrong.stderr, /the password given is wrong/);
	const right = await runCli(['convert', file, '-o', path.join(dir, 'c'), '--password', 's3cret'], environment);
	t.is(right.code, 0, right.stderr);
	t.regex(await readFile(path.join(dir, 'c', 'content.md'), 'utf8'), /Behind the password/);
	const viaEnvironment = await runCli(['convert', file, '-o', path.join(dir, 'd')], {
		...environment,
		BLOBFORGE_PDF_PASSWORD: 's3cret',
	});
	t.is(viaEnvironment.code, 0, viaEnvironment.stderr);
});
