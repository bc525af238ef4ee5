/**
Operator actions: retry, cancel, reprioritize, clear the dead-letter queue. Each starts from
locateJob (ten parallel reads) and refuses, with the reason, what its state does not allow.

retry (from failed or dead; or a job with only its raw PDF):
  PUT todo/<p>/<h> If-None-Match: * (attempts kept, or 0 with resetRetries) · DELETE failed|dead/<h> · PUT journal
cancel:
  running: PUT lease If-Match ending: cancelled (the worker stops at its next heartbeat) · PUT dead/<h> · DELETE todo
  queued or failed: PUT dead/<h> · PUT journal · DELETE todo|failed
reprioritize (queued only):
  PUT todo/<old>/<h> (marked movedTo) · PUT todo/<new>/<h> If-None-Match: * · PUT journal · DELETE todo/<old>/<h>
  (a claimer that meets the marked entry finishes the move)
clear-dead: LIST dead/ · GET each (seq, priority) · PUT journal (removed) · LIST processing/ and GET the
  leases of these jobs · DeleteObjects per 1,000 for the records and their ended leases
*/
import {mapLimit} from '../../lib/concurrency.js';
import {collectAll, isNotModified} from '../../storage/object-store.js';
import {isStoreError} from '../../storage/store-error.js';
import {appendEvents} from '../read-model/journal.js';
import type {Priority} from '../keys.js';
import {isActiveLease, locateJob, type JobRecords} from '../locate.js';
import type {QueueContext} from '../queue-context.js';
import {
	nextSeq,
	parseFailureRecord,
	parseLease,
	serializeTodoEntry,
	type AttemptFailure,
	type FailureRecord,
	type JobEvent,
	type TodoEntry,
} from '../records.js';
import {todoEvent} from './enqueue.js';
import {finishMove} from './claim.js';
import {eventOfEndedLease} from '../read-model/event-fold.js';
import {finishDone, rollForward} from './roll-forward.js';
import {writeFailureRecord} from '../failure-records.js';
import {allows} from '../job-actions.js';
import {writeLeaseIfMatch} from './lease-write.js';

/**
What an operator action did. `code` is for programs (the console, --json): `applied`, or `unchanged`
when there was nothing to do; refused: `not-allowed` (the job's state does not allow it; see
job-actions.ts), `not-found`, or `raced` (the job changed meanwhile; trying again may work).
*/
export type AdminOutcome =
	| {hash: string; ok: true; code: 'applied' | 'unchanged'; message: string}
	| {hash: string; ok: false; code: 'not-allowed' | 'not-found' | 'raced'; reason: string};

export type Refusal = Extract<AdminOutcome, {ok: false}>['code'];

export function refuse(hash: string, reason: string, code: Refusal = 'not-allowed'): AdminOutcome {
	return {hash, ok: false, code, reason};
}

export function applied(hash: string, message: string, code: 'applied' | 'unchanged' = 'applied'): AdminOutcome {
	return {hash, ok: true, code, message};
}

function refusedForState(records: JobRecords, action: string): AdminOutcome {
	return refuse(
		records.hash,
		refusalForState(records, action),
		records.state === 'unknown' ? 'not-found' : 'not-allowed',
	);
}

function refusalForState(records: JobRecords, action: string): string {
	switch (records.state) {
		case 'processing':
			return `cannot ${action}: the job is running (worker ${records.lease?.lease.worker ?? '?'})`;
		case 'done':
			return `cannot ${action}: the job is done`;
		case 'todo':
			return `cannot ${action}: the job is already queued (${records.todo[0]?.entry.priority ?? records.lease?.lease.priority ?? '?'})`;
		case 'unknown':
			return 'no such job in this store';
		default:
			return `cannot ${action}: the job is ${records.state}`;
	}
}

function deadEvent(record: FailureRecord, at: number, from: JobEvent['from'], error?: string): JobEvent {
	return {
		...(from === undefined ? {} : {from}),
		hash: record.hash,
		seq: record.seq,
		state: 'dead',
		priority: record.priority,
		attempts: record.attempts,
		at,
		...(record.name === undefined ? {} : {name: record.name}),
		...(record.size === undefined ? {} : {size: record.size}),
		...(error === undefined ? {} : {error}),
	};
}

/**
Reads the job's records; when its last attempt's ended lease still waits for the janitor, folds
it first (roll forward, its event to the journal, DELETE the lease) so the action starts from the
job's settled records. Requests: locateJob, and for an ended lease: rollForward, PUT journal,
DELETE lease, locateJob again.
*/
async function settledRecords(context: QueueContext, hash: string): Promise<JobRecords> {
	const records = await locateJob(context, hash);
	const lease = records.lease?.lease;
	if (!lease || isActiveLease(lease)) return records;
	await rollForward(context, lease);
	await finishDone(context, lease);
	const event = eventOfEndedLease(lease);
	if (event) await appendEvents(context, [event]);
	await context.store.delete(context.keys.lease(hash));
	return locateJob(context, hash);
}

export async function retryJob(
	context: QueueContext,
	hash: string,
	options: {priority?: Priority; resetRetries?: boolean} = {},
): Promise<AdminOutcome> {
	const records = await settledRecords(context, hash);
	const source = records.dead ?? records.failed;
	if (!allows(records.state, 'retry')) return refusedForState(records, 'retry');
	const now = await context.store.serverTime();
	const history: AttemptFailure[] = (source?.history ?? []).map(f =>
		options.resetRetries ? {...f, counted: false} : f,
	);
	const entry: TodoEntry = {
		version: 1,
		hash,
		seq: nextSeq(Math.max(source?.seq ?? 0, records.lease?.lease.seq ?? 0), now),
		priority: options.priority ?? source?.priority ?? 'normal',
		attempts: options.resetRetries ? 0 : (source?.attempts ?? 0),
		queuedAt: now,
		reason: 'manual-retry',
		...(source?.name === undefined ? {} : {name: source.name}),
		...(source?.size === undefined ? {} : {size: source.size}),
		...(source?.history.at(-1) ? {lastError: source.history.at(-1)!.error} : {}),
		...(history.length > 0 ? {history} : {}),
	};
	try {
		await context.store.put(context.keys.todo(entry.priority, hash), serializeTodoEntry(entry), {
			condition: {kind: 'create-only'},
			contentType: 'application/json',
		});
	} catch (error) {
		if (isStoreError(error, 'precondition-failed'))
			return refuse(hash, 'cannot retry: the job was queued meanwhile', 'raced');
		throw error;
	}
	if (records.dead) await context.store.delete(context.keys.dead(hash));
	if (records.failed) await context.store.delete(context.keys.failed(hash));
	await appendEvents(context, [
		{...todoEvent(entry), from: records.dead ? 'dead' : 'failed', ...(source ? {fromPriority: source.priority} : {})},
	]);
	return applied(
		hash,
		`queued at ${entry.priority} from ${records.state}${options.resetRetries ? ', retries reset' : ''}`,
	);
}

/**
Cancels a job. A running job's lease may be renewed between reading it and fencing it (a busy
worker heartbeats every few seconds): then the job is read again and the cancel retried, up to
five times, before giving up with the reason.
*/
export async function cancelJob(context: QueueContext, hash: string): Promise<AdminOutcome> {
	for (let attempt = 1; ; attempt++) {
		const outcome = await cancelOnce(context, hash);
		if (outcome !== 'raced') return outcome;
		if (attempt === 5)
			return refuse(hash, 'the lease kept changing while cancelling (a heartbeat each time); try again', 'raced');
	}
}

async function cancelOnce(context: QueueContext, hash: string): Promise<AdminOutcome | 'raced'> {
	const records = await settledRecords(context, hash);
	const now = await context.store.serverTime();
	const held = records.lease;
	// A holder that uploaded its result and died before finishing: the job is done, not cancellable.
	if (records.result) return refuse(hash, 'cannot cancel: the job has its result (done)');
	const cancelled = (attempt: number): AttemptFailure => ({
		attempt,
		worker: held?.lease.worker ?? 'operator',
		error: 'cancelled by the operator',
		at: now,
		permanent: true,
		counted: false,
	});
	if (held && isActiveLease(held.lease)) {
		const lease = held.lease;
		const todo = records.todo[0]?.entry;
		const attemptsAfter = lease.attempt > 0 ? lease.attempt - 1 : (todo?.attempts ?? 0);
		// A lease that never heartbeated still has the claim's placeholders (seq and attempt 0): the todo entry
		// has the truth.
		const ended = {
			...lease,
			counter: lease.counter + 1,
			ending: 'cancelled' as const,
			endedAt: now,
			seq: nextSeq(Math.max(lease.seq, todo?.seq ?? 0), now),
			failure: cancelled(attemptsAfter + 1),
			attemptsAfter,
		};
		if ((await writeLeaseIfMatch(context, ended, held.etag)) === undefined) return 'raced';
		await writeFailureRecord(context, 'dead', {
			version: 1,
			hash,
			seq: ended.seq,
			priority: lease.priority,
			attempts: attemptsAfter,
			reason: 'cancelled',
			history: [...(todo?.history ?? []), ended.failure],
			...(lease.name === undefined ? {} : {name: lease.name}),
			...(lease.size === undefined ? {} : {size: lease.size}),
		});
		for (const {entry} of records.todo) await context.store.delete(context.keys.todo(entry.priority, hash));
		return applied(hash, `cancelled: worker ${lease.worker} stops at its next heartbeat; the job is in dead-letter`);
	}
	const source = records.todo[0]?.entry ?? records.failed;
	if (!allows(records.state, 'cancel') || records.state === 'processing' || !source)
		return refusedForState(records, 'cancel');
	const record: FailureRecord = {
		version: 1,
		hash,
		seq: nextSeq(source.seq, now),
		priority: source.priority,
		attempts: source.attempts,
		reason: 'cancelled',
		history: [...(source.history ?? []), cancelled(source.attempts + 1)],
		...(source.name === undefined ? {} : {name: source.name}),
		...(source.size === undefined ? {} : {size: source.size}),
	};
	await writeFailureRecord(context, 'dead', record);
	await appendEvents(context, [
		deadEvent(record, now, records.state === 'failed' ? 'failed' : 'todo', 'cancelled by the operator'),
	]);
	for (const {entry} of records.todo) await context.store.delete(context.keys.todo(entry.priority, hash));
	if (records.failed) await context.store.delete(context.keys.failed(hash));
	return applied(hash, 'cancelled: the job is in dead-letter');
}

export async function reprioritizeJob(context: QueueContext, hash: string, priority: Priority): Promise<AdminOutcome> {
	const records = await settledRecords(context, hash);
	const current = records.todo[0];
	if (records.state !== 'todo' || !current || (records.lease && isActiveLease(records.lease.lease)))
		return refusedForState(records, 'reprioritize');
	const old = current.entry;
	if (old.priority === priority) return applied(hash, `already at ${priority}`, 'unchanged');
	const now = await context.store.serverTime();
	const moving: TodoEntry = {...old, seq: nextSeq(old.seq, now), movedTo: priority, reason: 'reprioritized'};
	await context.store.put(context.keys.todo(old.priority, hash), serializeTodoEntry(moving), {
		contentType: 'application/json',
	});
	await finishMove(context, moving);
	const {movedTo, ...moved} = moving;
	await appendEvents(context, [
		{...todoEvent({...moved, priority: movedTo!}), from: 'todo', fromPriority: old.priority},
	]);
	return applied(hash, `moved from ${old.priority} to ${priority}`);
}

export async function clearDead(context: QueueContext, options: {dryRun?: boolean} = {}): Promise<{count: number}> {
	const entries = await collectAll(context.store, context.keys.deadFolder());
	if (options.dryRun || entries.length === 0) return {count: entries.length};
	const now = await context.store.serverTime();
	// Each record is read for its seq and priority, so the removal event outranks the dead one.
	const events = await mapLimit(entries, 16, async (entry): Promise<JobEvent | undefined> => {
		const hash = context.keys.hashOf(entry.key);
		const got = hash ? await context.store.get(entry.key) : undefined;
		if (!hash || !got || isNotModified(got)) return undefined;
		const parsed = parseFailureRecord(got.body, hash);
		const seq = parsed.ok ? parsed.value.seq : 0;
		return {
			hash,
			seq: nextSeq(seq, now),
			state: 'removed',
			priority: parsed.ok ? parsed.value.priority : 'normal',
			attempts: 0,
			at: now,
			from: 'dead',
		};
	});
	await appendEvents(
		context,
		events.filter((e): e is JobEvent => e !== undefined),
	);
	// The ended leases of these jobs' last attempts go too, or they would still show as dead.
	const deadHashes = new Set(entries.map(e => context.keys.hashOf(e.key)));
	const leases = (await collectAll(context.store, context.keys.leaseFolder())).filter(e =>
		deadHashes.has(context.keys.hashOf(e.key)),
	);
	const endedLeases = await mapLimit(leases, 16, async entry => {
		const got = await context.store.get(entry.key);
		const parsed = got && !isNotModified(got) ? parseLease(got.body, context.keys.hashOf(entry.key)!) : undefined;
		if (!parsed?.ok || isActiveLease(parsed.value)) return undefined;
		// A holder that died between its fence and removing the todo entry: finish that first.
		await rollForward(context, parsed.value);
		return entry.key;
	});
	const keys = [...entries.map(e => e.key), ...endedLeases.filter((k): k is string => k !== undefined)];
	for (let i = 0; i < keys.length; i += 1000) {
		await context.store.deleteMany(keys.slice(i, i + 1000));
	}
	return {count: entries.length};
}

/** Retries every failed or dead job (or both); keeps going past refusals and reports each. */
export async function retryAll(
	context: QueueContext,
	from: Array<'failed' | 'dead'>,
	options: {priority?: Priority; resetRetries?: boolean} = {},
): Promise<AdminOutcome[]> {
	const outcomes: AdminOutcome[] = [];
	for (const state of from) {
		const folder = state === 'failed' ? context.keys.failedFolder() : context.keys.deadFolder();
		for (const entry of await collectAll(context.store, folder)) {
			const hash = context.keys.hashOf(entry.key);
			if (hash) outcomes.push(await retryJob(context, hash, options));
		}
	}
	return outcomes;
}
