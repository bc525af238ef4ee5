/** A touch for claimable jobs carries on the fresh names and the pause of the touch before it. */
import test from 'ava';
import {touchClaimable} from '../../source/queue/claimable-touch.js';
import {appendEvents} from '../../source/queue/read-model/journal.js';
import {
	carriedJobs,
	carriedPause,
	freshNamedJobs,
	ingestBatch,
	namedJobs,
	namedJobsAtMost,
} from '../../source/queue/signal.js';
import {enqueueMany} from '../../source/queue/transitions/enqueue.js';
import {changePause} from '../../source/queue/transitions/pause.js';
import type {StoredObject} from '../../source/storage/object-store.js';
import {describeRequests, hashOf, makeQueue} from '../support/queue.js';

type Queue = Awaited<ReturnType<typeof makeQueue>>;
const jobsFrom = (from: number, count: number) =>
	Array.from({length: count}, (_, i) => ({hash: hashOf(from + i), priority: 'normal' as const}));
const signalBody = async (queue: Queue) => ((await queue.context.store.get(queue.keys.signal())) as StoredObject).body;

test("a retry's touch keeps a fresh ingest batch's names after its own, with their age", async t => {
	const queue = await makeQueue();
	await touchClaimable(queue.context, {journal: 'a'}, jobsFrom(1, 30));
	queue.clock.advance(10_000);
	await touchClaimable(queue.context, {freed: 1}, jobsFrom(100, 1));
	const body = await signalBody(queue);
	t.deepEqual(
		namedJobs(body).map(j => j.hash),
		[hashOf(100)],
		'idle workers woken by it hear only its own',
	);
	const carried = carriedJobs(body, 0);
	t.deepEqual(
		carried.map(j => j.hash),
		jobsFrom(1, 30).map(j => j.hash),
	);
	t.true(carried.every(j => j.ageMs === 10_000));
	// 21 s later the batch's names are 31 s old: a third touch carries the retry's alone.
	queue.clock.advance(21_000);
	await touchClaimable(queue.context, {freed: 1}, jobsFrom(200, 1));
	const third = await signalBody(queue);
	t.deepEqual(
		carriedJobs(third, 0).map(j => [j.hash, j.ageMs]),
		[[hashOf(100), 21_000]],
	);
	// A reader 20 s after the third touch: the retry's name is 41 s old, the third's own 20 s.
	t.deepEqual(freshNamedJobs(third, 20_000), {
		own: [{hash: hashOf(200), priority: 'normal', ageMs: 20_000}],
		earlier: [],
	});
	t.deepEqual(freshNamedJobs(third, 31_000), {own: [], earlier: []});
});

test('a touch names at most 100 in all, its own first, and never one twice', async t => {
	const queue = await makeQueue();
	await touchClaimable(queue.context, {journal: 'a'}, jobsFrom(1, 80));
	await touchClaimable(queue.context, {journal: 'b'}, jobsFrom(71, 40));
	const body = await signalBody(queue);
	t.is(namedJobs(body).length, 40);
	const carried = carriedJobs(body, 0).map(j => j.hash);
	t.is(carried.length, namedJobsAtMost - 40);
	t.deepEqual(
		carried,
		jobsFrom(1, 60).map(j => j.hash),
	);
});

test("the pause travels in touches: read once, carried on for 20 s, a pause's own touch carries its change", async t => {
	const queue = await makeQueue();
	const pauseReads = () => describeRequests(queue.requests, queue.keys).filter(r => r.includes('paused.json'));
	await touchClaimable(queue.context, {journal: 'a'}, jobsFrom(1, 1));
	t.deepEqual(pauseReads(), ['get queue/todo/0_paused.json', 'get queue/paused.json'], 'none carried yet');
	t.deepEqual(carriedPause(await signalBody(queue), 0), {priorities: [], ageMs: 0});
	queue.requests.length = 0;
	queue.clock.advance(15_000);
	await touchClaimable(queue.context, {journal: 'b'}, jobsFrom(2, 1));
	t.deepEqual(pauseReads(), [], 'carried on');
	t.deepEqual(carriedPause(await signalBody(queue), 0), {priorities: [], ageMs: 15_000});
	t.deepEqual(carriedPause(await signalBody(queue), 4_000), {priorities: [], ageMs: 19_000}, 'aged by the reader');
	queue.clock.advance(6_000);
	await touchClaimable(queue.context, {journal: 'c'}, jobsFrom(3, 1));
	t.deepEqual(pauseReads(), ['get queue/todo/0_paused.json', 'get queue/paused.json'], 'over 20 s: read again');
	await changePause(queue.context, {pause: true, priorities: ['low'], by: 'op'});
	t.deepEqual(carriedPause(await signalBody(queue), 0), {priorities: ['low'], ageMs: 0});
	queue.requests.length = 0;
	await enqueueMany(queue.context, jobsFrom(10, 1));
	t.deepEqual(pauseReads(), []);
	t.deepEqual(carriedPause(await signalBody(queue), 0)?.priorities, ['low'], "an enqueue's touch carries it on");
});

test('malformed carried names or pause are ignored, never a crash', async t => {
	const queue = await makeQueue();
	for (const bad of [
		'{"earlier": "x", "pause": 3}',
		'{"earlier": [["zz", "normal", 1]], "pause": {"priorities": ["nope"], "ageMs": 0}}',
		'{"earlier": [[1, 2, 3]], "pause": {"priorities": [], "ageMs": -5}}',
		'not json',
	]) {
		await queue.context.store.put(queue.keys.signal(), bad);
		const body = await signalBody(queue);
		t.deepEqual(carriedJobs(body, 0), []);
		t.is(carriedPause(body, 0), undefined);
		await touchClaimable(queue.context, {journal: 'x'}, jobsFrom(1, 1));
		t.deepEqual(namedJobs(await signalBody(queue)), jobsFrom(1, 1), 'the touch is made');
	}
});

test("an ingest's touch says how many new jobs it enqueued; a retry's, a bulk ingest's and a malformed body say none", async t => {
	const queue = await makeQueue();
	await enqueueMany(queue.context, jobsFrom(1, 12));
	t.is(ingestBatch(await signalBody(queue)), 12);
	const retry = {hash: hashOf(1), seq: 2, state: 'todo' as const, priority: 'normal' as const, attempts: 1, at: 0};
	await appendEvents(queue.context, [{...retry, from: 'failed'}]);
	t.deepEqual(namedJobs(await signalBody(queue)), [{hash: hashOf(1), priority: 'normal'}], 'named, all the same');
	t.is(ingestBatch(await signalBody(queue)), 0);
	await enqueueMany(queue.context, jobsFrom(101, namedJobsAtMost + 1));
	t.is(ingestBatch(await signalBody(queue)), 0, 'a bulk ingest names none of its jobs');
	t.is(ingestBatch(new TextEncoder().encode('{"ingested": "12"}')), 0);
	t.is(ingestBatch(new TextEncoder().encode('not json')), 0);
});
