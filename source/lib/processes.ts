import {readFileSync} from 'node:fs';
import {isErrno} from './errors.js';

/**
True while a process with this pid runs (one we may not signal counts as running). A zombie (it
exited; its parent has not collected it, or, orphaned in a container whose init does not reap,
never will) does not count: it holds no lock and converts nothing.
*/
export function isProcessAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
	} catch (error) {
		return !isErrno(error, 'ESRCH');
	}
	return !isZombie(pid);
}

function isZombie(pid: number): boolean {
	try {
		// "pid (name) state …": the name may hold spaces and parentheses, so read after the last ')'.
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
	} catch {
		// No /proc (macOS) or the process just went: the signal said it exists.
		return false;
	}
}
