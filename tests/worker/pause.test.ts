/** Pausing the queue: a worker's claimer passes over paused priorities and claims nothing while all are. */
import test from 'ava';
import {changePause, parsePauseRecord, PauseWatch} from '../../source/queue/transitions/pause.js';
import {enqueueMany} from '../../source/queue/transitions/enqueue.js';
import {Claimer} from '../../source/worker/claimer.js';
import {WorkerEmitter} from '../../source/worker/events.js';
import {describeRequests, hashOf, makeQueue} from '../support/queue.js';

async function queueWithJobs() {
	const queue = await makeQueue();
	await enqueueMany(queue.context, [
		...[1, 2, 3].map(n => ({hash: hashOf(n), priority: 'critical' as const})),
		{hash: hashOf(4), priority: 'normal' as const},
	]);
	const claimer = new Claimer(queue.context, 'w-1', queue.clock, new WorkerEmitter(), () => 1);
	return {...queue, claimer};
}

test('critical paused: the normal job; paused whole: nothing; resumed: critical first; unpaused reads every 30 s', async t => {
	const {context, claimer, requests, keys, clock} = await queueWithJobs();
	t.deepEqual(await changePause(context, {pause: true, priorities: ['critical'], by: 'op@host'}), ['critical']);
	requests.length = 0;
	const first = await claimer.claimNext(() => false);
	t.is(first?.lease.hash, hashOf(4), 'the normal job, past the paused critical ones');
	t.deepEqual(
		describeRequests(requests, keys).slice(0, 2),
		['get queue/paused.json', 'list queue/todo/'],
		'one GET before the listing',
	);

	t.deepEqual(await changePause(context, {pause: true, by: 'op@host'}), [
		'critical',
		'high',
		'normal',
		'low',
		'background',
	]);
	requests.length = 0;
	t.is(await claimer.claimNext(() => false), undefined);
	t.deepEqual(describeRequests(requests, keys), ['get queue/paused.json'], 'paused whole: no listing, no claim');

	requests.length = 0;
	t.deepEqual(await changePause(context, {pause: false, by: 'op@host'}), []);
	t.true(
		describeRequests(requests, keys).includes('put queue/signal.json'),
		'a resume wakes idle workers, which poll the signal',
	);
	t.is(await context.store.head(keys.paused()), undefined, 'nothing paused: no record');
	const next = await claimer.claimNext(() => false);
	t.is(next?.lease.priority, 'critical');
	// Nothing paused: the read serves the listings of the next half minute.
	claimer.forget();
	requests.length = 0;
	await claimer.claimNext(() => false);
	t.false(describeRequests(requests, keys).includes('get queue/paused.json'), 'read 0 s ago: not again');
	clock.advance(30_000);
	claimer.forget();
	requests.length = 0;
	await claimer.claimNext(() => false);
	t.is(describeRequests(requests, keys)[0], 'get queue/paused.json', 'half a minute later: read again');
});

test('pause records: resuming one priority keeps the rest; a malformed record pauses nothing and says why', async t => {
	const {context, keys} = await makeQueue();
	await changePause(context, {pause: true, priorities: ['low', 'background'], by: 'a'});
	t.deepEqual(await changePause(context, {pause: false, priorities: ['low'], by: 'b'}), ['background']);
	const watch = new PauseWatch(context);
	t.like(await watch.read(), {priorities: ['background'], by: 'b'});
	await context.store.put(keys.paused(), JSON.stringify({version: 1, priorities: ['urgent'], at: 1, by: 'x'}));
	const bad = await watch.read();
	t.deepEqual(bad.priorities, []);
	t.regex(bad.problem ?? '', /"urgent" is not a priority/);
	t.false(parsePauseRecord('{"priorities": "all"}').ok);
	t.false(parsePauseRecord('[]').ok);
});

test('a paused priority in the middle that fills the head page does not hide the jobs below it', async t => {
	const {context, clock} = await makeQueue();
	await enqueueMany(context, [
		...Array.from({length: 12}, (_, n) => ({hash: hashOf(100 + n), priority: 'high' as const})),
		{hash: hashOf(200), priority: 'low' as const},
	]);
	await changePause(context, {pause: true, priorities: ['high'], by: 'op'});
	const {listCandidates} = await import('../../source/queue/candidates.js');
	const listed = await listCandidates(context, {maxKeys: 10, paused: new Set(['high'])});
	t.deepEqual(
		listed.candidates.map(c => c.hash),
		[hashOf(200)],
		'a page of ten high jobs, then the low one past them',
	);
	const claimer = new Claimer(context, 'w-1', clock, new WorkerEmitter(), () => 1);
	t.is((await claimer.claimNext(() => false))?.lease.hash, hashOf(200));
});
