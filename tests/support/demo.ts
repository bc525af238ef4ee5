/** What the demo's worker logs say: the process ids of the workers it started. */
import {readFile} from 'node:fs/promises';
import path from 'node:path';

export async function demoWorkerPids(dir: string): Promise<number[]> {
	const pids: number[] = [];
	for (const n of [1, 2]) {
		const log = await readFile(path.join(dir, `worker-${n}.log`), 'utf8');
		const started = log
			.split('\n')
			.filter(Boolean)
			.map(line => JSON.parse(line) as {event: string; pid?: number})
			.find(e => e.event === 'worker-started');
		if (started?.pid) pids.push(started.pid);
	}
	return pids;
}
