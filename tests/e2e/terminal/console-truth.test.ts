/**
`blobforge watch` in tmux on the real S3 server while real worker processes come, work, drain and
die: what an operator must be able to trust (issue 16, truth 1–4). Jobs waiting with no worker
raise an alarm and get no ETA; a worker shows in the Workers tab as it starts; its completions
reach the counts, and the header says how old the running jobs are when their sweep is older than
the refresh; a drained worker says so with its jobs counted; a `config set` of the stale timeout
reaches a running console; a kill -9'd worker is gone once its lease is stale, and its job is
waiting with no live worker.
*/
import {spawn, type ChildProcess} from 'node:child_process';
import {writeFile} from 'node:fs/promises';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import test from 'ava';
import {cleanEnvironment, cliPath, runCli} from '../../support/cli.js';
import {makePdf, writeFiles} from '../../support/pdfs.js';
import {createBucket, requireS3} from '../../support/s3-server.js';
import {openTerminal} from '../../support/terminal.js';
import {tempDir} from '../../support/temp.js';

// From dist/tests/e2e/terminal to the source tree's tests/support (the .mjs is not compiled).
const fakeConverter = path.resolve(
	path.dirname(fileURLToPath(import.meta.url)),
	'../../../../tests/support/fake-converter.mjs',
);

const started: ChildProcess[] = [];
test.after.always(() => {
	for (const child of started)
		if (child.exitCode === null && child.signalCode === null)
			try {
				process.kill(-child.pid!, 'SIGKILL');
			} catch {
				// already gone
			}
});

test('watch tells the truth: no-worker alarm, workers as they start, drain and die, config changes, fresh counts', async t => {
	const server = requireS3(t);
	if (!server) return;
	const bucket = await createBucket(server);
	const dir = await tempDir('bf-truth-');
	const s3 = {
		BLOBFORGE_S3_BUCKET: bucket,
		BLOBFORGE_S3_ENDPOINT_URL: server.endpoint,
		BLOBFORGE_S3_ACCESS_KEY_ID: server.accessKeyId,
		BLOBFORGE_S3_SECRET_ACCESS_KEY: server.secretAccessKey,
	};
	const environment = cleanEnvironment(s3);
	const cli = async (...args: string[]) => {
		const result = await runCli(args, environment);
		if (result.code !== 0) throw new Error(`blobforge ${args.join(' ')}: ${result.stderr}`);
		return result;
	};
	const ingest = async (names: string[]) => {
		const folder = path.join(dir, `in-${names[0]}`);
		const files: Record<string, Uint8Array> = {};
		for (const name of names) files[name] = await makePdf([`${name} body`]);
		await writeFiles(folder, files);
		await cli('ingest', folder);
	};
	const worker = (id: string, seconds: number): ChildProcess => {
		const child = spawn(
			process.execPath,
			[
				cliPath,
				'--headless',
				'worker',
				'--idle-poll',
				'1',
				'--converter',
				`node ${fakeConverter} {input} {output} ${seconds}`,
			],
			{env: {...environment, BLOBFORGE_WORKER_ID: id}, stdio: 'ignore', detached: true},
		);
		started.push(child);
		return child;
	};
	const exited = async (child: ChildProcess) =>
		child.exitCode !== null || child.signalCode !== null
			? child.exitCode
			: new Promise<number | null>(resolve => child.on('exit', code => resolve(code)));

	await ingest(['alpha.pdf', 'beta.pdf', 'gamma.pdf']);
	const script = path.join(dir, 'run.sh');
	await writeFile(
		script,
		[
			'#!/bin/sh',
			...Object.entries({...s3, NO_COLOR: '1'}).map(([k, v]) => `export ${k}='${v}'`),
			`'${process.execPath}' '${cliPath}' watch --refresh 1 --lease-refresh 10`,
			'sleep 600',
			'',
		].join('\n'),
		{mode: 0o755},
	);
	const {waitFor, press} = await openTerminal(t, script);

	// 4. Jobs wait and no worker has ever registered: an alarm, and no ETA for the backlog.
	const alone = await waitFor('the no-worker alarm', text =>
		/3 waiting, no live worker \(none has registered\)/.test(text),
	);
	t.notRegex(alone, /ETA \d/, 'no ETA without a worker');
	t.regex(alone, /2 Queue 3/, 'the console opens on the pane with rows');

	// 3. A worker that starts shows at once (a lease of a worker not yet listed lists the registrations).
	const fast = worker('w-fast', 1);
	await press('6');
	await waitFor('the new worker in the Workers tab', text => /6 Workers 1/.test(text) && text.includes('w-fast'), {
		timeoutMs: 60_000,
	});
	// 2. Its completions reach the counts; the alarm is gone.
	const done = await waitFor('three jobs done', text => /\n\s*done\s+3\s/.test(text), {timeoutMs: 90_000});
	t.notRegex(done, /no live worker/);
	// Drained through the bucket: it exits 0 and its row says who drained it, with its jobs counted.
	await cli('workers', '--drain', 'w-fast');
	t.is(await exited(fast), 0, 'a drained worker exits 0');
	const drained = await waitFor('the drained worker', text => /w-fast[\s\S]*drained/.test(text), {timeoutMs: 90_000});
	t.regex(drained, /w-fast.*\s3\s/, 'its three jobs are counted');

	// 1. A config change reaches the running console: the detail of a running job says "stale after 1m00s".
	await cli('config', 'set', 'heartbeat_interval=2', 'stale_timeout_minutes=1');
	await ingest(['long.pdf']);
	const slow = worker('w-slow', 600);
	await press('1');
	await waitFor('the long job running', text => text.includes('long.pdf') && text.includes('w-slow'), {
		timeoutMs: 90_000,
	});
	// 2. The running jobs are swept every 10 s here: the header says how old they are when that is older.
	await waitFor(
		'the header giving the running jobs their own age',
		text => /updated \d+s ago \(running jobs \d+s ago\)/.test(text),
		{
			timeoutMs: 30_000,
		},
	);
	await press('Enter');
	await waitFor(
		'the new stale timeout in the detail',
		text => /stale if not renewed for (\d+s|1m00s) more/.test(text),
		{
			timeoutMs: 90_000,
		},
	);
	await press('Escape');

	// 3. kill -9: once its lease is past the (new) one-minute stale timeout the worker is gone, the job waits.
	process.kill(-slow.pid!, 'SIGKILL');
	await press('6');
	const gone = await waitFor('the killed worker gone', text => /w-slow.*gone/.test(text), {timeoutMs: 150_000});
	t.regex(gone, /1 waiting, no live worker for \d/, 'its job waits with no live worker');
	t.notRegex(gone, /w-slow.*processing/);
});
