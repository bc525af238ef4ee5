/**
What a worker does, as one typed event map. The JSON log (worker/event-log.ts), the terminal view
and tests subscribe to it; nothing in the worker writes log lines itself. An event's name is also
the `event` of its log line, so journald queries keep working.
*/
import {EventEmitter} from 'node:events';
import type {JanitorReport} from '../queue/janitor-report.js';

/** The fields every event about one job carries. */
export type JobFields = {job: string; file: string | undefined; attempt: number; priority: string};

export type WorkerStatus = {
	state: 'starting' | 'idle' | 'processing' | 'stopping' | 'stopped';
	job?: {hash: string; name?: string | undefined; stage: string; pagesDone?: number; pagesTotal?: number};
	jobsCompleted: number;
	jobsFailed: number;
};

type JanitorCounts = Omit<JanitorReport, 'malformed'>;

export type WorkerEvents = {
	'worker-started': [{store: string; worker: string; pid: number}];
	'worker-stopped': [{completed: number; failed: number}];
	'shutdown-requested': [{reason: string}];
	status: [WorkerStatus];
	'low-disk': [{dir: string; freeMB: number; hint: string}];
	'removed-abandoned-job-folders': [{count: number; first: string | undefined}];
	'recovered-own-leases': [{requeued: number; dead: number; done: number}];
	'malformed-queue-key': [{key: string}];
	'already-done': [{job: string}];
	'job-claimed': [JobFields];
	'conversion-started': [JobFields];
	'job-completed': [JobFields & {pages: number | undefined; ms: number; resultExisted: boolean}];
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
	'manifest-read-failed': [{error: string}];
	'late-failure-not-recorded': [{error: string}];
	'deregister-failed': [{error: string}];
	'worker-crashed': [{error: string}];
};

export type WorkerEventName = keyof WorkerEvents;

const everyEvent: Record<WorkerEventName, true> = {
	'worker-started': true,
	'worker-stopped': true,
	'shutdown-requested': true,
	status: true,
	'low-disk': true,
	'removed-abandoned-job-folders': true,
	'recovered-own-leases': true,
	'malformed-queue-key': true,
	'already-done': true,
	'job-claimed': true,
	'conversion-started': true,
	'job-completed': true,
	'job-failed': true,
	'job-requeued': true,
	'job-cancelled': true,
	'lease-lost': true,
	'heartbeat-failed': true,
	'job-log-failed': true,
	'store-trouble': true,
	janitor: true,
	'janitor-failed': true,
	'malformed-record': true,
	'manifest-read-failed': true,
	'late-failure-not-recorded': true,
	'deregister-failed': true,
	'worker-crashed': true,
};

/** Every event a worker emits, for a subscriber that wants them all. */
export const workerEventNames = Object.keys(everyEvent) as WorkerEventName[];

/** The worker's emitter: `emit` and `on` are checked against WorkerEvents. */
export class WorkerEmitter extends EventEmitter<WorkerEvents> {}

export const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));
