/** `blobforge pause` / `resume` from the CLI: what is paused, shown by list and dashboard, resumed in parts. */
import test from 'ava';
import {cleanEnvironment, runCli} from '../support/cli.js';
import {tempDir} from '../support/temp.js';

test('pause, list says so, resume one priority, then the rest; a bad priority is a usage error', async t => {
	const environment = cleanEnvironment({BLOBFORGE_STORE_DIR: await tempDir('bf-pause-')});
	const paused = await runCli(['pause'], environment);
	t.is(paused.code, 0, paused.stderr);
	t.regex(paused.stdout, /the queue is paused \(every priority\)/);
	t.regex(
		(await runCli(['list'], environment)).stdout,
		/the queue is paused \(every priority\) by \S+@\S+ \(`blobforge resume`\)/,
	);
	const some = await runCli(['resume', '--priority', 'critical', '--priority', 'high', '--json'], environment);
	t.deepEqual(JSON.parse(some.stdout), {paused: ['normal', 'low', 'background']});
	t.regex((await runCli(['dashboard'], environment)).stdout, /paused: normal, low, background/);
	const all = await runCli(['resume'], environment);
	t.regex(all.stdout, /nothing is paused/);
	t.notRegex((await runCli(['list'], environment)).stdout, /paused/);
	const bad = await runCli(['pause', '--priority', 'urgent'], environment);
	t.is(bad.code, 2);
	t.regex(bad.stderr, /"urgent" is not a priority/);
});
