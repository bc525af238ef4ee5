/**
The worker as a process, on the embedded local store: external converter, SIGTERM mid-conversion,
kill -9 and restart, timeout, cancel, a lost lease, bad input.
*/
import {spawn, type ChildProcess} from 'node:child_process';
import {existsSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import test from 'ava';
import {unzipSync} from 'fflate';
import {locateJob} from '../../source/queue/locate.js';
import {openQueueContext, type QueueContext} from '../../source/queue/queue-context.js';
import {LocalStore} from '../../source/storage/local-store.js';
import type {StoredObject} from '../../source/storage/object-store.js';
import {cleanEnvironment, cliPath, runCli} from '../support/cli.js';
import {makePdf, writeFiles} from '../support/pdfs.js';
import {tempDir} from '../support/temp.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const fakeConverter = path.resolve(here, '../../../tests/support/fake-converter.mjs');
const fakeTools = path.resolve(here, '../../../tests/support/fake-tools');
const withFakeTools = {PATH: `${fakeTools}${path.delimiter}${process.env['PATH'] ?? ''}`};
const corpus = path.resolve(here, '../../../../shared/corpus');

type Running = {
	child: ChildProcess;
	lines: string[];
	exited: Promise<{code: number | null; signal: NodeJS.Signals | null}>;
};

/** Every worker started, so a failed test does not leave one running. */
const started: ChildProcess[] = [];
test.after.always(() => {
	for (const child of started) {
		if (child.exitCode === null && child.signalCode === null) {
			try {
				process.kill(-child.pid!, 'SIGKILL');
			} catch {
				// already gone
			}
		}
	}
});

async function setup(config: string[] = [], extra: Record<string, string> = {}) {
	const dir = await tempDir('bf-worker-');
	const store = path.join(dir, 'store');
	const environment = cleanEnvironment({BLOBFORGE_STORE_DIR: store, BLOBFORGE_WORKER_ID: 'w-test', ...extra});
	const cli = async (...args: string[]) => runCli(args, environment);
	if (config.length > 0) {
		const set = await cli('config', 'set', ...config);
		if (set.code !== 0) throw new Error(`config set ${config.join(' ')}: ${set.stderr}`);
	}
	const context: QueueContext = openQueueContext(new LocalStore({root: store}));
	const start = (...args: string[]): Running => {
		const child = spawn(process.execPath, [cliPath, '--headless', 'worker', '--idle-poll', '1', ...args], {
			env: environment,
			stdio: ['ignore', 'pipe', 'pipe'],
			detached: true,
		});
		started.push(child);
		const lines: string[] = [];
		child.stdout!.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)));
		child.stderr!.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)));
		const exited = new Promise<{code: number | null; signal: NodeJS.Signals | null}>(resolve =>
			child.on('exit', (code, signal) => resolve({code, signal})),
		);
		return {child, lines, exited};
	};
	const ingestOne = async (name = 'paper.pdf', content: string | Uint8Array = 'A paper to convert') => {
		await writeFiles(path.join(dir, 'in'), {[name]: content});
		const result = await cli('ingest', path.join(dir, 'in', name), '--json');
		const summary = JSON.parse(result.stdout) as {results: Array<{hash?: string}>};
		return summary.results[0]!.hash!;
	};
	return {dir, cli, context, start, ingestOne};
}

async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 40_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		if (await check()) return;
		await new Promise(resolve => setTimeout(resolve, 100));
	}
	throw new Error(`timed out waiting for ${what}`);
}

const events = (running: Running) =>
	running.lines.map(line => {
		try {
			return JSON.parse(line) as {event: string; [key: string]: unknown};
		} catch {
			return {event: 'text', line};
		}
	});

const slow = (seconds: number, mode = '') =>
	`${process.execPath} ${fakeConverter} {input} {output} ${seconds} ${mode}`.trim();

test('the built-in converter end to end: JSON log lines, a result with content.md and info.json', async t => {
	const {start, ingestOne, context} = await setup();
	const hash = await ingestOne('report.pdf', await makePdf(['Quarterly report', 'Body text.']));
	const worker = start('--run-once');
	t.is((await worker.exited).code, 0, worker.lines.join('\n'));
	const log = events(worker);
	// Housekeeping of this machine (job folders of workers other tests killed, a low disk) may come between.
	const housekeeping = new Set(['removed-abandoned-job-folders', 'low-disk']);
	t.deepEqual(
		log.map(e => e.event).filter(event => !housekeeping.has(event)),
		['worker-started', 'job-claimed', 'conversion-started', 'job-completed', 'worker-stopped', 'requests'],
	);
	t.is(log[1]?.['file'], 'report.pdf');
	t.is(log[1]?.['job'], hash);
	t.regex(String(log[0]?.['store']), /^local:\/.*\/store prefix pdf\/$/, 'the first line names the store');
	const result = (await context.store.get(context.keys.result(hash))) as StoredObject;
	const files = unzipSync(result.body);
	t.regex(Buffer.from(files['content.md']!).toString(), /Quarterly report/);
	const info = JSON.parse(Buffer.from(files['info.json']!).toString()) as {
		hash: string;
		original_filename: string;
		pages: number;
		worker_id: string;
		paths: string[];
		tags: string[];
	};
	t.deepEqual([info.hash, info.original_filename, info.pages, info.worker_id], [hash, 'report.pdf', 1, 'w-test']);
	t.deepEqual(
		[info.paths, info.tags],
		[['report.pdf'], []],
		'paths and tags from the manifest (a top-level file has no folder tag)',
	);
	const workers = await runCli(
		['workers', '--json'],
		cleanEnvironment({BLOBFORGE_STORE_DIR: context.store.location.slice('local:'.length)}),
	);
	const registered = JSON.parse(workers.stdout) as {
		workers: Array<{worker: string; status: string; jobsCompleted: number; pagesProcessed: number}>;
	};
	t.like(registered.workers[0], {worker: 'w-test', status: 'stopped', jobsCompleted: 1, pagesProcessed: 1});
});

test('an external converter command runs without a shell; its output is in the job log', async t => {
	const {start, ingestOne, context, cli} = await setup();
	const hash = await ingestOne('odd name; rm -rf $HOME.pdf');
	const worker = start('--run-once', '--converter', slow(0));
	t.is((await worker.exited).code, 0, worker.lines.join('\n'));
	const result = (await context.store.get(context.keys.result(hash))) as StoredObject;
	t.regex(Buffer.from(unzipSync(result.body)['content.md']!).toString(), /Converted by the fake converter/);
	const logs = await cli('logs', hash);
	t.regex(logs.stdout, /attempt 1 on w-test: completed/);
	t.regex(logs.stdout, /│ page 10\/10/);
});

test('SIGTERM mid-conversion hands the job back and exits 0 within seconds; the attempt is not counted', async t => {
	const {start, ingestOne, context} = await setup();
	const hash = await ingestOne();
	const worker = start('--converter', slow(60));
	await waitFor('the conversion to start', () => events(worker).some(e => e.event === 'conversion-started'));
	const sent = Date.now();
	worker.child.kill('SIGTERM');
	const {code} = await worker.exited;
	const seconds = (Date.now() - sent) / 1000;
	t.log(`SIGTERM to exit: ${seconds.toFixed(2)} s`);
	t.is(code, 0);
	t.true(
		seconds < 20,
		'well before the 60 s conversion would have ended (usually under a second; CI load stretches it)',
	);
	t.true(events(worker).some(e => e.event === 'job-requeued'));
	const records = await locateJob(context, hash);
	t.is(records.state, 'todo');
	t.is(records.lease, undefined, 'the requeue removed its lease: the job is claimable at once');
	t.is(records.todo[0]?.entry.attempts, 0);
	t.is(records.todo[0]?.entry.reason, 'shutdown');
	t.is(await context.store.head(context.keys.result(hash)), undefined);
});

test('kill -9, then the same worker restarts: it resumes its lease (the same attempt) and finishes the job', async t => {
	const {start, ingestOne, context} = await setup(['heartbeat_interval=1']);
	const hash = await ingestOne();
	const first = start('--converter', slow(60));
	await waitFor('the conversion to start', () => events(first).some(e => e.event === 'conversion-started'));
	process.kill(-first.child.pid!, 'SIGKILL'); // the worker and its converter, as a machine crash would
	await first.exited;
	await new Promise(resolve => setTimeout(resolve, 2500)); // more than two heartbeat intervals
	const second = start('--run-once', '--converter', slow(0));
	t.is((await second.exited).code, 0, second.lines.join('\n'));
	t.true(
		events(second).some(e => e.event === 'recovered-own-leases' && e['resumed'] === 1),
		second.lines.join('\n'),
	);
	t.true(events(second).some(e => e.event === 'job-completed' && e['attempt'] === 1));
	t.truthy(await context.store.head(context.keys.result(hash)));
});

test('conversion_timeout kills a slow conversion and fails the attempt', async t => {
	const {start, ingestOne, context} = await setup(['conversion_timeout=1']);
	const hash = await ingestOne();
	const started = Date.now();
	const worker = start('--run-once', '--converter', slow(60));
	t.is((await worker.exited).code, 0, worker.lines.join('\n'));
	t.true(Date.now() - started < 40_000, 'the 60 s conversion was cut short');
	const failed = events(worker).find(e => e.event === 'job-failed');
	t.is(failed?.['error'], 'conversion timed out after 1 s');
	t.is((await locateJob(context, hash)).state, 'failed');
});

test('cancel stops a running job through its lease; no result, the worker carries on', async t => {
	const {start, ingestOne, context, cli} = await setup(['heartbeat_interval=1']);
	const hash = await ingestOne();
	const worker = start('--converter', slow(60));
	await waitFor('the conversion to start', () => events(worker).some(e => e.event === 'conversion-started'));
	t.regex((await cli('cancel', hash)).stdout, /stops at its next heartbeat/);
	await waitFor('the worker to notice', () => events(worker).some(e => e.event === 'job-cancelled'), 30_000);
	await waitFor('the job log', async () => (await context.store.head(context.keys.jobLog(hash, 1))) !== undefined);
	worker.child.kill('SIGTERM');
	t.is((await worker.exited).code, 0);
	t.is((await locateJob(context, hash)).state, 'dead');
	t.is(await context.store.head(context.keys.result(hash)), undefined);
});

test('a lost lease stops the conversion and writes no result', async t => {
	// A worker paused (SIGSTOP: a long GC, a stalled network) for longer than the stale timeout has its
	// lease recovered by the janitor; when it resumes, its next heartbeat finds the lease lost.
	const {start, ingestOne, context, cli} = await setup(['heartbeat_interval=1', 'stale_timeout_minutes=0.05']);
	const hash = await ingestOne();
	const worker = start('--converter', slow(90));
	await waitFor('the conversion to start', () => events(worker).some(e => e.event === 'conversion-started'));
	process.kill(worker.child.pid!, 'SIGSTOP');
	try {
		await new Promise(resolve => setTimeout(resolve, 4000));
		await cli('janitor');
	} finally {
		process.kill(worker.child.pid!, 'SIGCONT');
	}
	await waitFor(
		'the worker to notice at its next heartbeat',
		() => events(worker).some(e => e.event === 'lease-lost'),
		45_000,
	);
	worker.child.kill('SIGTERM');
	await worker.exited;
	t.is(await context.store.head(context.keys.result(hash)), undefined);
	const records = await locateJob(context, hash);
	t.is(records.todo[0]?.entry.attempts, 1, 'the recovered attempt is counted once');
});

test('bad input: a truncated PDF goes to dead-letter with its reason; a failing converter is retried', async t => {
	const {start, ingestOne, context} = await setup();
	const good = await makePdf(['Cut short']);
	const truncated = await ingestOne('truncated.pdf', good.subarray(0, Math.floor(good.length / 3)));
	const worker = start('--run-once');
	t.is((await worker.exited).code, 0);
	const dead = await locateJob(context, truncated);
	t.is(dead.state, 'dead');
	t.regex(dead.dead?.history.at(-1)?.error ?? '', /not a valid PDF/);
	const failing = await ingestOne('fails.pdf');
	const again = start('--run-once', '--converter', slow(0, 'fail'));
	t.is((await again.exited).code, 0);
	const failed = await locateJob(context, failing);
	t.is(failed.state, 'failed');
	t.regex(failed.failed?.history.at(-1)?.error ?? '', /exited with code 3/);
	if (existsSync(path.join(corpus, 'encrypted.pdf'))) {
		const {readFile} = await import('node:fs/promises');
		const encrypted = await ingestOne('encrypted.pdf', await readFile(path.join(corpus, 'encrypted.pdf')));
		t.is((await start('--run-once').exited).code, 0);
		t.regex((await locateJob(context, encrypted)).dead?.history.at(-1)?.error ?? '', /encrypted/);
	}
});

test('an idle worker notices new work through the signal object and claims it', async t => {
	const {start, ingestOne, context} = await setup();
	const worker = start('--converter', slow(0));
	await waitFor('the worker to go idle', () => events(worker).some(e => e.event === 'worker-started'));
	await new Promise(resolve => setTimeout(resolve, 2500)); // a couple of idle polls on an empty store
	const enqueuedAt = Date.now();
	const hash = await ingestOne();
	await waitFor('the job to be claimed', () => events(worker).some(e => e.event === 'job-claimed'), 30_000);
	const claimedAt = Date.parse(String(events(worker).find(e => e.event === 'job-claimed')?.['time']));
	t.log(`picked up ${((claimedAt - enqueuedAt) / 1000).toFixed(1)} s after ingest started (idle poll 1 s)`);
	await waitFor('the result', async () => (await context.store.head(context.keys.result(hash))) !== undefined);
	worker.child.kill('SIGTERM');
	t.is((await worker.exited).code, 0);
});

test('convert: one PDF locally, no store', async t => {
	const dir = await tempDir('bf-convert-');
	await writeFiles(dir, {'in.pdf': 'Local conversion'});
	const out = path.join(dir, 'out');
	const result = await runCli(['convert', path.join(dir, 'in.pdf'), '-o', out], cleanEnvironment());
	t.is(result.code, 0, result.stderr);
	t.regex(result.stdout, /converted 1 page\(s\) in [\d.]+ s/);
	const {readFile} = await import('node:fs/promises');
	t.regex(await readFile(path.join(out, 'content.md'), 'utf8'), /Local conversion/);
	const bad = await runCli(['convert', path.join(dir, 'missing.pdf')], cleanEnvironment());
	t.is(bad.code, 1);
	t.regex(bad.stderr, /cannot read .*missing\.pdf: ENOENT/);
});

test('a closed log pipe (worker | head) does not end the worker: its job completes, its log goes on on stderr', async t => {
	const {start, ingestOne, context} = await setup();
	const hash = await ingestOne('piped.pdf');
	const worker = start('--run-once', '--converter', slow(2));
	// The reader goes away after the first line, as `head -n 1` does.
	await waitFor('the first log line', () => worker.lines.length > 0);
	worker.child.stdout!.destroy();
	const exit = await worker.exited;
	t.is(exit.code, 0, worker.lines.join('\n'));
	t.truthy(await context.store.head(context.keys.result(hash)), 'the job was completed, not left to go stale');
	t.true(
		worker.lines.some(line => line.includes('job-completed')),
		'the log went on (on stderr) once stdout was closed',
	);
});

test('--converter marker end to end: its layout becomes content.md, assets/ and meta/ in the result', async t => {
	const {start, ingestOne, context} = await setup([], withFakeTools);
	const hash = await ingestOne('report.pdf', await makePdf(['Quarterly report']));
	const worker = start('--run-once', '--converter', 'marker');
	t.is((await worker.exited).code, 0, worker.lines.join('\n'));
	const completed = events(worker).find(e => e.event === 'job-completed');
	t.truthy(completed, worker.lines.join('\n'));
	const files = unzipSync(((await context.store.get(context.keys.result(hash))) as StoredObject).body);
	t.deepEqual(Object.keys(files).sort(), [
		'assets/_page_0_Picture_1.jpeg',
		'content.md',
		'info.json',
		'log.json',
		'meta/source_meta.json',
	]);
	t.regex(Buffer.from(files['content.md']!).toString(), /!\[\]\(assets\/_page_0_Picture_1\.jpeg\)/);
	t.is(JSON.parse(Buffer.from(files['info.json']!).toString()).converter, 'marker (marker_single)');
});

test('a converter that is not installed stops the worker at start with one sentence; nothing is claimed', async t => {
	const {start, ingestOne, context} = await setup([], {PATH: '/usr/bin:/bin'});
	const hash = await ingestOne();
	const worker = start('--run-once', '--converter', 'docling');
	t.is((await worker.exited).code, 3);
	t.regex(
		worker.lines.join('\n'),
		/the converter cannot run here: docling not found on PATH; install docling \(pip install docling\)/,
	);
	t.is((await locateJob(context, hash)).state, 'todo', 'the job waits, untouched');
});

test('config set converter=mineru switches a worker started without --converter', async t => {
	const {start, ingestOne, context} = await setup(['converter=mineru'], withFakeTools);
	const hash = await ingestOne();
	const worker = start('--run-once');
	t.is((await worker.exited).code, 0, worker.lines.join('\n'));
	const files = unzipSync(((await context.store.get(context.keys.result(hash))) as StoredObject).body);
	t.true(Object.keys(files).includes('meta/source_content_list.json'), Object.keys(files).join(' '));
	t.is(JSON.parse(Buffer.from(files['info.json']!).toString()).converter, 'mineru (mineru)');
});
