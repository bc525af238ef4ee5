/**
Multi-slot workers (`--slots`), on a simulated clock: N jobs at once in one process, each with its own
fenced lease and heartbeats, one registration that says how many slots; the next claim only when a
slot frees; a shutdown hands every running job back; a drain lets every one finish; the remote
config's worker_slots applies when --slots is not given; a job that crashes takes no other slot's.
*/
import test from 'ava';
import {parseLease} from '../../source/queue/records.js';
import {setRemoteConfig} from '../../source/queue/remote-config.js';
import {enqueue} from '../../source/queue/transitions/enqueue.js';
import {sendWorkerCommand} from '../../source/queue/transitions/worker-command.js';
import {isNotModified, listAll} from '../../source/storage/object-store.js';
import {builtInSlots} from '../../source/worker/converters.js';
import type {WorkerStatus} from '../../source/worker/events.js';
import {makePdf} from '../support/pdfs.js';
import {hashOf} from '../support/queue.js';
import {
	heldConverter,
	queueWith,
	recordEvents,
	registration,
	stopWorker,
	testWorker,
	until,
} from '../support/worker-events.js';

type Queue = Awaited<ReturnType<typeof queueWith>>;

async function leasesOf(queue: Queue) {
	const folder = queue.keys.leaseFolder();
	const leases = [];
	for await (const entry of listAll(queue.context.store, folder)) {
		const got = await queue.context.store.get(entry.key);
		if (!got || isNotModified(got)) continue;
		const parsed = parseLease(got.body, entry.key.slice(folder.length));
		if (parsed.ok && parsed.value.ending === undefined) leases.push(parsed.value);
	}
	return leases;
}

/** A worker of `slots` slots (the remote config's choice when undefined) on `queue`, its jobs held until the test lets them go. */
function startWorker(queue: Queue, id: string, slots?: number) {
	const {converter, running, failing} = heldConverter();
	const worker = testWorker(queue.context, queue.clock, id, converter, slots === undefined ? {} : {slots});
	const events = recordEvents(worker, queue.clock);
	return {worker, events, running, failing, run: worker.run()};
}

test('three slots: three jobs at once, each its own lease renewed by its own heartbeat; the fourth waits for a free slot', async t => {
	const queue = await queueWith(5);
	const {clock, context} = queue;
	const {worker, events, running, run} = startWorker(queue, 'w-slots', 3);
	const statuses: WorkerStatus[] = [];
	worker.on('status', status => statuses.push(status));
	await until('three conversions', () => running.length === 3);
	t.is(events.filter(e => e.event === 'job-claimed').length, 3, 'not a fourth while every slot is busy');
	const leases = await leasesOf(queue);
	t.is(leases.length, 3);
	t.true(leases.every(l => l.worker === 'w-slots'));
	t.is(new Set(leases.map(l => l.nonce)).size, 3, 'a fenced lease each');
	const before = new Map(leases.map(l => [l.hash, l.counter]));
	clock.advance(context.config().heartbeat_interval * 1000);
	await until('each lease renewed', async () =>
		(await leasesOf(queue)).every(l => before.has(l.hash) && l.counter > before.get(l.hash)!),
	);
	t.like(await registration(queue, 'w-slots'), {status: 'processing', slots: 3});
	t.like(statuses.at(-1), {state: 'processing', slots: 3});
	t.is(statuses.at(-1)!.jobs.length, 3, 'the terminal view shows every running job');
	running[1]!();
	await until('a fourth claimed into the freed slot', () => running.length === 4);
	t.is(events.filter(e => e.event === 'job-completed').length, 1);
	for (const finish of running.slice(2)) finish();
	running[0]!();
	await until('the fifth', () => running.length === 5);
	running[4]!();
	await until('every job done', () => events.filter(e => e.event === 'job-completed').length === 5);
	const done = events.filter(e => e.event === 'job-completed').map(e => e.fields['job']);
	t.is(new Set(done).size, 5, 'each job once');
	// Through the short wait after a claim another took (the candidates listed were in flight here).
	await until('idle', async () => {
		clock.advance(1000);
		return (await registration(queue, 'w-slots')).status === 'idle';
	});
	await stopWorker(worker, run, clock);
});

test('a shutdown hands every running job back, none counted', async t => {
	const queue = await queueWith(3);
	const {clock, context, keys} = queue;
	const {worker, events, running, run} = startWorker(queue, 'w-down', 3);
	await until('three conversions', () => running.length === 3);
	await stopWorker(worker, run, clock);
	t.is(events.filter(e => e.event === 'job-requeued').length, 3);
	t.false(events.some(e => e.event === 'job-failed'));
	for (let n = 1; n <= 3; n++) {
		const todo = await context.store.get(keys.todo('normal', hashOf(n)));
		t.truthy(todo && !isNotModified(todo) && JSON.parse(Buffer.from(todo.body).toString()).attempts === 0);
		t.is(await context.store.head(keys.lease(hashOf(n))), undefined, 'claimable again at once');
	}
});

test('drain: every running job finishes, no other is claimed, then the worker exits', async t => {
	const queue = await queueWith(4);
	const {clock, context} = queue;
	const {events, running, run} = startWorker(queue, 'w-drain', 2);
	await until('two conversions', () => running.length === 2);
	await sendWorkerCommand(context, {worker: 'w-drain', command: 'drain', by: 'op'});
	clock.advance(context.config().heartbeat_interval * 1000);
	await until('the command heard', () => events.some(e => e.event === 'worker-command'));
	running[0]!();
	await until('one done', () => events.filter(e => e.event === 'job-completed').length === 1);
	t.is(events.filter(e => e.event === 'job-claimed').length, 2, 'the freed slot claims nothing');
	t.false(
		events.some(e => e.event === 'shutdown-requested'),
		'the other job still runs',
	);
	running[1]!();
	await run;
	t.is(events.filter(e => e.event === 'job-completed').length, 2);
	t.is(events.filter(e => e.event === 'job-claimed').length, 2);
	t.like(await registration(queue, 'w-drain'), {status: 'stopped', command: {command: 'drain'}});
});

test("without --slots the remote config's worker_slots applies, then the converter's choice", async t => {
	const queue = await queueWith(3);
	const {clock, context} = queue;
	await setRemoteConfig(context, {worker_slots: 2});
	const {worker, events, running, run} = startWorker(queue, 'w-remote');
	await until('two conversions', () => running.length === 2);
	t.is(events.filter(e => e.event === 'job-claimed').length, 2);
	await stopWorker(worker, run, clock);
	// One per core, as long as each child has its memory ceiling (2 GB by default).
	t.is(builtInSlots(8, 64 * 2 ** 30, 2048), 8);
	t.is(builtInSlots(8, 8 * 2 ** 30, 2048), 4, 'memory bounds it');
	t.is(builtInSlots(4, 1 * 2 ** 30, 2048), 1, 'at least one');
	t.is(builtInSlots(4, 8 * 2 ** 30, 0), 4, 'no ceiling: 1 GB a child');
});

test('a job that fails in one slot fails only that job; the others complete', async t => {
	const queue = await queueWith(3);
	const {clock} = queue;
	const {worker, events, running, failing, run} = startWorker(queue, 'w-fail', 3);
	await until('three conversions', () => running.length === 3);
	failing[1]!('the converter was killed (SIGKILL; out of memory?)');
	running[0]!();
	running[2]!();
	await until(
		'all three ended',
		() => events.filter(e => e.event === 'job-completed' || e.event === 'job-failed').length === 3,
	);
	t.is(events.filter(e => e.event === 'job-completed').length, 2);
	t.like(
		events.find(e => e.event === 'job-failed'),
		{fields: {error: 'the converter was killed (SIGKILL; out of memory?)'}},
	);
	await stopWorker(worker, run, clock);
});

test('a job that ends sends a worker with free slots to list again, as one of one slot does after each job', async t => {
	const queue = await queueWith(1);
	const {clock, context} = queue;
	const {worker, events, running, run} = startWorker(queue, 'w-relist', 2);
	await until('the one job converting', () => running.length === 1);
	// The free slot waits on the signal; the clock stands still, so it does not poll it.
	await until('the free slot waiting', () => clock.pendingSleepers > 1);
	await enqueue(context, {hash: hashOf(2), priority: 'normal', name: 'job-2.pdf', size: 100});
	await context.store.put(queue.keys.raw(hashOf(2)), await makePdf(['job 2']), {contentType: 'application/pdf'});
	running[0]!();
	await until('the new job claimed without a poll', () => running.length === 2);
	t.is(events.filter(e => e.event === 'job-claimed').length, 2);
	running[1]!();
	await until('both done', () => events.filter(e => e.event === 'job-completed').length === 2);
	await stopWorker(worker, run, clock);
});
