/**
`blobforge demo` as a new user runs it without a terminal: it drains the sample queue and stops
its workers. In a terminal: terminal/demo-console.test.ts.
*/
import {execFile} from 'node:child_process';
import {readFile, writeFile} from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import {cleanEnvironment, cliPath, runCli} from '../support/cli.js';
import {demoWorkerPids} from '../support/demo.js';
import {tempDir} from '../support/temp.js';
import {isProcessAlive} from '../../source/lib/processes.js';

test('demo without a terminal: every sample converted, the damaged one in dead-letter, the workers stopped', async t => {
	// A loaded machine slows the demo down; it stops following only when nothing moves for 3 minutes.
	t.timeout(9 * 60_000);
	const cwd = await tempDir('bf-demo-');
	const result = await new Promise<{code: number; stdout: string}>(resolve => {
		// A prefix exported in the user's shell must not point the demo's workers away from its queue.
		const env = cleanEnvironment({BLOBFORGE_S3_PREFIX: 'elsewhere/'});
		execFile(process.execPath, [cliPath, 'demo'], {cwd, env, timeout: 500_000}, (error, stdout) =>
			resolve({code: error ? Number(error.code ?? 1) : 0, stdout}),
		);
	});
	t.is(result.code, 0, result.stdout);
	t.regex(result.stdout, /a fresh store \(the directory is recreated on each run; --keep reuses it\)/);
	t.regex(result.stdout, /done 10, dead 1, failed 0, queued 0, running 0/);
	// Run through npm (as `npm test` runs this), the hints say npx: the command is not on PATH then.
	const me = cleanEnvironment()['npm_command'] ? 'npx blobforge' : 'blobforge';
	t.true(result.stdout.includes(`\n  ${me} --store-dir`), result.stdout);
	const dir = path.join(cwd, 'blobforge-demo');
	const pids = await demoWorkerPids(dir);
	t.is(pids.length, 2);
	t.false(
		pids.some(pid => isProcessAlive(pid)),
		'no demo worker is left running',
	);
	const dead = await runCli(
		['--store-dir', path.join(dir, 'store'), 'list', '--state', 'dead', '-v'],
		cleanEnvironment(),
	);
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
