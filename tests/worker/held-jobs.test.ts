/** The held-jobs file: what a restarted worker remembers, and whether its earlier process is gone. */
import {spawn} from 'node:child_process';
import {readFile, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import {heldJobsFile} from '../../source/worker/held-jobs.js';
import {tempDir} from '../support/temp.js';

const hash = 'a'.repeat(64);

async function exitedPid(): Promise<number> {
	const child = spawn(process.execPath, ['-e', '0']);
	await new Promise(resolve => child.on('exit', resolve));
	return child.pid!;
}

test('a file left by a process of this host that is gone: its jobs may be resumed at once', async t => {
	const dir = await tempDir('bf-held-');
	await heldJobsFile(dir, 'w-1').remember(hash);
	const file = path.join(dir, 'held-jobs-w-1.json');
	const written = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
	t.is(written['pid'], process.pid);
	t.deepEqual(await heldJobsFile(dir, 'w-1').recall(), {hashes: [hash], ownerGone: false}, 'this very process');
	await writeFile(file, JSON.stringify({...written, pid: await exitedPid()}));
	t.deepEqual(await heldJobsFile(dir, 'w-1').recall(), {hashes: [hash], ownerGone: true});
	const alive = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
	t.teardown(() => alive.kill());
	await writeFile(file, JSON.stringify({...written, pid: alive.pid}));
	t.false((await heldJobsFile(dir, 'w-1').recall()).ownerGone, 'a live process may still hold the leases');
	await writeFile(file, JSON.stringify({...written, pid: await exitedPid(), host: `not-${os.hostname()}`}));
	t.false((await heldJobsFile(dir, 'w-1').recall()).ownerGone, 'another host: its pids say nothing');
});
