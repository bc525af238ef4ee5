/** A fake console source and snapshot builders for the console's tests: no store, no timers of its own. */
import type {
	AdminOutcome,
	ConsoleJob,
	ConsoleJobDetail,
	ConsoleSnapshot,
	ConsoleSource,
	ConsoleWorker,
	JobLog,
	JobState,
	Priority,
} from '../../source/inspector/console-source.js';
import {priorities} from '../../source/inspector/console-source.js';
import {actionsFor} from '../../source/queue/job-actions.js';

export const serverNow = Date.UTC(2026, 10, 29, 12, 0, 0);

export function hashFor(n: number): string {
	return n.toString(16).padStart(64, 'a');
}

export function job(n: number, state: JobState, fields: Partial<ConsoleJob> = {}): ConsoleJob {
	return {
		hash: hashFor(n),
		state,
		priority: 'normal',
		name: `file-${n}.pdf`,
		size: 1000 * n,
		attempts: 0,
		at: serverNow - n * 1000,
		tags: [],
		actions: actionsFor(state),
		...fields,
	};
}

export function running(
	n: number,
	fields: Partial<NonNullable<ConsoleJob['run']>> = {},
	job_: Partial<ConsoleJob> = {},
): ConsoleJob {
	return job(n, 'processing', {
		run: {
			worker: 'w-1',
			attempt: 1,
			stage: 'converting',
			pagesDone: 3,
			pagesTotal: 10,
			elapsedMs: 30_000,
			etaMs: 70_000,
			heartbeatAgeMs: 5000,
			health: 'fine',
			...fields,
		},
		...job_,
	});
}

export function worker(id: string, fields: Partial<ConsoleWorker> = {}): ConsoleWorker {
	return {
		id,
		host: 'host-1',
		status: 'idle',
		jobsCompleted: 4,
		jobsFailed: 1,
		avgJobMs: 12_000,
		lastSeenAgoMs: 3000,
		pid: 4242,
		version: '0.1.0',
		startedAt: serverNow - 3_600_000,
		busyShare: 0.5,
		pagesProcessed: 40,
		slots: 1,
		runningJobs: fields.status === 'processing' ? 1 : 0,
		...fields,
	};
}

export function snapshot(
	parts: Partial<
		Pick<ConsoleSnapshot, 'active' | 'todo' | 'failed' | 'dead' | 'workers' | 'problems' | 'clockSkewMs' | 'notices'>
	> & {done?: number; recent?: ConsoleJob[]} = {},
): ConsoleSnapshot {
	const zero = () => Object.fromEntries(priorities.map(p => [p, 0])) as Record<Priority, number>;
	const counts = {
		todo: zero(),
		processing: zero(),
		failed: zero(),
		dead: zero(),
		done: zero(),
		total: {todo: 0, processing: 0, failed: 0, dead: 0, done: 0},
	};
	const lists = {
		active: parts.active ?? [],
		todo: parts.todo ?? [],
		failed: parts.failed ?? [],
		dead: parts.dead ?? [],
		done: parts.recent ?? [],
	};
	for (const [state, rows] of [
		['processing', lists.active],
		['todo', lists.todo],
		['failed', lists.failed],
		['dead', lists.dead],
	] as const) {
		for (const row of rows) {
			counts[state][row.priority]++;
			counts.total[state]++;
		}
	}
	counts.done.normal = parts.done ?? 0;
	counts.total.done = parts.done ?? 0;
	return {
		serverNow,
		localNow: serverNow,
		...(parts.clockSkewMs === undefined ? {} : {clockSkewMs: parts.clockSkewMs}),
		counts,
		completionsPerMinute: Array.from({length: 30}, (_, i) => i % 5),
		failuresPerMinute: Array.from({length: 30}, () => 0),
		history: {
			hourly: {
				completed: Array.from({length: 24}, (_, i) => i * 10),
				failed: Array.from({length: 24}, (_, i) => i % 3),
			},
			daily: {completed: Array.from({length: 30}, (_, i) => 100 + i), failed: Array.from({length: 30}, () => 1)},
		},
		throughputPerMinute: 2.5,
		...(lists.todo.length > 0 ? {backlogEtaMs: 60_000 * lists.todo.length} : {}),
		...lists,
		workers: parts.workers ?? [],
		staleAfterMs: 15 * 60_000,
		leasesAgeMs: 4000,
		leaseSweepMs: 20_000,
		isPriced: true,
		requestsPerMinute: 90,
		monthlyCost: 13.5,
		problems: parts.problems ?? [],
		...(parts.notices ? {notices: parts.notices} : {}),
	};
}

/** Records every call; answers from the snapshot it holds. */
export class FakeSource implements ConsoleSource {
	readonly storeLine = 's3://bucket prefix pdf/';
	minRefreshSeconds = 1;
	calls: string[] = [];
	snapshots = 0;
	failNext?: string;

	constructor(public current: ConsoleSnapshot) {}

	fullReads = 0;

	async snapshot(options: {full?: boolean} = {}): Promise<ConsoleSnapshot> {
		this.snapshots++;
		if (options.full) this.fullReads++;
		if (this.failNext) {
			const message = this.failNext;
			this.failNext = undefined;
			throw new Error(message);
		}
		return this.current;
	}

	async job(hash: string): Promise<ConsoleJobDetail> {
		this.calls.push(`job ${hash.slice(-4)}`);
		return {
			hash,
			todo: [],
			problems: [],
			state: 'dead',
			explanation: 'dead-lettered after 4 failed attempts (max_retries 3): boom',
			manifest: {paths: ['a/b.pdf'], tags: ['a']},
		};
	}

	async logs(hash: string): Promise<{logs: JobLog[]; problems: string[]}> {
		this.calls.push(`logs ${hash.slice(-4)}`);
		return {
			logs: [
				{
					version: 1,
					hash,
					attempt: 1,
					worker: 'w-1',
					startedAt: serverNow - 5000,
					endedAt: serverNow,
					outcome: 'failed',
					timings: {downloadMs: 10, convertMs: 4000},
					output: 'page 1/2\nconverter said: boom',
					error: 'boom',
				},
			],
			problems: [],
		};
	}

	async preview(hash: string): Promise<string | undefined> {
		this.calls.push(`preview ${hash.slice(-4)}`);
		return '# Title\n\nBody text.';
	}

	async retry(hashes: string[]): Promise<AdminOutcome[]> {
		this.calls.push(`retry ${hashes.map(h => h.slice(-4)).join(',')}`);
		return hashes.map(hash => ({hash, ok: true, code: 'applied', message: 'queued at normal from dead'}));
	}

	async cancel(hash: string): Promise<AdminOutcome> {
		this.calls.push(`cancel ${hash.slice(-4)}`);
		return {hash, ok: true, code: 'applied', message: 'cancelled: the job is in dead-letter'};
	}

	async reprioritize(hash: string, priority: Priority): Promise<AdminOutcome> {
		this.calls.push(`reprioritize ${hash.slice(-4)} ${priority}`);
		return {hash, ok: true, code: 'applied', message: `moved to ${priority}`};
	}

	async remove(hashes: string[]): Promise<AdminOutcome[]> {
		this.calls.push(`remove ${hashes.map(h => h.slice(-4)).join(',')}`);
		return hashes.map(hash => ({hash, ok: true, code: 'applied', message: 'removed'}));
	}

	async commandWorker(
		worker: string,
		command: 'drain' | 'stop',
		leases: string[],
	): Promise<{ok: true; message: string} | {ok: false; reason: string}> {
		this.calls.push(`${command} ${worker} ${leases.map(h => h.slice(-4)).join(',')}`.trimEnd());
		return {ok: true, message: `asked ${worker} to ${command}`};
	}

	async clearDead(): Promise<{count: number}> {
		this.calls.push('clear-dead');
		return {count: this.current.dead.length};
	}

	async setPaused(pause: boolean): Promise<Priority[]> {
		this.calls.push(pause ? 'pause' : 'resume');
		const paused = pause ? [...priorities] : [];
		this.current = {...this.current};
		if (pause) this.current.paused = {priorities: paused, by: 'op@host'};
		else delete this.current.paused;
		return paused;
	}
}
