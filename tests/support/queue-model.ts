/**
A model of several workers and an operator driving the queue on the local store with a manual
clock, for the property test and for replaying its counterexamples.
*/
import fc from 'fast-check';
import {claim} from '../../source/queue/transitions/claim.js';
import type {HeldLease} from '../../source/queue/transitions/lease-write.js';
import {enqueue} from '../../source/queue/transitions/enqueue.js';
import {complete, fail, requeue} from '../../source/queue/transitions/finish.js';
import {heartbeat} from '../../source/queue/transitions/heartbeat.js';
import {runJanitor} from '../../source/queue/janitor.js';
import {ReadModel} from '../../source/queue/read-model/read-model.js';
import {listJobStates} from '../../source/queue/read-model/reconcile.js';
import {countedAttempts, parseFailureRecord, parseTodoEntry, type JobState} from '../../source/queue/records.js';
import {cancelJob, clearDead, reprioritizeJob, retryJob} from '../../source/queue/transitions/admin.js';
import {parsePriority, priorities, type Priority} from '../../source/queue/keys.js';
import type {QueueContext} from '../../source/queue/queue-context.js';
import {collectAll, type ObjectStore, type StoredObject} from '../../source/storage/object-store.js';
import {hashOf, makeQueue} from './queue.js';

export const jobCount = 5;
const workerCount = 3;
const maxRetries = 2;

export type Command =
	| {kind: 'enqueue'; job: number; priority: Priority}
	| {kind: 'claim'; worker: number; job: number}
	| {kind: 'heartbeat'; worker: number}
	| {kind: 'complete'; worker: number; crashAfter?: number; pauseAfter?: number}
	| {kind: 'resume'; worker: number}
	| {kind: 'fail'; worker: number; permanent: boolean; crashAfter?: number}
	| {kind: 'shutdown'; worker: number}
	| {kind: 'crash'; worker: number}
	| {kind: 'janitor'}
	| {kind: 'retry'; job: number; reset: boolean; priority: Priority}
	| {kind: 'cancel'; job: number}
	| {kind: 'reprioritize'; job: number; priority: Priority}
	| {kind: 'clear-dead'}
	| {kind: 'advance'; ms: number};

const worker = fc.integer({min: 0, max: workerCount - 1});
const job = fc.integer({min: 0, max: jobCount - 1});
// One finishing transition in five is cut short by a crash after 1 to 3 requests.
const crashAfter = fc.oneof(
	{weight: 4, arbitrary: fc.constant(undefined)},
	{weight: 1, arbitrary: fc.integer({min: 1, max: 3})},
);
// One completion in six pauses after 1 or 2 requests (SIGSTOP, a stalled network) until a `resume`,
// while the other workers, the janitor and the operator go on: the fencing window of a result PUT.
const pausing = (weight: number) =>
	fc.oneof({weight: 6 - weight, arbitrary: fc.constant(undefined)}, {weight, arbitrary: fc.integer({min: 1, max: 2})});
const weighted = <T>(weight: number, arbitrary: fc.Arbitrary<T>) => ({weight, arbitrary});
/** `pauses`: of six completions, how many pause (1 by default; the pause test takes 5). */
export const commandOf = (pauses = 1): fc.Arbitrary<Command> =>
	fc.oneof(
		weighted(4, fc.record({kind: fc.constant('enqueue' as const), job, priority: fc.constantFrom(...priorities)})),
		weighted(6, fc.record({kind: fc.constant('claim' as const), worker, job})),
		weighted(3, fc.record({kind: fc.constant('heartbeat' as const), worker})),
		weighted(
			3 + pauses,
			fc.record({kind: fc.constant('complete' as const), worker, crashAfter, pauseAfter: pausing(pauses)}),
		),
		// Resumes come seldom, so a paused completion often outlives its lease (the janitor, a cancel).
		weighted(2, fc.record({kind: fc.constant('resume' as const), worker})),
		weighted(3, fc.record({kind: fc.constant('fail' as const), worker, permanent: fc.boolean(), crashAfter})),
		weighted(1, fc.record({kind: fc.constant('shutdown' as const), worker})),
		weighted(1, fc.record({kind: fc.constant('crash' as const), worker})),
		weighted(3, fc.record({kind: fc.constant('janitor' as const)})),
		weighted(
			2,
			fc.record({kind: fc.constant('advance' as const), ms: fc.constantFrom(1000, 61_000, 5 * 60_000, 16 * 60_000)}),
		),
		weighted(
			4,
			fc.record({
				kind: fc.constant('retry' as const),
				job,
				reset: fc.boolean(),
				priority: fc.constantFrom(...priorities),
			}),
		),
		weighted(1, fc.record({kind: fc.constant('cancel' as const), job})),
		weighted(1, fc.record({kind: fc.constant('reprioritize' as const), job, priority: fc.constantFrom(...priorities)})),
		weighted(1, fc.record({kind: fc.constant('clear-dead' as const)})),
	);
export const command = commandOf();

class Crash extends Error {}

/** `inner` with every request but serverTime passed through `gate` first. */
function gated(inner: ObjectStore, gate: <T>(run: () => Promise<T>) => Promise<T>): ObjectStore {
	return {
		location: inner.location,
		get: async (k, o) => gate(() => inner.get(k, o)),
		head: async k => gate(() => inner.head(k)),
		put: async (k, b, o) => gate(() => inner.put(k, b, o)),
		putFile: async (k, f, o) => gate(() => inner.putFile(k, f, o)),
		getFile: async (k, f) => gate(() => inner.getFile(k, f)),
		delete: async k => gate(() => inner.delete(k)),
		deleteMany: async k => gate(() => inner.deleteMany(k)),
		listPage: async (p, o) => gate(() => inner.listPage(p, o)),
		serverTime: async () => inner.serverTime(),
	};
}

/** A store that stops after `after` requests until `resume` is called: a process paused half-way. */
function pausedStore(inner: ObjectStore, after: number): {store: ObjectStore; resume: () => void} {
	let left = after;
	let resume = () => {};
	const resumed = new Promise<void>(resolve => {
		resume = resolve;
	});
	return {
		resume,
		store: gated(inner, async run => {
			if (left-- <= 0) await resumed;
			return run();
		}),
	};
}

/** A store that dies after `after` requests: a process killed half-way through a transition. */
function crashing(inner: ObjectStore, after: number): ObjectStore {
	let left = after;
	return gated(inner, async run => {
		if (left-- <= 0) throw new Crash('killed');
		return run();
	});
}

async function check(
	context: QueueContext,
	held: Array<HeldLease | undefined>,
	readModel: ReadModel,
	claimedWithResult: string[],
	committed: Map<string, string>,
): Promise<string | undefined> {
	const listed = await listJobStates(context);
	const view = await readModel.refresh();
	for (let i = 0; i < jobCount; i++) {
		const hash = hashOf(i + 1);
		const fromListing: JobState | undefined = listed.get(hash)?.state;
		const fromModel = view.stateOf(hash);
		// Done jobs settle into a count after half an hour: the model no longer knows them one by one.
		const settledDone = fromModel === undefined && fromListing === 'done';
		if (fromListing !== fromModel && !settledDone)
			return `job ${i}: listing says ${fromListing}, read model says ${fromModel}`;
	}
	const counts = {todo: 0, processing: 0, failed: 0, dead: 0, done: 0};
	for (const {state} of listed.values()) counts[state]++;
	for (const state of Object.keys(counts) as JobState[]) {
		if (view.counts.total[state] !== counts[state])
			return `count of ${state}: listing ${counts[state]}, read model ${view.counts.total[state]}`;
	}
	// Never two live holders: at most one worker's fencing token matches the stored lease.
	for (let i = 0; i < jobCount; i++) {
		const hash = hashOf(i + 1);
		const current = await context.store.head(context.keys.lease(hash));
		const holders = held.filter(h => h?.lease.hash === hash && current && h.etag === current.etag && !h.lease.ending);
		if (holders.length > 1) return `job ${i} has ${holders.length} live holders`;
	}
	if (claimedWithResult.length > 0) return `claimed although a result exists: ${claimedWithResult.join(', ')}`;
	// One result per job: a done job's result is the one its completing attempt wrote, whoever paused.
	for (const [hash, body] of committed) {
		if (listed.get(hash)?.state !== 'done') continue;
		const got = await context.store.get(context.keys.result(hash));
		const text = got && 'body' in got ? new TextDecoder().decode(got.body) : undefined;
		if (text !== body) return `job ${hash.slice(0, 8)} completed with "${body}" but its result is "${text}"`;
	}
	// Retry counts are exact: every counted attempt left one history entry.
	for (const entry of await collectAll(context.store, `${context.keys.prefix}queue/`)) {
		const hash = context.keys.hashOf(entry.key);
		if (!hash) continue;
		if (entry.key.includes('/todo/')) {
			const priority = parsePriority(entry.key.split('/').at(-2) ?? '') ?? 'normal';
			const got = (await context.store.get(entry.key)) as StoredObject;
			const todo = parseTodoEntry(got.body, hash, priority);
			if (!todo.ok) return `unreadable todo entry ${entry.key}`;
			if (todo.value.attempts !== countedAttempts(todo.value.history ?? []))
				return `todo ${entry.key}: attempts ${todo.value.attempts} but ${countedAttempts(todo.value.history ?? [])} counted failures recorded`;
		}
		if (entry.key.includes('/dead/') || entry.key.includes('/failed/')) {
			const got = (await context.store.get(entry.key)) as StoredObject;
			const record = parseFailureRecord(got.body, hash);
			if (!record.ok) return `unreadable record ${entry.key}`;
			if (record.value.attempts !== countedAttempts(record.value.history))
				return `${entry.key}: attempts ${record.value.attempts} but ${countedAttempts(record.value.history)} counted failures`;
			const last = record.value.history.at(-1);
			if (entry.key.includes('/dead/') && !last?.permanent && record.value.attempts <= maxRetries)
				return `${entry.key}: dead after ${record.value.attempts} attempts (max ${maxRetries})`;
		}
	}
	return undefined;
}

export type Exercised = Record<
	| 'claimed'
	| 'completed'
	| 'failed'
	| 'dead'
	| 'retried'
	| 'cancelled'
	| 'reprioritized'
	| 'deadCleared'
	| 'staleRecovered'
	| 'crashedMidway'
	| 'pausedMidway'
	| 'lostAfterPause',
	number
>;

export function noneExercised(): Exercised {
	return {
		claimed: 0,
		completed: 0,
		failed: 0,
		dead: 0,
		retried: 0,
		cancelled: 0,
		reprioritized: 0,
		deadCleared: 0,
		staleRecovered: 0,
		crashedMidway: 0,
		pausedMidway: 0,
		lostAfterPause: 0,
	};
}

/** Runs one history; throws with the step and the problem when an invariant breaks. Returns the steps run. */
export async function runHistory(commands: Command[], exercised: Exercised = noneExercised()): Promise<number> {
	let steps = 0;
	const {context, clock, base} = await makeQueue({
		max_retries: maxRetries,
		retry_backoff: 30,
		stale_timeout_minutes: 15,
		heartbeat_interval: 60,
	});
	const held: Array<HeldLease | undefined> = Array.from({length: workerCount});
	const readModel = new ReadModel(context);
	const claimedWithResult: string[] = [];
	const committed = new Map<string, string>();
	/** Completions paused half-way, by worker: they hold the worker until resumed. */
	const paused = new Map<number, {resume: () => void; done: Promise<void>}>();
	const completion = async (c: {crashAfter?: number}, store: QueueContext, h: HeldLease) => {
		const body = `result ${h.lease.hash.slice(0, 8)} by ${h.lease.worker} ${h.lease.nonce}`;
		const outcome = await complete(store, h, new TextEncoder().encode(body));
		if (outcome.kind === 'completed') {
			exercised.completed++;
			committed.set(h.lease.hash, body);
		} else if (c.crashAfter === undefined) exercised.lostAfterPause++;
	};
	const resumeAll = async () => {
		for (const [w, p] of paused) {
			paused.delete(w);
			p.resume();
			await p.done;
		}
	};
	const crashable = (after?: number): QueueContext =>
		after === undefined ? context : {...context, store: crashing(context.store, after)};
	const survive = async (run: () => Promise<unknown>) => {
		try {
			await run();
		} catch (error) {
			if (!(error instanceof Crash)) throw error;
		}
	};
	const all: Array<Command | {kind: 'resume-all'}> = [
		...commands,
		// Completions still paused outlive their leases, then resume: the late writer's case.
		{kind: 'advance', ms: 16 * 60_000} as const,
		{kind: 'janitor'} as const,
		{kind: 'resume-all'} as const,
		{kind: 'advance', ms: 61_000} as const,
		{kind: 'janitor'} as const,
	];
	// Commands name a worker and a job by number; they act on a busy worker (complete, fail, ...) or
	// an idle one (claim) and on a queued job, so that most commands do something.
	const busy = (n: number) => {
		const list = held.flatMap((h, i) => (h && !paused.has(i) ? [i] : []));
		return list.length > 0 ? list[n % list.length]! : undefined;
	};
	for (const [index, c] of all.entries()) {
		steps++;
		if ('worker' in c && c.kind !== 'claim' && c.kind !== 'resume') {
			const w = busy(c.worker);
			if (w === undefined) continue;
			(c as {worker: number}).worker = w;
		}
		switch (c.kind) {
			case 'enqueue': {
				// As ingest does: only jobs in no state yet are queued.
				const known = await listJobStates(context);
				// Ingest passes the seq the read model knows (a removed job's, say), so the new entry outranks it.
				const previousSeq = (await readModel.refresh()).jobs[hashOf(c.job + 1)]?.seq;
				if (!known.has(hashOf(c.job + 1)))
					await enqueue(context, {
						hash: hashOf(c.job + 1),
						priority: c.priority,
						name: `job-${c.job}.pdf`,
						previousSeq,
					});
				break;
			}
			case 'claim': {
				const idle = held.flatMap((h, i) => (h || paused.has(i) ? [] : [i]));
				if (idle.length === 0) break;
				const claimer = idle[c.worker % idle.length]!;
				// The worker claims from a listing, like a claimer does.
				const entries = await collectAll(context.store, `${context.keys.prefix}queue/todo/`);
				const entry = entries[c.job % Math.max(1, entries.length)];
				if (!entry) break;
				const hash = context.keys.hashOf(entry.key)!;
				const priority = parsePriority(entry.key.split('/').at(-2) ?? '') ?? 'normal';
				const outcome = await claim(context, `w-${claimer}`, {hash, priority});
				if (outcome.kind === 'claimed') {
					exercised.claimed++;
					// While a completion is paused its result may stand uncommitted: a first claim does not look (the new holder replaces it).
					if (paused.size === 0 && (await base.head(context.keys.result(hash)))) claimedWithResult.push(hash);
					held[claimer] = outcome.held;
				}
				break;
			}
			case 'heartbeat': {
				const h = held[c.worker];
				if (!h) break;
				const outcome = await heartbeat(context, h, {stage: 'converting'});
				if (outcome.kind !== 'renewed') held[c.worker] = undefined;
				break;
			}
			case 'complete': {
				const h = held[c.worker];
				if (!h) break;
				held[c.worker] = undefined;
				if (c.pauseAfter !== undefined && c.crashAfter === undefined) {
					const gate = pausedStore(context.store, c.pauseAfter);
					const done = completion(c, {...context, store: gate.store}, h);
					paused.set(c.worker, {resume: gate.resume, done});
					exercised.pausedMidway++;
					break;
				}
				await survive(async () => completion(c, crashable(c.crashAfter), h));
				if (c.crashAfter !== undefined) exercised.crashedMidway++;
				break;
			}
			case 'resume': {
				const waiting = [...paused.keys()];
				if (waiting.length === 0) break;
				const w = waiting[c.worker % waiting.length]!;
				const p = paused.get(w)!;
				paused.delete(w);
				p.resume();
				await p.done;
				break;
			}
			case 'resume-all':
				await resumeAll();
				break;
			case 'fail': {
				const h = held[c.worker];
				if (!h) break;
				held[c.worker] = undefined;
				await survive(async () => {
					const outcome = await fail(crashable(c.crashAfter), h, {error: 'conversion failed', permanent: c.permanent});
					if (outcome.kind === 'failed') exercised.failed++;
					if (outcome.kind === 'dead') exercised.dead++;
				});
				break;
			}
			case 'shutdown': {
				const h = held[c.worker];
				if (!h) break;
				held[c.worker] = undefined;
				await requeue(context, h);
				break;
			}
			case 'crash':
				held[c.worker] = undefined;
				break;
			case 'janitor':
				exercised.staleRecovered += (await runJanitor(context)).staleRecovered;
				break;
			case 'retry':
				if ((await retryJob(context, hashOf(c.job + 1), {resetRetries: c.reset, priority: c.priority})).ok)
					exercised.retried++;
				break;
			case 'cancel':
				if ((await cancelJob(context, hashOf(c.job + 1))).ok) exercised.cancelled++;
				break;
			case 'reprioritize':
				if ((await reprioritizeJob(context, hashOf(c.job + 1), c.priority)).ok) exercised.reprioritized++;
				break;
			case 'clear-dead':
				exercised.deadCleared += (await clearDead(context)).count;
				break;
			case 'advance':
				clock.advance(c.ms);
				break;
		}
		const problem = await check(context, held, readModel, claimedWithResult, committed);
		if (problem)
			throw new Error(
				`after step ${index} (${JSON.stringify(c)}): ${problem}\nhistory: ${JSON.stringify(all.slice(0, index + 1))}`,
			);
	}
	// At the end, with every paused completion resumed: no dead job keeps a result (a cancel holds).
	const listed = await listJobStates(context);
	for (const [hash, {state}] of listed)
		if (state === 'dead' && (await context.store.head(context.keys.result(hash))))
			throw new Error(`dead job ${hash.slice(0, 8)} has a result\nhistory: ${JSON.stringify(all)}`);
	// At the end nothing is stuck: every job that was ever queued is done, failed, dead or queued, none processing.
	const final = await readModel.refresh();
	if (final.counts.total.processing !== 0) throw new Error(`jobs left processing: ${final.counts.total.processing}`);
	return steps;
}
