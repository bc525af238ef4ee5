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

export type Recalled = {
	/** The job hashes the last process of this worker held when it stopped or died. */
	hashes: string[];
	/**
	That process is known to be gone (it ran on this host and its pid is no longer alive): its leases may
	be resumed at once, without waiting to see whether a live twin renews them.
	*/
	ownerGone: boolean;
};

export interface HeldJobs {
	recall(): Promise<Recalled>;
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
		const body = `${JSON.stringify({version: 1, worker: workerId, host: os.hostname(), pid: process.pid, jobs: [...held]})}\n`;
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
				const parsed = JSON.parse(await readFile(file, 'utf8')) as {jobs?: unknown; host?: unknown; pid?: unknown};
				const jobs = parsed.jobs;
				const hashes = Array.isArray(jobs)
					? jobs.filter((j): j is string => typeof j === 'string' && /^[0-9a-f]{64}$/.test(j))
					: [];
				for (const hash of hashes) held.add(hash);
				return {hashes, ownerGone: parsed.host === os.hostname() && isGone(parsed.pid)};
			} catch {
				return {hashes: [], ownerGone: false};
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

/** Whether a pid names no live process (a reused pid counts as alive: the safe side). */
function isGone(pid: unknown): boolean {
	if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
	try {
		process.kill(pid, 0);
		return false;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'ESRCH';
	}
}

/**
Held jobs in memory: tests, and the fleet simulator (where a "crash" keeps the machine's disk). `ownerGone`
says what a restarted process would find out about its predecessor.
*/
export function heldJobsInMemory(): HeldJobs & {jobs: Set<string>; ownerGone: boolean} {
	const jobs = new Set<string>();
	return {
		jobs,
		ownerGone: false,
		async recall() {
			return {hashes: [...jobs], ownerGone: this.ownerGone};
		},
		remember: async hash => {
			jobs.add(hash);
		},
		forget: async hash => {
			jobs.delete(hash);
		},
	};
}
