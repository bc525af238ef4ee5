import {isErrno} from './errors.js';

/** True while a process with this pid exists (one we may not signal counts as existing). */
export function isProcessAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return !isErrno(error, 'ESRCH');
	}
}
