/**
A job's scratch folder (the downloaded PDF, the converter's output) in the system's temp directory,
named with the host and the worker's pid. A worker killed mid-job (kill -9, an OOM kill of the
worker itself) cannot remove its folder, and a 200 MB PDF left per crash fills a disk; so a worker
starting up removes its host's folders of workers that are gone. (The host, so that containers
sharing a temp directory but not a pid namespace never judge each other's workers dead.)
*/
import {mkdtemp, readdir, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {freeBytes, lowDiskBytes} from '../lib/disk-space.js';
import {isProcessAlive} from '../lib/processes.js';
import type {WorkerEmitter} from './events.js';

/** This machine's name as a file-name part. */
const host =
	os
		.hostname()
		.replaceAll(/[^\w.-]/g, '_')
		.slice(0, 64) || 'host';
const folderPattern = new RegExp(`^blobforge-job-${host.replaceAll('.', '\\.')}-(\\d+)-`);

export async function makeJobFolder(parent = os.tmpdir()): Promise<string> {
	return mkdtemp(path.join(parent, `blobforge-job-${host}-${process.pid}-`));
}

/** Removes this host's job folders whose worker process no longer runs; their names, for the log. */
export async function removeAbandonedJobFolders(parent = os.tmpdir()): Promise<string[]> {
	const names = await readdir(parent).catch(() => []);
	const removed: string[] = [];
	for (const name of names) {
		const pid = Number(folderPattern.exec(name)?.[1]);
		if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || isProcessAlive(pid)) continue;
		await rm(path.join(parent, name), {recursive: true, force: true}).then(
			() => removed.push(name),
			() => undefined,
		);
	}
	return removed;
}

/** At a worker's start: low scratch space is said, and folders that killed workers left are removed. */
export async function tidyScratch(events: WorkerEmitter, parent = os.tmpdir()): Promise<void> {
	const free = await freeBytes(parent);
	if (free !== undefined && free < lowDiskBytes) {
		const hint = 'jobs download and convert here; free space or set TMPDIR';
		events.emit('low-disk', {dir: parent, freeMB: Math.round(free / 1024 ** 2), hint});
	}
	const leftovers = await removeAbandonedJobFolders(parent);
	if (leftovers.length > 0)
		events.emit('removed-abandoned-job-folders', {count: leftovers.length, first: leftovers[0]});
}
