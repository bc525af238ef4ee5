import {spawn} from 'node:child_process';
import test from 'ava';
import {isProcessAlive} from '../../source/lib/processes.js';

test('a running process is alive; an exited one that nobody collected (a zombie) is not', t => {
	t.true(isProcessAlive(process.pid));
	const child = spawn('sh', ['-c', 'exit 0']);
	const pid = child.pid!;
	// A synchronous loop: Node cannot collect its child meanwhile, so once it exits it is a zombie.
	const deadline = Date.now() + 10_000;
	while (isProcessAlive(pid) && Date.now() < deadline) {
		// Spin.
	}
	t.false(isProcessAlive(pid));
	t.notThrows(() => process.kill(pid, 0), 'the pid still exists: a zombie, not a process that is gone');
});
