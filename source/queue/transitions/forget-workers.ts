/**
Forget workers: delete the registrations of workers that are gone (silent past the threshold the
console uses) or stopped, so `workers` and the console list the fleet that exists.

Requests: DeleteObjects of registry/workers/<id>.json and registry/commands/<id>.json (a command
nobody will read), 1,000 keys a request. The caller chose the ids
from a listing it just read; a worker it forgot that is in fact alive writes its registration again at
its next update (every 10 minutes idle, 30 busy) and reappears.
*/
import type {QueueContext} from '../queue-context.js';

export async function forgetWorkers(context: Pick<QueueContext, 'store' | 'keys'>, ids: string[]): Promise<number> {
	if (ids.length === 0) return 0;
	await context.store.deleteMany(ids.flatMap(id => [context.keys.worker(id), context.keys.workerCommand(id)]));
	return ids.length;
}
