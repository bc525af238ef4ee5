/** Writes a worker's events to its log: one line per event, at the level the event calls for. */
import type {LogFields, Logger} from '../lib/log.js';
import type {WorkerEmitter, WorkerEventName} from './events.js';

type Level = 'debug' | 'info' | 'warn' | 'error';

/** Every event but `status` (a terminal view's, not the log's) has a level. */
const levels: Record<Exclude<WorkerEventName, 'status'>, Level> = {
	'worker-started': 'info',
	'worker-stopped': 'info',
	'shutdown-requested': 'info',
	'low-disk': 'warn',
	'removed-abandoned-job-folders': 'info',
	'recovered-own-leases': 'warn',
	'malformed-queue-key': 'warn',
	'already-done': 'info',
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
	'manifest-read-failed': 'warn',
	'late-failure-not-recorded': 'warn',
	'deregister-failed': 'warn',
	'worker-crashed': 'error',
};

export function logWorkerEvents(events: WorkerEmitter, logger: Logger): void {
	for (const [name, level] of Object.entries(levels) as Array<[Exclude<WorkerEventName, 'status'>, Level]>) {
		events.on(name, (fields: object) => logger[level](name, fields as LogFields));
	}
}
