/**
What a worker does, as one typed event map. The JSON log (worker/event-log.ts), the terminal view
and tests subscribe to it; nothing in the worker writes log lines itself. An event's name is also
the `event` of its log line, so journald queries keep working.
*/
import {EventEmitter} from 'node:events';
import type {JanitorReport} from '../queue/janitor-report.js';

/** The fields every event about one job carries. */
export type JobFields = {job: string; file: string | undefined; attempt: number; priority: string};

/** A running job as a terminal view shows it. */
export type ShownJob = {
	hash: string;
	name?: string | undefined;
	stage: string;
	pagesDone?: number;
	pagesTotal?: number;
};

export type WorkerStatus = {
	state: 'starting' | 'idle' | 'processing' | 'stopping' | 'stopped';
	/** The jobs running, one per busy slot, in the order they started. */
	jobs: ShownJob[];
	/** Jobs it runs at once. */
	slots: number;
	jobsCompleted: number;
	jobsFailed: number;
};

type JanitorCounts = Omit<JanitorReport, 'malformed' | 'leasesListed'>;

export type WorkerEvents = {
	'worker-started': [{store: string; worker: string; pid: number}];
	'worker-stopped': [{completed: number; failed: number}];
	'shutdown-requested': [{reason: string}];
	status: [WorkerStatus];
	'low-disk': [{dir: string; freeMB: number; hint: string}];
	'outside-run-window': [{until: string}];
	'removed-abandoned-job-folders': [{count: number; first: string | undefined}];
	/** After a crash: the earlier process's jobs, resumed here (or handed to recovery: requeued, dead, done). */
	'recovered-own-leases': [{resumed: number; requeued: number; dead: number; done: number}];
	'malformed-queue-key': [{key: string}];
	'already-done': [{job: string}];
	/** A safety listing found claimable jobs no signal had named (a toucher died, or touches overwrote each other). */
	'unsignalled-jobs': [{count: number}];
	'job-claimed': [JobFields];
	'conversion-started': [JobFields];
	'job-completed': [JobFields & {pages: number | undefined; ms: number; replacedResult: boolean}];
	'job-failed': [JobFields & {error: string; permanent: boolean; outcome: string; late?: boolean}];
	'job-requeued': [JobFields & {reason: string}];
	'job-cancelled': [JobFields & {reason: string}];
	'lease-lost': [JobFields & {reason: string}];
	'heartbeat-failed': [JobFields & {error: string}];
	'job-log-failed': [JobFields & {error: string}];
	'store-trouble': [{error: string; attempt: number; retryInMs: number}];
	janitor: [JanitorCounts];
	'janitor-failed': [{error: string}];
	'malformed-record': [{key: string; reason: string}];
	'late-failure-not-recorded': [{error: string}];
	'deregister-failed': [{error: string}];
	'worker-crashed': [{error: string}];
	/** An operator's command read from the bucket (drain, stop); `stale`: meant for an earlier process. */
	'worker-command': [{command: string; by: string; via: 'lease' | 'signal' | 'registration'; stale?: boolean}];
	/** The converter cannot run here (a tool missing): nothing is claimed until it can. */
	'converter-unavailable': [{reason: string}];
};

export type WorkerEventName = keyof WorkerEvents;

/**
Every event a worker emits, with the level of its log line (`status` is a terminal view's, not the
log's). One table, so an event added to the map cannot be left out of the log.
*/
export const workerEventLevels: Record<WorkerEventName, 'debug' | 'info' | 'warn' | 'error' | 'none'> = {
	status: 'none',
	'worker-started': 'info',
	'worker-stopped': 'info',
	'shutdown-requested': 'info',
	'low-disk': 'warn',
	'outside-run-window': 'info',
	'removed-abandoned-job-folders': 'info',
	'recovered-own-leases': 'warn',
	'malformed-queue-key': 'warn',
	'already-done': 'info',
	'unsignalled-jobs': 'info',
	'job-claimed': 'info',
	'conversion-started': 'info',
	'job-completed': 'info',
	'job-failed': 'warn',
	'job-requeued': 'info',
	'job-cancelled': 'warn',
	'lease-lost': 'warn',
	'heartbeat-failed': 'warn',
	'job-log-failed': 'warn',
	'store-trouble': 'warn',
	janitor: 'info',
	'janitor-failed': 'warn',
	'malformed-record': 'warn',
	'late-failure-not-recorded': 'warn',
	'deregister-failed': 'warn',
	'worker-crashed': 'error',
	'worker-command': 'info',
	'converter-unavailable': 'error',
};

/** Every event a worker emits, for a subscriber that wants them all. */
export const workerEventNames = Object.keys(workerEventLevels) as WorkerEventName[];

/** The worker's emitter: `emit` and `on` are checked against WorkerEvents. */
export class WorkerEmitter extends EventEmitter<WorkerEvents> {}

export const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));
