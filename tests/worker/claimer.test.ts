/** The claimer's listings: what it lists with the head of a long queue, by the fleet's size. */
import test from 'ava';
import {claim} from '../../source/queue/transitions/claim.js';
import {enqueueMany} from '../../source/queue/transitions/enqueue.js';
import {changePause} from '../../source/queue/transitions/pause.js';
import type {StoredObject} from '../../source/storage/object-store.js';
import {Claimer} from '../../source/worker/claimer.js';
import {WorkerEmitter} from '../../source/worker/events.js';
import {describeRequests, hashOf, makeQueue} from '../support/queue.js';

/** The claimer of worker w-1, in a fleet of `fleet` leases, with every random draw `random`. */
function claimerOn(
	context: ConstructorParameters<typeof Claimer>[0],
	clock: ConstructorParameters<typeof Claimer>[2],
	options: {fleet?: number; holds?: (hash: string) => boolean; random?: number} = {},
): Claimer {
	const {fleet = 1, random = 0} = options;
	return new Claimer(
		context,
		'w-1',
		clock,
		new WorkerEmitter(),
		() => fleet,
		options.holds,
		() => random,
	);
}

for (const [fleet, withLeases] of [
	[500, true],
	[10, false],
] as const) {
	test(`the head of a long queue, a calm worker in a fleet of ${fleet} leases: leases listed with it: ${withLeases}`, async t => {
		const queue = await makeQueue();
		const jobs = Array.from({length: 1100}, (_, i) => ({hash: hashOf(i + 1), priority: 'normal' as const}));
		await enqueueMany(queue.context, jobs);
		// A draw of 0 always sends a listing to the head (below the head share), never to a window.
		const claimer = claimerOn(queue.context, queue.clock, {fleet});
		// The first listing knows nothing in flight yet, so it lists the leases; its page is full (1,100 queued).
		t.truthy(await claimer.claimNext(() => false));
		claimer.forget();
		queue.requests.length = 0;
		t.truthy(await claimer.claimNext(() => false));
		const lists = describeRequests(queue.requests, queue.keys).filter(request => request.startsWith('list'));
		// In a large fleet the head gathers jobs in flight and done jobs not yet swept: each would be a refused claim.
		t.deepEqual(lists, withLeases ? ['list queue/todo/', 'list queue/processing/'] : ['list queue/todo/']);
	});
}

/** A busy worker of a one-worker fleet (every listing at the head) on a queue of `jobs`, the first `taken` claimed by another. */
async function busyWorker(jobs: {hash: string; priority: 'normal' | 'low'}[], taken = 0, random = 0) {
	const queue = await makeQueue();
	await enqueueMany(queue.context, jobs);
	for (const job of jobs.slice(0, taken)) await claim(queue.context, 'w-other', job);
	// The jobs it claimed stay in flight (in its other slots, as it were).
	const running = new Set<string>();
	const claimer = claimerOn(queue.context, queue.clock, {holds: h => running.has(h), random});
	const next = async () => {
		queue.requests.length = 0;
		const held = await claimer.claimNext(() => false);
		if (held) running.add(held.lease.hash);
		return {held, requests: describeRequests(queue.requests, queue.keys)};
	};
	return {queue, claimer, next};
}

const lists = (requests: string[]) => requests.filter(r => r.startsWith('list'));
const asks = (requests: string[]) => requests.filter(r => /^get queue\/(urgent|signal)\.json$/.test(r));

test('a busy worker reuses its listing past a minute while urgent.json is unchanged, and lists when it changed', async t => {
	const {queue, next} = await busyWorker(
		Array.from({length: 200}, (_, i) => ({hash: hashOf(i + 1), priority: 'normal'})),
	);
	// The first listing knows nothing of the leases yet and lists them too.
	t.deepEqual(lists((await next()).requests), ['list queue/todo/', 'list queue/processing/']);
	// Within a minute: no question.
	queue.clock.advance(30_000);
	let step = await next();
	t.deepEqual([lists(step.requests), asks(step.requests)], [[], []]);
	// Past it the worker asks; its first look cannot say "unchanged", so it lists again.
	queue.clock.advance(2 * 60_000);
	step = await next();
	t.deepEqual([lists(step.requests), asks(step.requests)], [['list queue/todo/'], ['get queue/urgent.json']]);
	// Five minutes on (a five-minute job): one GET instead of a LIST.
	queue.clock.advance(5 * 60_000);
	step = await next();
	t.deepEqual([lists(step.requests), asks(step.requests)], [[], ['get queue/urgent.json']]);
	t.truthy(step.held);
	// Retries and new jobs of the listed priority do not count...
	await enqueueMany(queue.context, [{hash: hashOf(900), priority: 'normal'}]);
	queue.clock.advance(5 * 60_000);
	step = await next();
	t.deepEqual(lists(step.requests), []);
	// ...a critical job does, and the worker claims it.
	await enqueueMany(queue.context, [{hash: hashOf(901), priority: 'critical'}]);
	queue.clock.advance(5 * 60_000);
	step = await next();
	t.deepEqual(lists(step.requests), ['list queue/todo/']);
	t.is(step.held?.lease.hash, hashOf(901));
	// Past ten minutes a listing is not reused, whatever the signal says.
	queue.clock.advance(11 * 60_000);
	step = await next();
	t.deepEqual([lists(step.requests), asks(step.requests)], [['list queue/todo/'], []]);
});

test('a pause reaches a busy worker that reuses its listing', async t => {
	const {queue, next} = await busyWorker(
		Array.from({length: 200}, (_, i) => ({hash: hashOf(i + 1), priority: 'normal'})),
	);
	await next();
	queue.clock.advance(2 * 60_000);
	await next(); // the first look at urgent.json: lists again
	await changePause(queue.context, {pause: true, priorities: ['normal'], by: 'op'});
	queue.clock.advance(5 * 60_000);
	const step = await next();
	// The listing shows the new pause record, and its page was chosen by the old pause: a second one.
	t.deepEqual(lists(step.requests), ['list queue/todo/', 'list queue/todo/']);
	t.is(step.held, undefined);
});

test('a listing of low jobs asks signal.json, which any new job changes', async t => {
	const {queue, next} = await busyWorker(Array.from({length: 200}, (_, i) => ({hash: hashOf(i + 1), priority: 'low'})));
	await next();
	queue.clock.advance(2 * 60_000);
	await next();
	queue.clock.advance(5 * 60_000);
	let step = await next();
	t.deepEqual([lists(step.requests), asks(step.requests)], [[], ['get queue/signal.json']]);
	await enqueueMany(queue.context, [{hash: hashOf(900), priority: 'normal'}]);
	queue.clock.advance(5 * 60_000);
	step = await next();
	t.deepEqual(lists(step.requests), ['list queue/todo/']);
	t.is(step.held?.lease.hash, hashOf(900));
});

test('a listing that finds more than 20 % of its jobs in flight calls the queue crowded (done jobs then drop their todo entries)', async t => {
	for (const [inFlight, crowded] of [
		[10, true],
		[5, false],
		[0, false],
	] as const) {
		const queue = await makeQueue();
		const jobs = Array.from({length: 40}, (_, i) => ({hash: hashOf(i + 1), priority: 'normal' as const}));
		await enqueueMany(queue.context, jobs);
		for (const job of jobs.slice(0, inFlight)) t.is((await claim(queue.context, 'w-other', job)).kind, 'claimed');
		const claimer = claimerOn(queue.context, queue.clock);
		t.false(claimer.crowded, 'nothing known yet (the first listing lists the leases to know)');
		t.truthy(await claimer.claimNext(() => false));
		t.is(claimer.crowded, crowded, `${inFlight} of 40 in flight`);
	}
});

test('a busy worker in a crowded queue claims a job the signal names since its last look, without listing', async t => {
	const {queue, claimer, next} = await busyWorker(
		Array.from({length: 40}, (_, i) => ({hash: hashOf(i + 1), priority: 'normal'})),
		30,
	);
	t.truthy((await next()).held);
	t.true(claimer.crowded, '30 of 40 in flight');
	// Its first look at the signal reads the body of the last touch (the forty): it HEADs at most three
	// of their leases, and lists when those are taken.
	let step = await next();
	t.truthy(step.held);
	t.true(step.requests.filter(r => r.startsWith('head queue/processing/')).length <= 3);
	// A job comes in; the signal names it.
	const fresh = [{hash: hashOf(101), priority: 'normal' as const}];
	await enqueueMany(queue.context, fresh);
	step = await next();
	t.is(step.held?.lease.hash, hashOf(101));
	t.deepEqual(step.requests, [
		'get queue/signal.json',
		'head queue/processing/<hash>',
		'put-create-only queue/processing/<hash>',
		'get queue/todo/3_normal/<hash>',
	]);
	// Unchanged since (a 304): the names were tried; it lists.
	step = await next();
	t.is(step.requests[0], 'get queue/signal.json');
	t.true(lists(step.requests).length > 0);
});

test('a busy worker claims a name the last touch carried on from the one before, trusting the pause it carried', async t => {
	const {queue, claimer, next} = await busyWorker(
		Array.from({length: 40}, (_, i) => ({hash: hashOf(i + 1), priority: 'normal'})),
		30,
	);
	t.truthy((await next()).held);
	t.true(claimer.crowded);
	// Past this worker's last read of the pause, a batch of two comes in, then one more whose touch
	// carries the batch's names on; others take that one and one of the batch.
	queue.clock.advance(45_000);
	await enqueueMany(queue.context, [
		{hash: hashOf(101), priority: 'normal'},
		{hash: hashOf(102), priority: 'normal'},
	]);
	queue.clock.advance(5_000);
	await enqueueMany(queue.context, [{hash: hashOf(103), priority: 'normal'}]);
	for (const n of [101, 103]) await claim(queue.context, 'w-other', {hash: hashOf(n), priority: 'normal'});
	const step = await next();
	t.is(step.held?.lease.hash, hashOf(102), 'a name the last touch carried on');
	t.deepEqual(lists(step.requests), [], 'no listing');
	t.false(
		step.requests.some(r => r.includes('paused.json')),
		'the touch carried the pause, read 5 s before it',
	);
	t.true(step.requests.filter(r => r.startsWith('head queue/processing/')).length <= 3);
});

for (const heard of [true, false]) {
	test(`a window's pause read is spared by the pause a touch this worker heard carried: ${heard}`, async t => {
		const queue = await makeQueue();
		await enqueueMany(
			queue.context,
			Array.from({length: 1100}, (_, i) => ({hash: hashOf(i + 1), priority: 'normal' as const})),
		);
		// A draw of 0.99 sends listings to a window once a head listing showed a full page.
		const claimer = claimerOn(queue.context, queue.clock, {fleet: 500, random: 0.99});
		t.truthy(await claimer.claimNext(() => false));
		claimer.forget();
		// Past the worker's own read of the pause (the head listing's), a touch that read it comes, as an
		// idle wait hears it (worker.ts hands it on).
		queue.clock.advance(40_000);
		await enqueueMany(queue.context, [{hash: hashOf(5000), priority: 'normal'}]);
		const signal = (await queue.context.store.get(queue.keys.signal())) as StoredObject;
		if (heard) claimer.sawTouch(signal.body, signal.lastModified);
		queue.requests.length = 0;
		t.truthy(await claimer.claimNext(() => false));
		const requests = describeRequests(queue.requests, queue.keys);
		t.true(lists(requests).length > 0, 'a fresh listing (a window)');
		t.is(requests.includes('get queue/todo/0_paused.json'), !heard);
	});
}

test("a busy worker leaves a touch's names alone when the touch is over 30 s old, or it found nothing lately", async t => {
	const {queue, claimer, next} = await busyWorker(
		Array.from({length: 40}, (_, i) => ({hash: hashOf(i + 1), priority: 'normal'})),
		30,
	);
	t.truthy((await next()).held);
	t.true(claimer.crowded);
	await enqueueMany(queue.context, [{hash: hashOf(101), priority: 'normal'}]);
	queue.clock.advance(31_000);
	let step = await next();
	t.deepEqual(
		step.requests.filter(r => r.startsWith('head')),
		[],
		'an old touch: its jobs had time to go',
	);
	t.true(lists(step.requests).length > 0);
	// Claim the rest, until a listing finds nothing: idle workers are about now.
	while ((await next()).held);
	await enqueueMany(queue.context, [{hash: hashOf(102), priority: 'normal'}]);
	step = await next();
	t.is(step.held?.lease.hash, hashOf(102), 'found by a listing');
	t.false(step.requests.includes('get queue/signal.json'), 'within ten minutes of finding nothing');
	queue.clock.advance(10 * 60_000 + 1);
	await enqueueMany(queue.context, [{hash: hashOf(103), priority: 'normal'}]);
	step = await next();
	t.is(step.held?.lease.hash, hashOf(103));
	t.is(step.requests[0], 'get queue/signal.json', 'past them it asks the signal again');
});

for (const [named, asksAgain] of [
	[2, false],
	[12, true],
] as const) {
	test(`a busy worker whose try found an ingest's ${named} jobs all taken asks the signal at its next claim: ${asksAgain}`, async t => {
		// A draw of 0.5: never one of the claims in twenty that try the signal whatever the average says.
		const {queue, claimer, next} = await busyWorker(
			Array.from({length: 40}, (_, i) => ({hash: hashOf(i + 1), priority: 'normal'})),
			30,
			0.5,
		);
		t.truthy((await next()).held);
		t.true(claimer.crowded);
		// Past 30 s no touch carries the forty's names on: the next names only these, all taken before it looks.
		queue.clock.advance(31_000);
		const taken = Array.from({length: named}, (_, i) => ({hash: hashOf(101 + i), priority: 'normal' as const}));
		await enqueueMany(queue.context, taken);
		for (const job of taken) await claim(queue.context, 'w-other', job);
		let step = await next();
		t.is(step.requests[0], 'get queue/signal.json');
		t.is(step.requests.filter(r => r.startsWith('head queue/processing/')).length, Math.min(3, named));
		t.truthy(step.held, 'claimed from a listing');
		queue.clock.advance(31_000);
		await enqueueMany(queue.context, [{hash: hashOf(201), priority: 'normal'}]);
		step = await next();
		// An ingest of a few jobs is left to the idle; a batch is a trickle's, with jobs to spare.
		t.is(step.requests[0] === 'get queue/signal.json', asksAgain);
		if (asksAgain) t.is(step.held?.lease.hash, hashOf(201), 'through the names, without a listing');
		else t.true(lists(step.requests).length > 0);
	});
}

for (const [queued, contended] of [
	[2, false],
	[1100, false],
	[3100, true],
] as const) {
	test(`every listed job taken by others first, ${queued} queued: contended (retry in a moment) ${contended}`, async t => {
		const queue = await makeQueue();
		const jobs = Array.from({length: queued}, (_, i) => ({hash: hashOf(i + 1), priority: 'normal' as const}));
		await enqueueMany(queue.context, jobs);
		// Another worker takes every job of the first listing between its LISTs and this worker's claims (a herd).
		const store = queue.context.store;
		const herd: typeof store = Object.create(store);
		let listed: string[] | undefined;
		herd.listPage = async (prefix, options) => {
			const page = await store.listPage(prefix, options);
			if (prefix.endsWith('queue/todo/')) listed = page.entries.map(e => queue.keys.hashOf(e.key) ?? '');
			else if (listed?.length)
				for (const hash of listed.splice(0)) await claim(queue.context, 'w-other', {hash, priority: 'normal'});
			return page;
		};
		const claimer = claimerOn({...queue.context, store: herd}, queue.clock);
		t.is(await claimer.claimNext(() => false), undefined);
		t.is(
			claimer.contended,
			contended,
			queued < 3000
				? 'the listings saw the whole queue (the head page and the rest past it): nothing left'
				: 'the queue goes on past the pages listed',
		);
	});
}

/** A claimer in a fleet of `leases`, on a queue of three jobs, the first two taken by another worker. */
async function wokenClaimer(leases: number) {
	const queue = await makeQueue();
	const jobs = [1, 2, 3].map(i => ({hash: hashOf(i), priority: 'normal' as const}));
	await enqueueMany(queue.context, jobs);
	for (const job of jobs.slice(0, 2)) await claim(queue.context, 'w-other', job);
	// 0.5: above the share of a large fleet that lists anyway, below a small one's (all).
	const claimer = claimerOn(queue.context, queue.clock, {fleet: leases, random: 0.5});
	queue.requests.length = 0;
	return {queue, jobs, claimer, requests: () => describeRequests(queue.requests, queue.keys)};
}

test('a woken idle worker claims a job the signal named without listing: a HEAD of its lease, then the claim', async t => {
	const {jobs, claimer, requests} = await wokenClaimer(1000);
	claimer.heard([jobs[2]!]);
	const held = await claimer.claimNext(() => false);
	t.is(held?.lease.hash, jobs[2]!.hash);
	t.deepEqual(requests(), [
		'head queue/processing/<hash>',
		'put-create-only queue/processing/<hash>',
		'get queue/todo/3_normal/<hash>',
	]);
});

test('named jobs all taken: a worker of a large fleet goes back to waiting after HEADs alone; of a small one it lists', async t => {
	const large = await wokenClaimer(1000);
	large.claimer.heard(large.jobs.slice(0, 2));
	t.is(await large.claimer.claimNext(() => false), undefined);
	t.deepEqual(large.requests(), ['head queue/processing/<hash>', 'head queue/processing/<hash>']);
	t.false(large.claimer.contended, 'no retry in a moment: the fleet heard the same names');
	const small = await wokenClaimer(5);
	small.claimer.heard(small.jobs.slice(0, 2));
	const held = await small.claimer.claimNext(() => false);
	t.is(held?.lease.hash, small.jobs[2]!.hash, 'its listing finds the job no signal named');
	t.true(lists(small.requests()).length > 0);
});

test('a full head page with many jobs in flight does not make the queue crowded (it gathers them on any backlog)', async t => {
	const queue = await makeQueue();
	const jobs = Array.from({length: 1100}, (_, i) => ({hash: hashOf(i + 1), priority: 'normal' as const}));
	await enqueueMany(queue.context, jobs);
	const first = [...jobs].sort((a, b) => (a.hash < b.hash ? -1 : 1)).slice(0, 400);
	for (const job of first) await claim(queue.context, 'w-other', job);
	const claimer = claimerOn(queue.context, queue.clock);
	t.truthy(await claimer.claimNext(() => false));
	t.false(claimer.crowded, '400 of the head page of 1,000 in flight');
});

test('a full head page all in flight: the worker lists on past it and claims what a drain left there', async t => {
	const queue = await makeQueue();
	const jobs = Array.from({length: 1005}, (_, i) => ({hash: hashOf(i + 1), priority: 'normal' as const}));
	await enqueueMany(queue.context, jobs);
	const sorted = [...jobs].sort((a, b) => (a.hash < b.hash ? -1 : 1));
	for (const job of sorted.slice(0, 1000)) await claim(queue.context, 'w-other', job);
	// 0.5: a window from the middle of the hash range, whose hundred keys are all in flight.
	const claimer = claimerOn(queue.context, queue.clock, {fleet: 1000, random: 0.5});
	queue.requests.length = 0;
	const held = await claimer.claimNext(() => false);
	const rest = sorted.slice(1000).map(j => j.hash);
	t.true(rest.includes(held?.lease.hash ?? ''), 'one of the five past the head page');
	const todoLists = describeRequests(queue.requests, queue.keys).filter(r => r.startsWith('list queue/todo'));
	t.is(todoLists.length, 3, 'the head, a window, the rest');
	// All five taken: the head page and the rest saw the whole queue, so nothing is worth a retry.
	for (const job of sorted.slice(1000)) if (job.hash !== held?.lease.hash) await claim(queue.context, 'w-other', job);
	t.is(await claimer.claimNext(() => false), undefined);
	t.false(claimer.contended);
});
