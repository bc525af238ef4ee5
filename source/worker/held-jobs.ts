/**
Which jobs this worker holds, remembered on its own disk, so that after a crash (kill -9, a power
cut, an OOM kill) the restarted worker finds its leases with one GET each instead of listing and
reading every lease in the bucket (a fleet restart of 1,000 workers would read 1,000 leases
each). A machine that lost its disk loses nothing but time: the janitor recovers the lease when it
goes stale. Failures here are never a reason to stop working.

The file is `<state dir>/held-jobs-<worker id>.json`, the state dir being `$STATE_DIRECTORY`
(systemd's StateDirectory=), else `$XDG_STATE_HOME/blobforge`, else `~/.local/state/blobforge`.
*/
import {mkdir, readFile, rename, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export interface HeldJobs {
	/** The job hashes the last process of this worker held when it stopped or died. */
	recall(): Promise<string[]>;
	remember(hash: string): Promise<void>;
	forget(hash: string): Promise<void>;
}

export function stateDirectory(env: NodeJS.ProcessEnv = process.env): string {
	const systemd = env['STATE_DIRECTORY']?.split(':')[0];
	if (systemd) return systemd;
	const xdg = env['XDG_STATE_HOME'];
	return path.join(xdg || path.join(os.homedir(), '.local', 'state'), 'blobforge');
}

/** Held jobs in a small JSON file, replaced atomically (write, then rename). */
export function heldJobsFile(dir: string, workerId: string): HeldJobs {
	const file = path.join(dir, `held-jobs-${workerId.replaceAll(/[^\w.-]/g, '_')}.json`);
	const held = new Set<string>();
	let writing = Promise.resolve();
	const save = async () => {
		const body = `${JSON.stringify({version: 1, worker: workerId, jobs: [...held]})}\n`;
		writing = writing.then(async () => {
			try {
				await mkdir(dir, {recursive: true, mode: 0o700});
				await writeFile(`${file}.tmp`, body, {mode: 0o600});
				await rename(`${file}.tmp`, file);
			} catch {
				// A full or read-only disk: the janitor's stale-lease recovery still covers a crash.
			}
		});
		await writing;
	};
	return {
		async recall() {
			try {
				const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
				const jobs = (parsed as {jobs?: unknown}).jobs;
				const hashes = Array.isArray(jobs)
					? jobs.filter((j): j is string => typeof j === 'string' && /^[0-9a-f]{64}$/.test(j))
					: [];
				for (const hash of hashes) held.add(hash);
				return hashes;
			} catch {
				return [];
			}
		},
		async remember(hash) {
			held.add(hash);
			await save();
		},
		async forget(hash) {
			if (held.delete(hash)) await save();
		},
	};
}

/** Held jobs in memory: tests, and the fleet simulator (where a "crash" keeps the machine's disk). */
export function heldJobsInMemory(): HeldJobs & {jobs: Set<string>} {
	const jobs = new Set<string>();
	return {
		jobs,
		recall: async () => [...jobs],
		remember: async hash => {
			jobs.add(hash);
		},
		forget: async hash => {
			jobs.delete(hash);
		},
	};
}
