/**
`blobforge demo` as a new user runs it: without a terminal it drains the sample queue and stops
its workers; in a terminal (tmux) it opens the console, and q stops the workers it started.
*/
import {execFile} from 'node:child_process';
import {statfsSync} from 'node:fs';
import {readFile, writeFile} from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import {cleanEnvironment, cliPath, runCli} from '../support/cli.js';
import {openTerminal} from '../support/terminal.js';
import {tempDir} from '../support/temp.js';
import {isProcessAlive} from '../../source/lib/processes.js';

async function workerPids(dir: string): Promise<number[]> {
	const pids: number[] = [];
	for (const n of [1, 2]) {
		// eslint-disable-next-line no-await-in-loop
		const log = await readFile(path.join(dir, `worker-${n}.log`), 'utf8');
		const started = log.split('\n').filter(Boolean).map(line => JSON.parse(line) as {event: string; pid?: number}).find(e => e.event === 'worker-started');
		if (started?.pid) pids.push(started.pid);
	}
	return pids;
}

test('demo without a terminal: every sample converted, the damaged one in dead-letter, the workers stopped', async t => {
	const cwd = await tempDir('bf-demo-');
	const result = await new Promise<{code: number; stdout: string}>(resolve => {
		execFile(process.execPath, [cliPath, 'demo'], {cwd, env: cleanEnvironment(), timeout: 240_000}, (error, stdout) => resolve({code: error ? Number(error.code ?? 1) : 0, stdout}));
	});
	t.is(result.code, 0, result.stdout);
	t.regex(result.stdout, /a fresh store \(the directory is recreated on each run; --keep reuses it\)/);
	t.regex(result.stdout, /done 10, dead 1, failed 0, queued 0, running 0/);
	const dir = path.join(cwd, 'blobforge-demo');
	const pids = await workerPids(dir);
	t.is(pids.length, 2);
	t.false(pids.some(pid => isProcessAlive(pid)), 'no demo worker is left running');
	const dead = await runCli(['--store-dir', path.join(dir, 'store'), 'list', '--state', 'dead', '-v'], cleanEnvironment());
	t.regex(dead.stdout, /damaged-scan\.pdf/);
	t.regex(dead.stdout, /not a valid PDF/);
});

test('demo refuses to replace a directory that is not a demo directory', async t => {
	const cwd = await tempDir('bf-demo-');
	await writeFile(path.join(cwd, 'precious.txt'), 'keep me');
	const result = await runCli(['demo', '--dir', cwd], cleanEnvironment());
	t.is(result.code, 2);
	t.regex(result.stderr, /is not a BlobForge demo directory; nothing was changed/);
	t.is(await readFile(path.join(cwd, 'precious.txt'), 'utf8'), 'keep me');
});

test('demo in a terminal: the console shows the samples moving; q stops the workers it started', async t => {
	const cwd = await tempDir('bf-demo-');
	const script = path.join(cwd, 'run.sh');
	await writeFile(script, ['#!/bin/sh', `cd '${cwd}'`, 'unset BLOBFORGE_S3_BUCKET BLOBFORGE_STORE_DIR', 'export NO_COLOR=1', `'${process.execPath}' '${cliPath}' demo`, 'echo "DEMO-EXITED=$?"', 'sleep 600', ''].join('\n'), {mode: 0o755});
	const terminal = await openTerminal(t, script);
	// What the demo and its workers did and the disk's room tell a slow machine from a stuck pipeline.
	const diagnose = async () => {
		const disk = statfsSync(cwd);
		const lines = [`${((disk.bavail * disk.bsize) / 1024 ** 2).toFixed(0)} MB free in ${cwd}`];
		for (const name of ['worker-1.log', 'worker-2.log', 'demo.log']) {
			// eslint-disable-next-line no-await-in-loop
			const log = await readFile(path.join(cwd, 'blobforge-demo', name), 'utf8').catch(() => '(none)');
			lines.push(`${name}: ${log.split('\n').filter(Boolean).slice(-6).map(line => line.slice(0, 220)).join('\n  ')}`);
		}
		return lines;
	};
	const waitFor = async (what: string, check: (text: string) => boolean, timeoutMs = 60_000) => terminal.waitFor(what, check, {timeoutMs, diagnose});
	const busy = await waitFor('a running sample', text => /\.pdf\s+[\d.]+ KB\s+\w+\s+demo-[12]/.test(text));
	t.regex(busy, /BlobForge {2}local:\S*blobforge-demo/);
	await waitFor('the damaged sample in dead-letter', text => /4 Dead 1/.test(text), 90_000);
	await terminal.press('4');
	await waitFor('the dead job listed', text => /damaged-scan\.pdf.*not a valid PDF/.test(text));
	const pids = await workerPids(path.join(cwd, 'blobforge-demo'));
	t.true(pids.length === 2 && pids.every(pid => isProcessAlive(pid)), 'two workers run while the console is open');
	await terminal.press('q');
	const after = await waitFor('the demo to end', text => text.includes('DEMO-EXITED='));
	t.regex(after, /stopping 2 demo worker\(s\)/);
	t.regex(after, /DEMO-EXITED=0/);
	t.false(pids.some(pid => isProcessAlive(pid)), 'quitting stopped the workers');
});
