/**
Renew a lease and report progress. Fenced: the write is compare-and-swap on the lease's ETag.

Requests:
1. PUT    queue/processing/<hash>        If-Match: <lease ETag>   → 412: the lease was recovered by the
          janitor or cancelled; GET it once to say which, and return 'lost' or 'cancelled'. The
          caller stops its conversion and writes nothing. A lease still carrying the holder's nonce
          and no ending is the holder's own (a renewal whose answer was lost on the way back, or an
          operator's command to the holder): it is adopted and written once more (1 GET + 1 PUT),
          never mistaken for a loss (lease-write.ts).
*/
import type {QueueContext} from '../queue-context.js';
import type {Progress, WorkerCommand} from '../records.js';
import {type HeldLease, writeOwnLease} from './lease-write.js';

export type HeartbeatOutcome =
	/** `command`: an operator's command to this worker rides in the lease (drain, stop). */
	{kind: 'renewed'; command?: WorkerCommand} | {kind: 'lost'; holder?: string} | {kind: 'cancelled'};

export async function heartbeat(
	context: QueueContext,
	held: HeldLease,
	progress?: Progress,
): Promise<HeartbeatOutcome> {
	const written = await writeOwnLease(context, held, progress ? {progress} : {});
	if (written.written)
		return held.lease.workerCommand ? {kind: 'renewed', command: held.lease.workerCommand} : {kind: 'renewed'};
	const current = written.current;
	if (!current || current.nonce !== held.lease.nonce)
		return {kind: 'lost', ...(current ? {holder: current.worker} : {})};
	return current.ending === 'cancelled' ? {kind: 'cancelled'} : {kind: 'lost', holder: current.worker};
}
