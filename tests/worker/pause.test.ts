/** Pausing the queue: a worker's claimer passes over paused priorities and claims nothing while all are. */
import test from 'ava';
import {changePause, parsePauseRecord, PauseWatch} from '../../source/queue/transitions/pause.js';
import {enqueueMany} from '../../source/queue/transitions/enqueue.js';
import {Claimer} from '../../source/worker/claimer.js';
import {WorkerEmitter} from '../../source/worker/events.js';
import {describeRequests, hashOf, makeQueue} from '../support/queue.js';

const isPauseOrTodoListing = (r: string) => r === 'get queue/todo/0_paused.json' || r === 'list queue/todo/';

async function queueWithJobs() {
	const queue = await makeQueue();
	await enqueueMany(queue.context, [
		...[1, 2, 3].map(n => ({hash: hashOf(n), priority: 'critical' as const})),
		{hash: hashOf(4), priority: 'normal' as const},
	]);
	const claimer = new Claimer(queue.context, 'w-1', queue.clock, new WorkerEmitter(), () => 1);
	return {...queue, claimer};
}

test('critical paused: the normal job; paused whole: nothing; resumed: critical first; head listings show the pause', async t => {
	const {context, claimer, requests, keys, clock} = await queueWithJobs();
	t.deepEqual(await changePause(context, {pause: true, priorities: ['critical'], by: 'op@host'}), ['critical']);
	requests.length = 0;
	const first = await claimer.claimNext(() => false);
	t.is(first?.lease.hash, hashOf(4), 'the normal job, past the paused critical ones');
	t.deepEqual(
		describeRequests(requests, keys).filter(isPauseOrTodoListing),
		['list queue/todo/', 'get queue/todo/0_paused.json', 'list queue/todo/'],
		'the head listing showed a pause record it had not read: one GET, and the head again past critical',
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
	t.deepEqual(
		describeRequests(requests, keys),
		['get queue/todo/0_paused.json'],
		'critical paused: a listing would start past the record, so it is read first; paused whole: no listing, no claim',
	);

	requests.length = 0;
	t.deepEqual(await changePause(context, {pause: false, by: 'op@host'}), []);
	t.true(
		describeRequests(requests, keys).includes('put queue/signal.json'),
		'a resume wakes idle workers, which poll the signal',
	);
	t.true(
		describeRequests(requests, keys).includes('put queue/urgent.json'),
		'and busy workers, which ask urgent.json before reusing a listing',
	);
	t.is(await context.store.head(keys.paused()), undefined, 'nothing paused: no record');
	const next = await claimer.claimNext(() => false);
	t.is(next?.lease.priority, 'critical');
	// Nothing paused: a head listing that shows no record needs no read, however long ago the last was.
	clock.advance(60_000);
	claimer.forget();
	requests.length = 0;
	await claimer.claimNext(() => false);
	t.false(describeRequests(requests, keys).includes('get queue/todo/0_paused.json'), 'no record listed: no GET');

	// Another operator pauses normal while this worker runs: its next head listing shows the record.
	await changePause(context, {pause: true, priorities: ['normal'], by: 'other'});
	claimer.forget();
	requests.length = 0;
	const fourth = await claimer.claimNext(() => false);
	t.not(fourth?.lease.priority, 'normal');
	t.deepEqual(
		describeRequests(requests, keys).filter(isPauseOrTodoListing),
		['list queue/todo/', 'get queue/todo/0_paused.json', 'list queue/todo/'],
		'a new record listed: one GET, then the head again under the new pause',
	);
	claimer.forget();
	requests.length = 0;
	await claimer.claimNext(() => false);
	const again = describeRequests(requests, keys);
	t.true(again.includes('list queue/todo/'));
	t.false(again.includes('get queue/todo/0_paused.json'), 'the same record listed again (same ETag): no GET');
});

test('a pause at the old key (queue/paused.json) holds for workers and consoles until a change moves it', async t => {
	const {context, claimer, keys} = await queueWithJobs();
	await context.store.put(
		keys.legacyPaused(),
		JSON.stringify({version: 1, priorities: ['critical', 'high'], at: 1, by: 'old-version'}),
	);
	t.is((await claimer.claimNext(() => false))?.lease.hash, hashOf(4), 'critical still paused');
	t.like(await new PauseWatch(context).read(), {priorities: ['critical', 'high'], by: 'old-version'});
	t.deepEqual(await changePause(context, {pause: false, priorities: ['high'], by: 'op'}), ['critical']);
	t.is(await context.store.head(keys.legacyPaused()), undefined, 'moved: the old key is gone');
	t.like(await new PauseWatch(context).read(), {priorities: ['critical'], by: 'op'});
	const {listCandidates} = await import('../../source/queue/candidates.js');
	const head = await listCandidates(context, {leases: 'none'});
	t.deepEqual(head.malformedKeys, [], 'the record in the todo folder is not a malformed queue key');
	t.is(head.pauseEtag, (await context.store.head(keys.paused()))?.etag, 'a head listing shows its ETag');
	t.is(head.candidates.length, 4, 'and it is no candidate');
	t.is((await listCandidates(context, {leases: 'none', paused: new Set(['critical'])})).pauseEtag, undefined);
	t.deepEqual(await changePause(context, {pause: false, by: 'op'}), []);
	t.is((await listCandidates(context, {leases: 'none'})).pauseEtag, null, 'none: null');
	t.is(await context.store.head(keys.paused()), undefined);
	claimer.forget();
	t.is((await claimer.claimNext(() => false))?.lease.priority, 'critical', 'resumed: critical first');
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
