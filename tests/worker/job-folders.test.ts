/** Job folders left by workers that were killed mid-job are removed when a worker starts; live workers' folders stay. */
import {spawnSync} from 'node:child_process';
import {mkdir, mkdtemp, readdir, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import {makeJobFolder, removeAbandonedJobFolders} from '../../source/worker/job-folders.js';

/** A pid that is certainly not running: a child that has already exited. */
function deadPid(): number {
	return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {encoding: 'utf8'}).stdout);
}

test('only the folders of workers that are gone are removed', async t => {
	const parent = await mkdtemp(path.join(os.tmpdir(), 'bf-jobdirs-'));
	const dead = `blobforge-job-${deadPid()}-abc123`;
	const live = `blobforge-job-${process.ppid}-def456`;
	const unrelated = 'blobforge-job-notapid';
	const ours = path.basename(await makeJobFolder(parent));
	t.regex(ours, new RegExp(`^blobforge-job-${process.pid}-`));
	for (const name of [dead, live, unrelated]) {
		// eslint-disable-next-line no-await-in-loop
		await mkdir(path.join(parent, name, 'output'), {recursive: true});
		// eslint-disable-next-line no-await-in-loop
		await writeFile(path.join(parent, name, 'source.pdf'), '%PDF-1.4');
	}
	t.deepEqual(await removeAbandonedJobFolders(parent), [dead]);
	t.deepEqual((await readdir(parent)).sort(), [live, ours, unrelated].sort());
});
