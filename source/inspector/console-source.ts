/**
The console's view of the queue, as types: what one refresh shows (ConsoleSnapshot) and everything
the console may call (ConsoleSource). source/ui sees only this file; InspectorFeed (console-feed.ts)
is the real source, and the console's tests pass a fake.
*/
import {priorities, type Priority} from '../queue/keys.js';
import type {JobAction} from '../queue/job-actions.js';
import type {QueueView} from '../queue/read-model/read-model.js';
import type {JobLog, JobState, Lease, WorkerCommand, WorkerRecord} from '../queue/records.js';
import type {AdminOutcome} from '../queue/transitions/admin.js';
import {jobName, type JobDetail} from './inspector.js';

export type {AdminOutcome, JobAction, JobDetail, JobLog, JobState, Priority, WorkerCommand};
export {jobName, priorities};

/** How fresh a running job's heartbeat is, against the stale timeout. */
export type HeartbeatHealth = 'fine' | 'late' | 'stale';

/** One job in a list pane (queue, failed, dead, active). */
export type ConsoleJob = {
	hash: string;
	state: JobState;
	priority: Priority;
	name?: string;
	size?: number;
	/** Failed attempts so far. */
	attempts: number;
	/** What an operator may do to it now (queue/job-actions.ts decides; the console only shows). */
	actions: readonly JobAction[];
	error?: string;
	/** Server time of the job's last change (queued, failed, claimed). */
	at: number;
	tags: string[];
	/** Only for running jobs. */
	run?: {
		worker: string;
		attempt: number;
		stage: string;
		pagesDone: number;
		pagesTotal: number;
		elapsedMs: number;
		etaMs?: number;
		heartbeatAgeMs: number;
		health: HeartbeatHealth;
	};
};

export type ConsoleWorker = {
	id: string;
	host: string;
	/** sleeping: idle outside its run windows until `sleepingUntil`; gone: silent past the stale timeout. */
	status: WorkerRecord['status'] | 'sleeping' | 'gone';
	/** Server time the sleeping worker's next run window opens. */
	sleepingUntil?: number;
	currentJob?: string;
	cpuPercent?: number;
	memoryPercent?: number;
	jobsCompleted: number;
	jobsFailed: number;
	avgJobMs?: number;
	lastSeenAgoMs: number;
	pid: number;
	version: string;
	/** Server time the worker started, and the share of the time since that it spent on jobs (0..1). */
	startedAt: number;
	busyShare?: number;
	pagesProcessed: number;
	/** The running job's hash, with `currentJob` its name (the first it started, with several slots). */
	currentJobHash?: string;
	/** Jobs it runs at once, and how many run now (its active leases). */
	slots: number;
	runningJobs: number;
	runWindows?: string[];
	/** An operator's command it carries out (draining, stopping) or carried out (stopped by). */
	command?: {command: WorkerCommand; by: string};
};

/** The Workers pane's order: working first, then those that may yet work, then those that will not. */
export const workerStatusOrder: Record<ConsoleWorker['status'], number> = {
	processing: 0,
	idle: 1,
	sleeping: 2,
	stopped: 3,
	gone: 4,
};

/** An attempt whose lease has ended and is still listed (until a janitor folds it): for metrics. */
export type EndedAttempt = {
	hash: string;
	/** With the hash, names the attempt: the same ended lease is listed by many refreshes. */
	seq: number;
	outcome: Exclude<NonNullable<Lease['ending']>, 'completing'>;
	priority: Priority;
	/** Server times of the claim and of the ending write. */
	claimedAt: number;
	endedAt: number;
};

export type PeriodCounts = {completed: number[]; failed: number[]};

export type ConsoleSnapshot = {
	/** Server time when the refresh finished, and this machine's time then. */
	serverNow: number;
	localNow: number;
	/** Server minus local clock, when it is large enough to matter (> 30 s). */
	clockSkewMs?: number;
	counts: QueueView['counts'];
	/** Completions per minute, oldest first, the last 30 minutes (the current one last). */
	completionsPerMinute: number[];
	/** Attempts that ended failed or dead, per minute, the same 30 minutes. */
	failuresPerMinute: number[];
	/**
	Completions and failed attempts per hour for the last 24 hours and per day (UTC) for the last 30 days,
	oldest first, the current period last: kept in the read model's head, so they cost no request more.
	*/
	history: {hourly: PeriodCounts; daily: PeriodCounts};
	/** Jobs finished per minute over the last 10 minutes, and the backlog's ETA at that rate. */
	throughputPerMinute: number;
	backlogEtaMs?: number;
	active: ConsoleJob[];
	todo: ConsoleJob[];
	failed: ConsoleJob[];
	dead: ConsoleJob[];
	/** Jobs done in the last 30 minutes (older ones are only counted). */
	done: ConsoleJob[];
	/** The ended attempts the last lease sweep listed (the console does not show them; metrics time them). */
	endings?: EndedAttempt[];
	/**
	The queue is larger than the snapshot's head carries: todo, failed and dead list the newest jobs of each
	priority, not all (`counts` has them all; `blobforge list -v` lists them).
	*/
	partial?: true;
	workers: ConsoleWorker[];
	staleAfterMs: number;
	/** How long ago the leases were listed, and how often they are. */
	leasesAgeMs: number;
	leaseSweepMs: number;
	/** The console's own requests: per minute, and dollars per month at that rate (AWS prices; 0 on the local store). */
	isPriced: boolean;
	requestsPerMinute: number;
	monthlyCost: number;
	/** Too soon after the first refresh for a rate (the first reads everything once). */
	costMeasuring?: true;
	/** Records that could not be read, reported and skipped. */
	problems: string[];
	/** Priorities an operator paused (workers claim none of their jobs), who did and when; absent while none is. */
	paused?: {priorities: Priority[]; by?: string; at?: number};
	/**
	Jobs wait (queued, or failed waiting for a retry) and no worker is live: no registration fresh enough,
	no lease renewed in time. `sinceMs` is how long since the last sign of one (undefined: none ever seen);
	`sleepingUntil`, when workers sleep outside their run windows, is when the first of them wakes.
	*/
	unattended?: {waiting: number; sinceMs?: number; sleepingUntil?: number};
	/** Messages from the process that runs the console (the demo's ingest), newest last. */
	notices?: string[];
};

export type ConsoleJobDetail = JobDetail;

/** Everything the console calls. `InspectorFeed` is the real one; tests pass a fake. */
export interface ConsoleSource {
	/** Where the console looks, for the header: "s3://bucket prefix pdf/". */
	readonly storeLine: string;
	/** The floor for the refresh interval, in seconds. */
	readonly minRefreshSeconds: number;
	/** The current state; `full` reads everything now (after an action, or when asked). */
	snapshot(options?: {full?: boolean}): Promise<ConsoleSnapshot>;
	/** Every record of the job, and its manifest entry (paths and tags) when known. */
	job(hash: string): Promise<ConsoleJobDetail>;
	logs(hash: string): Promise<{logs: JobLog[]; problems: string[]}>;
	/** The Markdown of a done job's result, or undefined when it has none. */
	preview(hash: string): Promise<string | undefined>;
	retry(hashes: string[]): Promise<AdminOutcome[]>;
	cancel(hash: string): Promise<AdminOutcome>;
	/** Removes queued, failed or dead jobs for good (queue records, raw PDF, logs, manifest entry). */
	remove(hashes: string[]): Promise<AdminOutcome[]>;
	/** Sends drain or stop to a worker through the bucket; `leases`: its running jobs, as the console sees them. */
	commandWorker(
		worker: string,
		command: WorkerCommand,
		leases: string[],
	): Promise<{ok: true; message: string} | {ok: false; reason: string}>;
	reprioritize(hash: string, priority: Priority): Promise<AdminOutcome>;
	clearDead(): Promise<{count: number}>;
	/** Pauses or resumes every priority; what is paused afterwards. */
	setPaused(pause: boolean): Promise<Priority[]>;
}
