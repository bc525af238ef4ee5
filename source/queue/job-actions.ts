/**
What an operator may do to a job in each state: the one table that admin.ts enforces and the
console shows (each console row carries its actions, so the UI never decides this itself).
*/
import type {JobState} from './records.js';

/** remove: the console's x (a running job is cancelled first; a done one keeps its result unless `remove --force`). */
export type JobAction = 'retry' | 'cancel' | 'reprioritize' | 'remove';

/** A job as locateJob finds it: a state of the queue, only its raw PDF, or nothing at all. */
export type FoundState = JobState | 'raw-only' | 'unknown';

const allowed: Record<FoundState, readonly JobAction[]> = {
	todo: ['cancel', 'reprioritize', 'remove'],
	processing: ['cancel'],
	failed: ['retry', 'cancel', 'remove'],
	dead: ['retry', 'remove'],
	done: [],
	// Ingested, never queued (or its records lost): retry queues it.
	'raw-only': ['retry', 'remove'],
	unknown: [],
};

export function actionsFor(state: FoundState): readonly JobAction[] {
	return allowed[state];
}

export function allows(state: FoundState, action: JobAction): boolean {
	return allowed[state].includes(action);
}
