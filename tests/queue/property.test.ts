/**
Random histories of enqueue, claim, heartbeat, complete, fail, shutdown, crashes (also half-way
through a transition), janitor passes and clock jumps, for several simulated workers on the
local store. After every step: the invariants of the queue, and the read model equal to a full
listing, job by job.
*/
import test from 'ava';
import fc from 'fast-check';
import {claim, type HeldLease} from '../../source/queue/transitions/claim.js';
import {enqueue} from '../../source/queue/transitions/enqueue.js';
import {complete, fail, requeue} from '../../source/queue/transitions/finish.js';
import {heartbeat} from '../../source/queue/transitions/heartbeat.js';
import {runJanitor} from '../../source/queue/janitor.js';
import {ReadModel} from '../../source/queue/read-model.js';
import {listJobStates} from '../../source/queue/reconcile.js';
import {parseFailureRecord, parseTodoEntry, type JobState} from '../../source/queue/records.js';
import {parsePriority, priorities, type Priority} from '../../source/queue/keys.js';
import type {QueueContext} from '../../source/queue/queue-context.js';
import {collectAll, type ObjectStore, type StoredObject} from '../../source/storage/object-store.js';
import {hashOf, makeQueue} from '../support/queue.js';

const jobCount = 5;
const workerCount = 3;
const maxRetries = 2;

type Command =
	| {kind: 'enqueue'; job: number; priority: Priority}
	| {kind: 'claim'; worker: number; job: number}
	| {kind: 'heartbeat'; worker: number}
	| {kind: 'complete'; worker: number; crashAfter?: number}
	| {kind: 'fail'; worker: number; permanent: boolean; crashAfter?: number}
	| {kind: 'shutdown'; worker: number}
	| {kind: 'crash'; worker: number}
	| {kind: 'janitor'}
	| {kind: 'advance'; ms: number};

const worker = fc.integer({min: 0, max: workerCount - 1});
const job = fc.integer({min: 0, max: jobCount - 1});
const crashAfter = fc.option(fc.integer({min: 1, max: 3}), {nil: undefined});
const command: fc.Arbitrary<Command> = fc.oneof(
	fc.record({kind: fc.constant('enqueue' as const), job, priority: fc.constantFrom(...priorities)}),
	fc.record({kind: fc.constant('claim' as const), worker, job}),
	fc.record({kind: fc.constant('claim' as const), worker, job}),
	fc.record({kind: fc.constant('heartbeat' as const), worker}),
	fc.record({kind: fc.constant('complete' as const), worker, crashAfter}),
	fc.record({kind: fc.constant('fail' as const), worker, permanent: fc.boolean(), crashAfter}),
	fc.record({kind: fc.constant('shutdown' as const), worker}),
	fc.record({kind: fc.constant('crash' as const), worker}),
	fc.record({kind: fc.constant('janitor' as const)}),
	fc.record({kind: fc.constant('advance' as const), ms: fc.constantFrom(1000, 61_000, 5 * 60_000, 16 * 60_000)}),
);

class Crash extends Error {}

/** A store that dies after `after` requests: a process killed half-way through a transition. */
function crashing(inner: ObjectStore, after: number): ObjectStore {
	let left = after;
	const gate = <T>(run: () => Promise<T>): Promise<T> => {
		if (left-- <= 0) return Promise.reject(new Crash('killed'));
		return run();
	};
	return {
		location: inner.location,
		get: async (k, o) => gate(() => inner.get(k, o)),
		head: async k => gate(() => inner.head(k)),
		put: async (k, b, o) => gate(() => inner.put(k, b, o)),
		delete: async k => gate(() => inner.delete(k)),
		deleteMany: async k => gate(() => inner.deleteMany(k)),
		listPage: async (p, o) => gate(() => inner.listPage(p, o)),
		serverTime: async () => inner.serverTime(),
	};
}

async function check(context: QueueContext, held: Array<HeldLease | undefined>, readModel: ReadModel, claimedWithResult: string[]): Promise<string | undefined> {
	const listed = await listJobStates(context);
	const view = await readModel.refresh();
	for (let i = 0; i < jobCount; i++) {
		const hash = hashOf(i + 1);
		const fromListing: JobState | undefined = listed.get(hash)?.state;
		const fromModel = view.stateOf(hash);
		if (fromListing !== fromModel) return `job ${i}: listing says ${fromListing}, read model says ${fromModel}`;
	}
	const counts = {todo: 0, processing: 0, failed: 0, dead: 0, done: 0};
	for (const {state} of listed.values()) counts[state]++;
	for (const state of Object.keys(counts) as JobState[]) {
		if (view.counts.total[state] !== counts[state]) return `count of ${state}: listing ${counts[state]}, read model ${view.counts.total[state]}`;
	}
	// Never two live holders: at most one worker's fencing token matches the stored lease.
	for (let i = 0; i < jobCount; i++) {
		const hash = hashOf(i + 1);
		const current = await context.store.head(context.keys.lease(hash));
		const holders = held.filter(h => h?.lease.hash === hash && current && h.etag === current.etag && !h.lease.ending);
		if (holders.length > 1) return `job ${i} has ${holders.length} live holders`;
	}
	if (claimedWithResult.length > 0) return `claimed although a result exists: ${claimedWithResult.join(', ')}`;
	// Retry counts are exact: every counted attempt left one history entry.
	for (const entry of await collectAll(context.store, `${context.keys.prefix}queue/`)) {
		const hash = context.keys.hashOf(entry.key);
		if (!hash) continue;
		if (entry.key.includes('/todo/')) {
			const priority = parsePriority(entry.key.split('/').at(-2) ?? '') ?? 'normal';
			const got = (await context.store.get(entry.key)) as StoredObject;
			const todo = parseTodoEntry(got.body, hash, priority);
			if (!todo.ok) return `unreadable todo entry ${entry.key}`;
			if (todo.value.attempts !== (todo.value.history?.length ?? 0)) return `todo ${entry.key}: attempts ${todo.value.attempts} but ${todo.value.history?.length ?? 0} failures recorded`;
		}
		if (entry.key.includes('/dead/') || entry.key.includes('/failed/')) {
			const got = (await context.store.get(entry.key)) as StoredObject;
			const record = parseFailureRecord(got.body, hash);
			if (!record.ok) return `unreadable record ${entry.key}`;
			if (record.value.attempts !== record.value.history.length) return `${entry.key}: attempts ${record.value.attempts} but ${record.value.history.length} failures`;
			const last = record.value.history.at(-1);
			if (entry.key.includes('/dead/') && !last?.permanent && record.value.attempts <= maxRetries) return `${entry.key}: dead after ${record.value.attempts} attempts (max ${maxRetries})`;
		}
	}
	return undefined;
}

test('random histories keep the queue\'s invariants, and the read model equals a full listing after every step', async t => {
	let runs = 0;
	let steps = 0;
	await fc.assert(
		fc.asyncProperty(fc.array(command, {minLength: 5, maxLength: 35}), async commands => {
			runs++;
			const {context, clock, base} = await makeQueue({max_retries: maxRetries, retry_backoff: 30, stale_timeout_minutes: 15, heartbeat_interval: 60});
			const held: Array<HeldLease | undefined> = Array.from({length: workerCount});
			const readModel = new ReadModel(context);
			const claimedWithResult: string[] = [];
			const crashable = (after?: number): QueueContext => (after === undefined ? context : {...context, store: crashing(context.store, after)});
			const survive = async (run: () => Promise<unknown>) => {
				try {
					await run();
				} catch (error) {
					if (!(error instanceof Crash)) throw error;
				}
			};
			const all = [...commands, {kind: 'advance', ms: 16 * 60_000} as const, {kind: 'janitor'} as const, {kind: 'advance', ms: 61_000} as const, {kind: 'janitor'} as const];
			for (const [index, c] of all.entries()) {
				steps++;
				switch (c.kind) {
					case 'enqueue': {
						// As ingest does: only jobs in no state yet are queued.
						const known = await listJobStates(context);
						if (!known.has(hashOf(c.job + 1))) await enqueue(context, {hash: hashOf(c.job + 1), priority: c.priority, name: `job-${c.job}.pdf`});
						break;
					}
					case 'claim': {
						if (held[c.worker]) break;
						const hash = hashOf(c.job + 1);
						// The worker claims from a listing: find the job's todo entry like a claimer would.
						const entries = await collectAll(context.store, `${context.keys.prefix}queue/todo/`);
						const entry = entries.find(e => e.key.endsWith(hash));
						if (!entry) break;
						const priority = parsePriority(entry.key.split('/').at(-2) ?? '') ?? 'normal';
						const outcome = await claim(context, `w-${c.worker}`, {hash, priority});
						if (outcome.kind === 'claimed') {
							if (await base.head(context.keys.result(hash))) claimedWithResult.push(hash);
							held[c.worker] = outcome.held;
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
						await survive(() => complete(crashable(c.crashAfter), h, new TextEncoder().encode(`result ${h.lease.hash}`)));
						break;
					}
					case 'fail': {
						const h = held[c.worker];
						if (!h) break;
						held[c.worker] = undefined;
						await survive(() => fail(crashable(c.crashAfter), h, {error: 'conversion failed', permanent: c.permanent}));
						break;
					}
					case 'shutdown': {
						const h = held[c.worker];
						if (!h) break;
						held[c.worker] = undefined;
						await requeue(context, h, 'worker shutting down');
						break;
					}
					case 'crash':
						held[c.worker] = undefined;
						break;
					case 'janitor':
						await runJanitor(context);
						break;
					case 'advance':
						clock.advance(c.ms);
						break;
				}
				const problem = await check(context, held, readModel, claimedWithResult);
				if (problem) throw new Error(`after step ${index} (${JSON.stringify(c)}): ${problem}\nhistory: ${JSON.stringify(all.slice(0, index + 1))}`);
			}
			// At the end nothing is stuck: every job that was ever queued is done, failed, dead or queued, none processing.
			const final = await readModel.refresh();
			if (final.counts.total.processing !== 0) throw new Error(`jobs left processing: ${final.counts.total.processing}`);
		}),
		{numRuns: 150, verbose: 1},
	);
	t.log(`${runs} random histories, ${steps} steps checked`);
	t.pass();
});
