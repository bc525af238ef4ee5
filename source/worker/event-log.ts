/** Writes a worker's events to its log: one line per event, at the level events.ts gives it. */
import type {LogFields, Logger} from '../lib/log.js';
import {type WorkerEmitter, workerEventLevels, workerEventNames} from './events.js';

export function logWorkerEvents(events: WorkerEmitter, logger: Logger): void {
	for (const name of workerEventNames) {
		const level = workerEventLevels[name];
		if (level !== 'none') events.on(name, (fields: object) => logger[level](name, fields as LogFields));
	}
}
