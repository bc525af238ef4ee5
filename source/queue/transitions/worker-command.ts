/**
Commands to one worker through the bucket: drain (finish the running job, claim no other, exit) and
stop (hand the running job back now, exit). The bucket is the only channel: a worker reads them at
its next heartbeat or idle poll, with no request of its own in steady state.

send — requests:
1. PUT    registry/commands/<worker>.json   {command, by, at}
2. LIST   queue/processing/                 only when the caller does not pass the worker's leases
3. per lease the worker holds: GET it · PUT it If-Match with workerCommand (412: a heartbeat landed
          in between; read again, three rounds). The holder's next heartbeat meets a 412, reads the
          lease, adopts it (its nonce, no ending: lease-write.ts) and obeys.
4. PUT    queue/signal.json                 {command: <worker>}: idle workers poll it; the one named
          GETs its command. The others list once, as after any signal.
A console that sent the command marks each lease the worker starts afterwards (at its lease sweep,
GET + PUT If-Match) until the worker obeys, so one that claimed a job between 2 and 3 hears it at
that job's first heartbeat. An idle worker also GETs its command when it rewrites its registration
(every 10 minutes), in case an enqueue rewrote the signal before it polled.

obey — requests (the worker): PUT its registration with `command` (drain: while it finishes) ·
DELETE registry/commands/<worker>.json · PUT its registration `stopped` (worker.ts).
A command older than the worker's start is stale (meant for an earlier process): deleted unheeded.
*/
import {touchSignal} from '../signal.js';
import {collectAll, isNotModified} from '../../storage/object-store.js';
import type {QueueContext} from '../queue-context.js';
import {parseLease, parseWorkerCommand, type WorkerCommand, type WorkerCommandRecord} from '../records.js';
import {writeLeaseIfMatch} from './lease-write.js';

export type SentCommand = {
	/** Leases of the worker's running jobs that now carry the command (its next heartbeat reads it). */
	leasesMarked: number;
};

export async function sendWorkerCommand(
	context: Pick<QueueContext, 'store' | 'keys'>,
	options: {worker: string; command: WorkerCommand; by: string; leases?: string[]},
): Promise<SentCommand> {
	const {store, keys} = context;
	const record: WorkerCommandRecord = {
		version: 1,
		worker: options.worker,
		command: options.command,
		by: options.by,
		at: await store.serverTime(),
	};
	await store.put(keys.workerCommand(options.worker), JSON.stringify(record), {contentType: 'application/json'});
	const hashes =
		options.leases ??
		(await collectAll(store, keys.leaseFolder())).flatMap(o => {
			const hash = keys.hashOf(o.key);
			return hash ? [hash] : [];
		});
	let leasesMarked = 0;
	for (const hash of hashes) if (await markLease(context, hash, options.worker, options.command)) leasesMarked++;
	await touchSignal(context, {command: options.worker});
	return {leasesMarked};
}

/** Puts the command into one running lease of the worker; false when the lease is another's or ended. */
export async function markLease(
	context: Pick<QueueContext, 'store' | 'keys'>,
	hash: string,
	worker: string,
	command: WorkerCommand,
): Promise<boolean> {
	for (let round = 0; round < 3; round++) {
		const got = await context.store.get(context.keys.lease(hash));
		if (!got || isNotModified(got)) return false;
		const parsed = parseLease(got.body, hash);
		if (!parsed.ok || parsed.value.worker !== worker || parsed.value.ending !== undefined) return false;
		if (parsed.value.workerCommand === command) return true;
		const lease = {...parsed.value, workerCommand: command};
		if ((await writeLeaseIfMatch(context, lease, got.etag)) !== undefined) return true;
	}
	return false;
}

/** The command waiting for a worker; a malformed one is reported, not obeyed. */
export async function readWorkerCommand(
	context: Pick<QueueContext, 'store' | 'keys'>,
	worker: string,
): Promise<{command?: WorkerCommandRecord; problem?: string}> {
	const key = context.keys.workerCommand(worker);
	const got = await context.store.get(key);
	if (!got || isNotModified(got)) return {};
	const parsed = parseWorkerCommand(got.body);
	if (!parsed.ok) return {problem: `${key}: ${parsed.reason}`};
	return parsed.value.worker === worker
		? {command: parsed.value}
		: {problem: `${key}: names worker ${parsed.value.worker}`};
}

/** Removes a worker's command once it was carried out (or found stale). */
export async function clearWorkerCommand(context: Pick<QueueContext, 'store' | 'keys'>, worker: string): Promise<void> {
	await context.store.delete(context.keys.workerCommand(worker));
}
