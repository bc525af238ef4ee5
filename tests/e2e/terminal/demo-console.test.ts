/**
`blobforge demo` in a terminal (tmux), as a new user runs it: the console opens and shows the
samples moving, and q stops the workers it started. Runs in the suite's last round, alone (see
scripts/run-tests.mjs): it watches a live screen.
*/
import {statfsSync} from 'node:fs';
import {readFile, writeFile} from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import {cliPath} from '../../support/cli.js';
import {demoWorkerPids} from '../../support/demo.js';
import {openTerminal} from '../../support/terminal.js';
import {tempDir} from '../../support/temp.js';
import {isProcessAlive} from '../../../source/lib/processes.js';

test('demo in a terminal: the console shows the samples moving; q stops the workers it started', async t => {
	// The demo's start-up, its first conversions and its dead-letter take a while on a slow machine.
	t.timeout(8 * 60_000);
	const cwd = await tempDir('bf-demo-');
	const script = path.join(cwd, 'run.sh');
	await writeFile(
		script,
		[
			'#!/bin/sh',
			`cd '${cwd}'`,
			'unset BLOBFORGE_S3_BUCKET BLOBFORGE_STORE_DIR',
			'export NO_COLOR=1',
			`'${process.execPath}' '${cliPath}' demo`,
			'echo "DEMO-EXITED=$?"',
			'sleep 600',
			'',
		].join('\n'),
		{mode: 0o755},
	);
	const terminal = await openTerminal(t, script);
	// What the demo and its workers did and the disk's room tell a slow machine from a stuck pipeline.
	const diagnose = async () => {
		const disk = statfsSync(cwd);
		const lines = [`${((disk.bavail * disk.bsize) / 1024 ** 2).toFixed(0)} MB free in ${cwd}`];
		for (const name of ['worker-1.log', 'worker-2.log', 'demo.log']) {
			const log = await readFile(path.join(cwd, 'blobforge-demo', name), 'utf8').catch(() => '(none)');
			lines.push(
				`${name}: ${log
					.split('\n')
					.filter(Boolean)
					.slice(-6)
					.map(line => line.slice(0, 220))
					.join('\n  ')}`,
			);
		}
		return lines;
	};
	const waitFor = async (what: string, check: (text: string) => boolean, timeoutMs = 120_000) =>
		terminal.waitFor(what, check, {timeoutMs, diagnose});
	const busy = await waitFor('a running sample', text => /\.pdf\s+[\d.]+ [KM]B\s+\w+\s+demo-[12]/.test(text));
	t.regex(busy, /BlobForge {2}local:\S*blobforge-demo/);
	await waitFor('the damaged sample in dead-letter', text => /4 Dead 1/.test(text), 180_000);
	await terminal.press('4');
	await waitFor('the dead job listed', text => /damaged-scan\.pdf.*not a valid PDF/.test(text));
	const pids = await demoWorkerPids(path.join(cwd, 'blobforge-demo'));
	t.true(pids.length === 2 && pids.every(pid => isProcessAlive(pid)), 'two workers run while the console is open');
	await terminal.press('q');
	const after = await waitFor('the demo to end', text => text.includes('DEMO-EXITED='));
	t.regex(after, /stopping 2 demo worker\(s\)/);
	t.regex(after, /DEMO-EXITED=0/);
	t.false(
		pids.some(pid => isProcessAlive(pid)),
		'quitting stopped the workers',
	);
});
