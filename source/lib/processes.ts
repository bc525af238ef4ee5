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

/**
When the process started (clock ticks since boot, from /proc): with the pid it names one process for
good, so a reused pid is told apart. Undefined without /proc or when the process is gone.
*/
export function processStartTime(pid: number): string | undefined {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		// Fields after the name: state is field 3, starttime field 22.
		return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
	} catch {
		return undefined;
	}
}
