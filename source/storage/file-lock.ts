/**
Lock files for the local store: one file per key, created with O_EXCL, holding "<pid> <start
time> <token>". A lock is abandoned when its process is gone (the pid dead, or alive with another
start time: reused). While its process lives it is never taken over, however long untouched: a
writer paused inside its lock (SIGSTOP, a long GC) must find on resuming that nobody wrote the key
meanwhile, or its compare-and-swap would land over a newer version. Where the start time cannot be
read (no /proc), the holder touches its lock every few seconds and a lock nobody touched for
`staleMs` is abandoned. Breaking an abandoned lock happens under a second lock file (`<lock>.break`) and only
if the lock still holds the token judged abandoned, so two processes that both saw it abandoned
cannot remove a lock that a third has taken meanwhile. Release removes the lock only if it is
still ours.
*/
import {randomBytes} from 'node:crypto';
import {constants} from 'node:fs';
import {type FileHandle, open, readFile, stat, unlink, utimes} from 'node:fs/promises';
import {isErrno} from '../lib/errors.js';
import {isProcessAlive, processStartTime} from '../lib/processes.js';

export type FileLockOptions = {
	/** Untouched this long, a lock is abandoned even if its pid answers (a reused pid). @default 30000 */
	staleMs?: number;
	/** How often the holder touches its lock. @default 5000 */
	touchMs?: number;
};

export async function withFileLock<T>(
	lock: string,
	action: () => Promise<T>,
	options: FileLockOptions = {},
): Promise<T> {
	const staleMs = options.staleMs ?? 30_000;
	const token = `${process.pid} ${processStartTime(process.pid) ?? '-'} ${randomBytes(6).toString('hex')}`;
	for (let attempt = 0; ; attempt++) {
		if (await tryCreate(lock, token)) break;
		const abandoned = await abandonedToken(lock, staleMs);
		if (abandoned !== undefined) await breakLock(lock, abandoned, staleMs);
		else await new Promise(resolve => setTimeout(resolve, Math.min(1 + attempt, 20) * Math.random()));
	}
	const touch = setInterval(() => {
		const now = new Date();
		void utimes(lock, now, now).catch(() => undefined);
	}, options.touchMs ?? 5000);
	touch.unref();
	try {
		return await action();
	} finally {
		clearInterval(touch);
		await releaseIfOurs(lock, token);
	}
}

/**
Creates the lock with an exclusive open and writes its token; false when it exists. A token that
cannot be written (a full disk) removes the lock again: an empty lock left behind would otherwise
stop every later write of its key until it went stale.
*/
async function tryCreate(lock: string, token: string): Promise<boolean> {
	let handle: FileHandle;
	try {
		handle = await open(lock, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL);
	} catch (error) {
		if (isErrno(error, 'EEXIST')) return false;
		throw error;
	}
	try {
		await handle.writeFile(token);
	} catch (error) {
		await handle.close().catch(() => undefined);
		await unlink(lock).catch(() => undefined);
		throw error;
	}
	await handle.close();
	return true;
}

/** The lock's token when it is abandoned; undefined when it is held (or already gone). */
async function abandonedToken(lock: string, staleMs: number): Promise<string | undefined> {
	try {
		const token = await readFile(lock, 'utf8');
		// An empty token is a lock being created this instant (its holder writes next), or one whose
		// creator died between the open and the write: held until it goes stale, never longer.
		const [first, started, rest] = token.split(' ');
		const pid = Number(first);
		if (token !== '' && Number.isInteger(pid) && pid > 0 && pid !== process.pid && !isProcessAlive(pid)) return token;
		// "<pid> <start time> <token>": the same process while the start time matches, however long untouched.
		if (rest !== undefined && started !== undefined && started !== '-' && pid !== process.pid) {
			const now = processStartTime(pid);
			if (now !== undefined) return now === started ? undefined : token;
		}
		const {mtimeMs} = await stat(lock);
		return Date.now() - mtimeMs > staleMs ? token : undefined;
	} catch {
		return undefined; // released meanwhile: try again
	}
}

async function breakLock(lock: string, abandoned: string, staleMs: number): Promise<void> {
	const breaker = `${lock}.break`;
	const mine = `${process.pid} ${randomBytes(6).toString('hex')}`;
	if (!(await tryCreate(breaker, mine))) {
		// Another process is breaking it, or died doing so (a break takes milliseconds).
		const stuck = await abandonedToken(breaker, Math.min(staleMs, 5000));
		if (stuck !== undefined) await releaseIfOurs(breaker, stuck);
		return;
	}
	try {
		await releaseIfOurs(lock, abandoned);
	} finally {
		await releaseIfOurs(breaker, mine);
	}
}

/** Removes the lock if it still holds `token`. */
async function releaseIfOurs(lock: string, token: string): Promise<void> {
	const current = await readFile(lock, 'utf8').catch(() => undefined);
	if (current === token) await unlink(lock).catch(() => undefined);
}
