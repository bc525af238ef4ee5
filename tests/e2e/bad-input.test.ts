/**
The bad-input catalogue: every kind of bad input gets one clear message, loses nothing and crashes
nothing. Files through ingest and the built-in converter; hostile names through ingest, the
worker and the CLI's output; malformed records of every kind in the bucket; a store that ignores
conditional writes; a store that refuses writes (a read-only credential).
*/
import path from 'node:path';
import test from 'ava';
import {Inspector} from '../../source/inspector/inspector.js';
import {InspectorFeed} from '../../source/inspector/console-feed.js';
import {Keys, priorities} from '../../source/queue/keys.js';
import {locateJob} from '../../source/queue/locate.js';
import {openQueueContext, type QueueContext} from '../../source/queue/queue-context.js';
import {enqueueMany} from '../../source/queue/transitions/enqueue.js';
import {LocalStore} from '../../source/storage/local-store.js';
import type {ObjectStore} from '../../source/storage/object-store.js';
import {StoreError} from '../../source/storage/store-error.js';
import {cleanEnvironment, runCli} from '../support/cli.js';
import {encryptedPdf, makePdf, writeFiles} from '../support/pdfs.js';
import {createBucket, requireS3, openTestStore} from '../support/s3-server.js';
import {tempDir} from '../support/temp.js';

async function localSetup() {
	const dir = await tempDir('bf-bad-');
	const store = path.join(dir, 'store');
	const environment = cleanEnvironment({BLOBFORGE_STORE_DIR: store, BLOBFORGE_WORKER_ID: 'w-bad'});
	const cli = async (...args: string[]) => runCli(args, environment);
	const context: QueueContext = openQueueContext(new LocalStore({root: store}));
	return {dir, cli, context};
}

const noStackTrace = (text: string) => !/\n\s+at .+\(.+:\d+:\d+\)/.test(text);

test('bad files: each is refused at ingest or dead-lettered by the converter with its own clear reason; nothing else is lost', async t => {
	const {dir, cli, context} = await localSetup();
	const good = await makePdf(['A good page']);
	const cases: Array<{name: string; bytes: Uint8Array; ingest: RegExp; converted?: RegExp}> = [
		{
			name: 'corrupt.pdf',
			bytes: new Uint8Array(Buffer.from(`%PDF-1.7\n${'\u0000garbage\u00FF'.repeat(50)}`, 'latin1')),
			ingest: /queued/,
			converted: /not a valid PDF \(corrupt or truncated\)/,
		},
		{
			name: 'truncated.pdf',
			bytes: good.subarray(0, Math.floor(good.length * 0.4)),
			ingest: /queued/,
			converted: /not a valid PDF \(corrupt or truncated\)/,
		},
		{name: 'encrypted.pdf', bytes: encryptedPdf(), ingest: /queued/, converted: /encrypted/},
		{name: 'zero.pdf', bytes: new Uint8Array(), ingest: /empty file \(0 bytes\)/},
		{
			name: 'picture.pdf',
			bytes: new Uint8Array(Buffer.from('\u0089PNG\r\n\u001A\n not a pdf at all', 'latin1')),
			ingest: /not a PDF \(does not start with %PDF\)/,
		},
		{name: 'good.pdf', bytes: good, ingest: /queued/, converted: /^done$/},
	];
	await writeFiles(path.join(dir, 'in'), Object.fromEntries(cases.map(c => [c.name, c.bytes])));
	const ingested = await cli('ingest', path.join(dir, 'in'), '--json');
	t.true(noStackTrace(ingested.stderr + ingested.stdout));
	const results = (
		JSON.parse(ingested.stdout) as {results: Array<{path: string; outcome: string; reason: string; hash?: string}>}
	).results;
	for (const c of cases) {
		const result = results.find(r => r.path.endsWith(c.name));
		t.regex(`${result?.outcome}: ${result?.reason}`, c.ingest, c.name);
	}
	for (let i = 0; i < 4; i++) {
		const run = await cli('--headless', 'worker', '--run-once');
		t.is(run.code, 0, run.stderr);
	}
	for (const c of cases.filter(c => c.converted)) {
		const hash = results.find(r => r.path.endsWith(c.name))!.hash!;
		const records = await locateJob(context, hash);
		const reason = records.state === 'done' ? 'done' : (records.dead?.history.at(-1)?.error ?? records.state);
		t.regex(reason, c.converted!, c.name);
		t.truthy(records.raw, `${c.name}: its PDF stays in the store`);
	}
	const list = await cli('list', '--state', 'dead', '-v');
	t.regex(list.stdout, /encrypted\.pdf/);
	t.true(noStackTrace(list.stdout + list.stderr));
});

test('hostile and odd file names: newlines, escape sequences, "..", 240 characters, non-ASCII: queued, converted, and shown safely', async t => {
	const {dir, cli, context} = await localSetup();
	const pdf = await makePdf(['Odd names']);
	const names = [
		`line\nbreak.pdf`,
		`esc\u001B[31mred\u001B]0;title\u0007.pdf`,
		`..dots...pdf`,
		`${'long-'.repeat(47)}x.pdf`,
		'Ünïcødé 日本語 📄.pdf',
	];
	const files: Record<string, Uint8Array> = {};
	names.forEach((name, i) => {
		files[name] = new Uint8Array([...pdf, ...Buffer.from(`\n% ${i}\n`)]);
	});
	await writeFiles(path.join(dir, 'in', 'sub'), files);
	// A path through "..": it resolves, and the manifest records the real path.
	const ingested = await cli('ingest', path.join(dir, 'in', 'sub', '..', 'sub'), '--json');
	const results = (JSON.parse(ingested.stdout) as {results: Array<{path: string; outcome: string; hash?: string}>})
		.results;
	t.is(results.filter(r => r.outcome === 'queued').length, names.length, ingested.stderr);
	t.false(
		results.some(r => r.path.includes('/../')),
		'paths are normalized',
	);
	for (let i = 0; i < names.length; i++) {
		t.is((await cli('--headless', 'worker', '--run-once')).code, 0);
	}
	for (const result of results) {
		t.is((await locateJob(context, result.hash!)).state, 'done', result.path);
	}
	for (const args of [
		['list', '--state', 'done', '-v'],
		['search', 'red'],
		['manifest', '-v'],
		['status', results[1]!.hash!],
		['logs', results[1]!.hash!],
	]) {
		const out = await cli(...args);
		t.false(out.stdout.includes('\u001B'), `${args[0]}: no raw escape character reaches the terminal`);
		t.false(out.stdout.includes('\u0007'), `${args[0]}: no raw bell`);
		t.false(/line\nbreak/.test(out.stdout), `${args[0]}: a newline in a name does not break a row`);
	}
	t.regex((await cli('list', '--state', 'done', '-v')).stdout, /Ünïcødé 日本語 📄\.pdf/);
});

test('malformed and unknown-version records of every kind are reported, never a crash, and commands carry on', async t => {
	const {cli, context} = await localSetup();
	const {store, keys} = context;
	const h = (n: number) => n.toString(16).padStart(64, '7');
	await enqueueMany(context, [{hash: h(1), priority: 'normal', name: 'fine.pdf'}]);
	const garbage = '{"version": 99, "this is": not json';
	const bad: Array<[string, string]> = [
		[keys.todo('high', h(2)), garbage],
		[keys.todo('low', h(3)), '{"version": 7, "hash": "x"}'],
		[keys.lease(h(4)), garbage],
		[keys.failed(h(5)), '[]'],
		[keys.dead(h(6)), '{"version": 2}'],
		[keys.journal(Date.now() - 1000, 'bad'), garbage],
		[keys.snapshot(), '{"version": 3}'],
		[keys.worker('broken'), garbage],
		[keys.jobLog(h(1), 1), garbage],
		[keys.config(), '{"max_retries": "many"'],
		[keys.manifest(), '{"version": 1, "entries": 5}'],
		[`${keys.prefix}queue/todo/3_normal/not-a-hash`, ''],
	];
	for (const [key, body] of bad) {
		await store.put(key, body);
	}
	const outputs: string[] = [];
	for (const args of [
		['list'],
		['list', '-v'],
		['dashboard'],
		['status', h(4)],
		['status', h(1)],
		['workers'],
		['logs', h(1)],
		['manifest'],
		['config'],
		['janitor', '--dry-run'],
		['--headless', 'worker', '--run-once', '--converter', 'true {input} {output}'],
	]) {
		const out = await cli(...args);
		outputs.push(`${args.join(' ')} → ${out.code}\n${out.stdout}${out.stderr}`);
		t.true([0, 1].includes(out.code), `${args.join(' ')} exits 0 or 1, not ${out.code}: ${out.stderr}`);
		t.true(noStackTrace(out.stdout + out.stderr), `${args.join(' ')}: no stack trace`);
	}
	const all = outputs.join('\n');
	t.regex(all, /config\.json: not valid JSON .*\(the default is used\)/, 'the bad config is named, the default used');
	t.regex(all, /malformed|not a version 1|unreadable|problem/i, 'malformed records are reported');
	t.regex(outputs[0]!, /^todo(\s+\d+){5}\s+1$/m, 'the good job is still counted (total 1)');
	// The console's source takes the same records without throwing.
	const snapshot = await new InspectorFeed(new Inspector(context), 'test').snapshot();
	t.true(snapshot.problems.length > 0);
	t.true(snapshot.todo.some(j => j.name === 'fine.pdf') || snapshot.active.length > 0 || snapshot.done.length > 0);
});

/** A store that answers reads and refuses every write, as a read-only credential does. */
function readOnly(inner: ObjectStore): ObjectStore {
	const refuse = async (): Promise<never> => {
		throw new StoreError('access-denied', 'Access Denied (403): this credential may only read', {operation: 'put'});
	};
	return {
		...inner,
		location: inner.location,
		get: async (k, o) => inner.get(k, o),
		head: async k => inner.head(k),
		listPage: async (p, o) => inner.listPage(p, o),
		serverTime: async () => inner.serverTime(),
		getFile: async (k, f) => inner.getFile(k, f),
		put: refuse,
		putFile: refuse,
		delete: refuse,
		deleteMany: refuse,
	};
}

test("a read-only credential: the console's source still shows everything; an action fails with the reason", async t => {
	const {context} = await localSetup();
	await enqueueMany(
		context,
		priorities.map((priority, i) => ({
			hash: (i + 1).toString(16).padStart(64, '8'),
			priority,
			name: `${priority}.pdf`,
		})),
	);
	const reader: QueueContext = {...context, store: readOnly(context.store)};
	const feed = new InspectorFeed(new Inspector(reader), 'read-only');
	const snapshot = await feed.snapshot();
	t.is(snapshot.counts.total.todo, 5);
	t.deepEqual(snapshot.todo.map(j => j.name).sort(), [
		'background.pdf',
		'critical.pdf',
		'high.pdf',
		'low.pdf',
		'normal.pdf',
	]);
	const error = await t.throwsAsync(feed.cancel(snapshot.todo[0]!.hash));
	t.regex(error?.message ?? '', /Access Denied/);
});

test('S3: a store found without conditional writes makes workers refuse to start, saying why', async t => {
	const server = requireS3(t);
	if (!server) return;
	const bucket = await createBucket(server);
	const environment = cleanEnvironment({
		BLOBFORGE_S3_BUCKET: bucket,
		BLOBFORGE_S3_ENDPOINT_URL: server.endpoint,
		BLOBFORGE_S3_ACCESS_KEY_ID: server.accessKeyId,
		BLOBFORGE_S3_SECRET_ACCESS_KEY: server.secretAccessKey,
	});
	// What doctor saves about a provider that ignores If-None-Match and If-Match.
	const {store} = openTestStore(server, bucket);
	await store.put(
		new Keys('pdf/').capabilities(),
		JSON.stringify({
			version: 1,
			checkedAt: '2026-11-29T00:00:00.000Z',
			location: 's3://x',
			createOnly: false,
			compareAndSwap: false,
			etagStyle: 'unquoted',
			safeForLeases: false,
		}),
	);
	const refused = await runCli(['--headless', 'worker', '--run-once'], environment);
	t.is(refused.code, 3);
	t.regex(refused.stderr, /ignores If-None-Match: \* and If-Match .*so none is started/);
	t.regex(refused.stderr, /use a provider with conditional writes/);
	t.true(noStackTrace(refused.stderr));
	// After doctor finds the provider fine again, workers start.
	t.is((await runCli(['doctor'], environment)).code, 0);
	t.is((await runCli(['--headless', 'worker', '--run-once'], environment)).code, 0);
});
