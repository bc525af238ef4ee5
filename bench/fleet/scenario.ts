/**
One fleet scenario: W real workers (source/worker/worker.ts, with their claimer, heartbeats,
janitor schedule and registration), consoles (the real InspectorFeed) and an enqueuer, on one
SimulatedStore, in virtual time. Only the converter is simulated (a virtual duration). What the
scenario measures is in FleetResult.
*/
import {mkdirSync, mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {type Clock, skewedClock} from '../../source/lib/clock.js';
import {ConsoleFeedMeter} from './console-meter.js';
import {Inspector} from '../../source/inspector/inspector.js';
import {randomHash} from '../../source/queue/candidates.js';
import {InspectorFeed} from '../../source/inspector/console-feed.js';
import {runJanitor} from '../../source/queue/janitor.js';
import {openQueueContext, type QueueContext} from '../../source/queue/queue-context.js';
import {defaultRemoteConfig} from '../../source/queue/records.js';
import {RemoteConfigCache} from '../../source/queue/remote-config.js';
import {enqueueMany} from '../../source/queue/transitions/enqueue.js';
import {counting} from '../../source/storage/counting.js';
import {collectAll, type ObjectStore} from '../../source/storage/object-store.js';
import {RequestStats} from '../../source/storage/request-stats.js';
import {retrying} from '../../source/storage/retrying.js';
import {composeStore, type Middleware} from '../../source/storage/store-chain.js';
import {heldJobsInMemory} from '../../source/worker/held-jobs.js';
import {Worker} from '../../source/worker/worker.js';
import {FleetObserver} from './fleet-observer.js';
import {startTimeline} from './timeline.js';
import {type DurationShape, meanDurationMs, simConverter} from './sim-converter.js';
import {idealBacklog, idealDrainEnd} from './ideal-fleet.js';
import {awsLikeLatency, type SimulatedBill, SimulatedStore} from './simulated-store.js';
import {VirtualClock} from './virtual-time.js';

export type Scenario = {
	name: string;
	workers: number;
	backlog: number;
	/** New jobs a second while it runs. */
	trickle?: number;
	/** Run until the queue is empty (at most `seconds`). */
	drain?: boolean;
	/** Every worker crashes at this second and restarts 5 s later (a fleet restart after a power cut). */
	restartAt?: number;
	consoles: number;
	duration: DurationShape;
	/** Virtual seconds to run, after `warmup`. */
	seconds: number;
	/** Virtual seconds before measuring (workers start spread over the first 30 s). */
	warmup: number;
	/** Worker crashes per worker-hour (each restarts after 30 s). */
	crashesPerWorkerHour?: number;
	failureRate?: number;
	permanentRate?: number;
	/** The workers' `--idle-poll`, seconds. @default 10 */
	idlePollSeconds?: number;
	seed?: number;
};

/** A seeded generator (mulberry32), so a scenario repeats. */
export function seeded(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/** A process that is gone: once crashed, its requests never answer, so its loop never goes on. */
class CrashGate implements Middleware {
	crashed = false;
	async around<C extends Parameters<Middleware['around']>[0]>(
		_call: C,
		next: () => Promise<Awaited<ReturnType<Middleware['around']>>>,
	): Promise<never> {
		if (this.crashed) return new Promise<never>(() => undefined);
		return next() as Promise<never>;
	}
}

type SimWorker = {id: string; worker: Worker; gate: CrashGate};

/** `progress` hears how a long scenario is getting on (one runs for many minutes). */
export async function runScenario(
	scenario: Scenario,
	progress?: (line: string) => void,
): Promise<ReturnType<FleetObserver['result']>> {
	// The product draws with Math.random (claim order, janitor offers, backoff jitter): in the simulator
	// it draws from the scenario's seed. A small fleet's run repeats; a large one's varies a little with
	// the machine (bench/README.md).
	const ownRandom = Math.random;
	// Each machine has a temp directory of its own: one shared by W simulated workers would have each
	// worker's start read the job folders of all the others (W² names at 10,000 workers).
	const scratch = mkdtempSync(path.join(os.tmpdir(), 'bf-fleet-'));
	Math.random = seeded((scenario.seed ?? 1) + 7919);
	try {
		return await runSeeded(scenario, progress, scratch);
	} finally {
		Math.random = ownRandom;
		rmSync(scratch, {recursive: true, force: true});
	}
}

async function runSeeded(
	scenario: Scenario,
	progress: ((line: string) => void) | undefined,
	scratch: string,
): Promise<ReturnType<FleetObserver['result']>> {
	const random = seeded(scenario.seed ?? 1);
	// Each worker draws its jobs' durations and failures from a stream of its own, kept across its
	// restarts: a change that adds or saves a request shifts the store's latency draws, and must not
	// also reshuffle how long every job takes, or two versions could not be compared on one seed.
	const newStream = (id: string) => {
		let hash = 2_166_136_261;
		for (const char of id) hash = Math.imul(hash ^ char.charCodeAt(0), 16_777_619);
		return seeded((hash ^ Math.imul(scenario.seed ?? 1, 2_654_435_761)) >>> 0);
	};
	const converterStreams = new Map<string, () => number>();
	const converterRandom = (id: string) => {
		let stream = converterStreams.get(id);
		if (!stream) {
			stream = newStream(id);
			converterStreams.set(id, stream);
		}
		return stream;
	};
	const draws = (random: () => number) => ({
		duration: scenario.duration,
		random,
		failureRate: scenario.failureRate ?? 0.02,
		permanentRate: scenario.permanentRate ?? 0.002,
	});
	// When each machine's first worker started: where its ideal twin starts converting.
	const startedAt = new Map<string, number>();
	const clock = new VirtualClock();
	const observer = new FleetObserver(clock, scenario);
	const store = new SimulatedStore({
		clock,
		latency: awsLikeLatency,
		random,
		areaOf: key => areaOf(key),
		onChange: (key, exists) => observer.keyChanged(key, exists),
	});
	// The product's defaults: what a fleet runs with unless its operator changes them.
	const contextOn = (on: ObjectStore, at: Clock = clock) =>
		openQueueContext(on, {clock: at, config: defaultRemoteConfig});
	const seedContext = contextOn(store);
	// Whatever waits on the virtual clock while seeding (a backoff, a journal key's time) needs the driver running.
	let isSeeded = false;
	const seeding = seedBacklog(store, seedContext, clock, scenario.backlog, random, observer).finally(() => {
		isSeeded = true;
	});
	await clock.runWhile(() => !isSeeded, Number.POSITIVE_INFINITY);
	await seeding;
	store.resetBills();
	const fleetStore = store.view('workers');
	const janitorStore = store.view('janitor');
	const workers: SimWorker[] = [];
	// Each machine's disk outlives its worker process: what it remembers survives a crash.
	const disks = new Map<string, ReturnType<typeof heldJobsInMemory>>();
	const startWorker = (id: string, offsetMs: number) => {
		// A machine's worker starts again only after its process died (a crash): the new one finds it gone.
		const disk = disks.get(id);
		if (disk) disk.ownerGone = true;
		else disks.set(id, heldJobsInMemory());
		const workerClock = skewedClock(clock, offsetMs);
		const scratchDir = path.join(scratch, id);
		mkdirSync(scratchDir, {recursive: true});
		if (!startedAt.has(id)) startedAt.set(id, clock.now());
		const gate = new CrashGate();
		const chain = composeStore(fleetStore, [gate, retrying({clock: workerClock})]);
		const context = contextOn(chain, workerClock);
		const janitorChain = composeStore(janitorStore, [gate, retrying({clock: workerClock})]);
		const worker = new Worker({
			context,
			janitorContext: contextOn(janitorChain, workerClock),
			remoteConfig: new RemoteConfigCache(context),
			workerId: id,
			clock: workerClock,
			storeLine: 'sim',
			softwareVersion: 'fleet',
			idlePollSeconds: scenario.idlePollSeconds ?? 10,
			heldJobs: disks.get(id),
			scratchDir,
			converter: simConverter({
				...draws(converterRandom(id)),
				clock,
				onConverting: change => observer.converting(change),
			}),
		});
		observer.watch(id, worker);
		void worker.run().catch(error => observer.crashedWith(id, error));
		const sim = {id, worker, gate};
		return sim;
	};
	const start = clock.now();
	if (progress) void reportProgress(scenario.name, clock, start, observer, progress);
	for (let i = 0; i < scenario.workers; i++) {
		// From the seed, not from crypto: the id seeds the worker's job durations, so a scenario repeats.
		const id = `w${String(i).padStart(5, '0')}-${Math.floor(random() * 0x10000)
			.toString(16)
			.padStart(4, '0')}`;
		const delay = Math.floor(random() * 30_000);
		const offset = Math.round((random() - 0.5) * 4000);
		void clock.sleep(delay).then(() => workers.push(startWorker(id, offset)));
	}
	void runEnqueuer(scenario, store.view('ingest'), contextOn, clock, random, observer);
	const fleetBills = () => [store.billOf('workers'), store.billOf('janitor')];
	void runCrashes(scenario, workers, startWorker, clock, random, observer, fleetBills);
	const meters = Array.from({length: scenario.consoles}, (_, i) =>
		startConsole(store.view('consoles'), contextOn, clock, i),
	);
	const measureFrom = start + scenario.warmup * 1000;
	await clock.runUntil(measureFrom);
	store.resetBills();
	observer.startMeasuring();
	const timeline = startTimeline(store, clock, observer);
	for (const meter of meters) meter.reset();
	const end = measureFrom + scenario.seconds * 1000;
	if (scenario.drain) await clock.runWhile(() => !observer.drained(), end);
	else await clock.runUntil(end);
	// Read outside the simulation: nothing drives the clock any more.
	store.instant = true;
	const snapshot = await store.head('pdf/queue/snapshot.json');
	const shards = await collectAll(store, 'pdf/queue/snapshot/');
	return observer.result({
		bills: {
			all: store.billOf('all'),
			workers: store.billOf('workers'),
			janitor: store.billOf('janitor'),
			consoles: store.billOf('consoles'),
		},
		snapshotBytes: snapshot?.size ?? 0,
		shardBytes: shards.reduce((sum, e) => sum + e.size, 0),
		consoles: meters.map(m => m.result()),
		meanIdealJobsPerSecond: scenario.workers / (meanDurationMs(scenario.duration) / 1000),
		ideal: scenario.drain
			? {
					drainSeconds: (clock.now() - start) / 1000,
					idealDrainSeconds:
						(idealDrainEnd(startedAt, id => draws(newStream(id)), scenario.backlog, defaultRemoteConfig) - start) /
						1000,
				}
			: idealBacklog(startedAt, id => draws(newStream(id)), measureFrom, clock.now()),
		timeline: timeline.close(),
	});
}

/** A line every ten virtual minutes, once ten seconds (wall clock) have passed since the last: quick scenarios say nothing. */
async function reportProgress(
	name: string,
	clock: VirtualClock,
	start: number,
	observer: FleetObserver,
	progress: (line: string) => void,
): Promise<void> {
	const started = performance.now();
	let saidAt = started;
	for (;;) {
		await clock.sleep(600_000);
		if (performance.now() - saidAt < 10_000) continue;
		saidAt = performance.now();
		const minutes = Math.round((clock.now() - start) / 60_000);
		const seconds = Math.round((saidAt - started) / 1000);
		progress(`${name}: minute ${minutes}, ${observer.completedSoFar} jobs done, ${seconds} s`);
	}
}

/** What the bill's rows are called: the request's kind and the bucket area it touched. */
export function areaOf(key: string): string {
	const rest = key.startsWith('pdf/') ? key.slice(4) : key;
	const parts = rest.split('/');
	if (rest === 'queue/todo/0_paused.json') return 'paused';
	if (parts[0] === 'queue') return parts[1]?.endsWith('.json') ? parts[1].replace('.json', '') : `queue/${parts[1]}`;
	if (parts[0] === 'registry') return parts[1] === 'workers' || parts[1] === 'logs' ? parts[1] : (parts[1] ?? '');
	return parts.slice(0, 2).join('/');
}

async function seedBacklog(
	store: SimulatedStore,
	context: QueueContext,
	clock: VirtualClock,
	count: number,
	random: () => number,
	observer: FleetObserver,
): Promise<void> {
	store.instant = true;
	for (let done = 0; done < count; done += 10_000) {
		const batch = Array.from({length: Math.min(10_000, count - done)}, () => newJob(store, context, random));
		for (const job of batch) observer.enqueued(job.hash);
		await enqueueMany(context, batch);
	}
	// The journal folded into the snapshot, as the janitor would have done while the backlog was queued
	// (journal objects are folded once a minute old).
	await clock.sleep(61_000);
	await runJanitor(context);
	store.instant = false;
}

function newJob(store: SimulatedStore, context: QueueContext, random: () => number) {
	const hash = randomHash(random);
	const size = 50_000 + Math.floor(random() * 5_000_000);
	store.seed(context.keys.raw(hash), 'a simulated PDF', {
		'original-name': `doc-${hash.slice(0, 8)}.pdf`,
		size: `${size}`,
	});
	return {hash, priority: 'normal' as const, name: `doc-${hash.slice(0, 8)}.pdf`, size};
}

async function runEnqueuer(
	scenario: Scenario,
	store: SimulatedStore,
	contextOn: (on: ObjectStore) => QueueContext,
	clock: VirtualClock,
	random: () => number,
	observer: FleetObserver,
): Promise<void> {
	if (!scenario.trickle) return;
	const context = contextOn(composeStore(store, [retrying({clock})]));
	// A batch every 10 s, as an ingest run from cron would.
	for (;;) {
		await clock.sleep(10_000);
		const count = Math.round(scenario.trickle * 10);
		const batch = Array.from({length: count}, () => newJob(store, context, random));
		for (const job of batch) observer.enqueued(job.hash);
		await enqueueMany(context, batch);
	}
}

async function runCrashes(
	scenario: Scenario,
	workers: SimWorker[],
	startWorker: (id: string, offsetMs: number) => SimWorker,
	clock: VirtualClock,
	random: () => number,
	observer: FleetObserver,
	fleetBills: () => SimulatedBill[],
): Promise<void> {
	const crash = (index: number) => {
		const old = workers[index];
		if (!old) return;
		old.gate.crashed = true;
		old.worker.stop('crash');
		observer.forget(old.id);
	};
	if (scenario.restartAt !== undefined) {
		await clock.sleep(scenario.restartAt * 1000);
		const ids = workers.map(w => w.id);
		for (let i = 0; i < workers.length; i++) crash(i);
		await clock.sleep(5000);
		// What the restart costs: every request of the fleet from its start until its jobs are resumed.
		const before = byArea(fleetBills());
		for (let i = 0; i < ids.length; i++) workers[i] = startWorker(ids[i]!, 0);
		await clock.sleep(10_000);
		observer.restartCost(diffAreas(byArea(fleetBills()), before), ids.length);
		return;
	}
	const rate = scenario.crashesPerWorkerHour ?? 0.05;
	if (rate <= 0) return;
	for (;;) {
		// Crashes arrive as a Poisson process over the whole fleet.
		const meanGapMs = 3_600_000 / (rate * Math.max(1, workers.length || scenario.workers));
		await clock.sleep(-Math.log(Math.max(random(), 1e-9)) * meanGapMs);
		const index = Math.floor(random() * workers.length);
		const id = workers[index]?.id;
		if (!id) continue;
		crash(index);
		observer.crashes++;
		void clock.sleep(30_000).then(() => {
			workers[index] = startWorker(id, Math.round((random() - 0.5) * 4000));
		});
	}
}

function byArea(bills: SimulatedBill[]): Map<string, number> {
	const out = new Map<string, number>();
	for (const bill of bills) for (const [kind, n] of bill.byArea) out.set(kind, (out.get(kind) ?? 0) + n);
	return out;
}

function diffAreas(after: Map<string, number>, before: Map<string, number>): Map<string, number> {
	const out = new Map<string, number>();
	for (const [kind, n] of after) if (n - (before.get(kind) ?? 0) > 0) out.set(kind, n - (before.get(kind) ?? 0));
	return out;
}

function startConsole(
	store: SimulatedStore,
	contextOn: (on: ObjectStore) => QueueContext,
	clock: VirtualClock,
	index: number,
): ConsoleFeedMeter {
	const stats = new RequestStats();
	const context = contextOn(composeStore(store, [retrying({clock}), counting(stats)]));
	const feed = new InspectorFeed(new Inspector(context, stats), `console ${index}`, {
		now: () => clock.now(),
		monotonic: () => clock.now(),
	});
	const meter = new ConsoleFeedMeter(stats, clock);
	void (async () => {
		for (;;) {
			await meter.refresh(() => feed.snapshot());
			await clock.sleep(2000);
		}
	})();
	return meter;
}
