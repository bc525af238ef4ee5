/**
Job folders left by workers that were killed mid-job are removed when a worker starts; live workers' folders
stay.
*/
import {spawnSync} from 'node:child_process';
import {mkdir, readdir, writeFile} from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import {makeJobFolder, removeAbandonedJobFolders} from '../../source/worker/job-folders.js';
import {tempDir} from '../support/temp.js';

/** A pid that is certainly not running: a child that has already exited. */
function deadPid(): number {
	return Number(
		spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {encoding: 'utf8'}).stdout,
	);
}

test("only the folders of this host's workers that are gone are removed", async t => {
	const parent = await tempDir('bf-jobdirs-');
	const ours = path.basename(await makeJobFolder(parent));
	const host = /^blobforge-job-(.+)-\d+-\w+$/.exec(ours)?.[1] ?? '';
	t.regex(ours, new RegExp(`^blobforge-job-${host}-${process.pid}-`));
	t.true(host.length > 0 && !host.includes('/'), host);
	const dead = `blobforge-job-${host}-${deadPid()}-abc123`;
	const live = `blobforge-job-${host}-${process.ppid}-def456`;
	// Another container's worker, sharing the temp directory but not the pid namespace: not ours to judge.
	const elsewhere = `blobforge-job-another-host-${deadPid()}-ghi789`;
	const unrelated = 'blobforge-job-notapid';
	for (const name of [dead, live, elsewhere, unrelated]) {
		await mkdir(path.join(parent, name, 'output'), {recursive: true});
		await writeFile(path.join(parent, name, 'source.pdf'), '%PDF-1.4');
	}
	t.deepEqual(await removeAbandonedJobFolders(parent), [dead]);
	t.deepEqual((await readdir(parent)).sort(), [live, ours, elsewhere, unrelated].sort());
});
