/**
Commands to one worker through the bucket (queue/transitions/worker-command.ts), on a simulated
clock: stop hands the running job back at the next heartbeat; drain lets it finish and claims no
other, even when the command lands between the last heartbeat and the completing write; an idle
worker hears it at its next poll; a command older than the worker is removed unheeded.
*/
import test from 'ava';
import {readWorkerCommand, sendWorkerCommand} from '../../source/queue/transitions/worker-command.js';
import {isNotModified} from '../../source/storage/object-store.js';
import {hashOf, makeQueue} from '../support/queue.js';
import {
	heldConverter,
	inProcessConverter,
	queueWith,
	recordEvents,
	registration,
	stopWorker,
	testWorker,
	until,
} from '../support/worker-events.js';

test('stop: the running job is handed back at the next heartbeat, not counted; the worker exits and says who', async t => {
	const queue = await queueWith(2);
	const {clock, keys, context} = queue;
	const {converter, running} = heldConverter();
	const worker = testWorker(context, clock, 'w-stop', converter);
	const events = recordEvents(worker, clock);
	const run = worker.run();
	await until('a conversion', () => running.length === 1);
	const sent = await sendWorkerCommand(context, {worker: 'w-stop', command: 'stop', by: 'op@console'});
	t.is(sent.leasesMarked, 1, 'its running lease carries the command');
	clock.advance(context.config().heartbeat_interval * 1000);
	await run;
	t.like(
		events.find(e => e.event === 'worker-command'),
		{fields: {command: 'stop', by: 'op@console', via: 'lease'}},
	);
	t.false(events.some(e => e.event === 'job-failed' || e.event === 'job-completed'));
	t.true(events.some(e => e.event === 'job-requeued'));
	const held = events.find(e => e.event === 'job-claimed')!.fields['job'] as string;
	const todo = await context.store.get(keys.todo('normal', held));
	t.truthy(todo && !isNotModified(todo) && JSON.parse(Buffer.from(todo.body).toString()).attempts === 0);
	t.is(await context.store.head(keys.lease(held)), undefined, 'claimable again at once');
	t.like(await registration(queue, 'w-stop'), {status: 'stopped', command: {command: 'stop', by: 'op@console'}});
	t.is(await context.store.head(keys.workerCommand('w-stop')), undefined, 'carried out: removed');
});

test('drain: the running job finishes, no other is claimed, the worker exits; the registration says draining meanwhile', async t => {
	const queue = await queueWith(2);
	const {clock, keys, context} = queue;
	const {converter, running} = heldConverter();
	const worker = testWorker(context, clock, 'w-drain', converter);
	const events = recordEvents(worker, clock);
	const run = worker.run();
	await until('a conversion', () => running.length === 1);
	await sendWorkerCommand(context, {worker: 'w-drain', command: 'drain', by: 'op'});
	clock.advance(context.config().heartbeat_interval * 1000);
	await until('the command heard', () => events.some(e => e.event === 'worker-command'));
	await until(
		'the registration to say draining',
		async () => (await registration(queue, 'w-drain')).command !== undefined,
	);
	t.like(await registration(queue, 'w-drain'), {status: 'processing', command: {command: 'drain'}});
	running[0]!();
	await run;
	t.is(events.filter(e => e.event === 'job-completed').length, 1);
	t.is(events.filter(e => e.event === 'job-claimed').length, 1, 'the second job was not claimed');
	t.truthy(
		(await context.store.head(keys.todo('normal', hashOf(2)))) ??
			(await context.store.head(keys.todo('normal', hashOf(1)))),
	);
	t.like(await registration(queue, 'w-drain'), {status: 'stopped', command: {command: 'drain', by: 'op'}});
	t.like(
		events.find(e => e.event === 'shutdown-requested'),
		{fields: {reason: 'drained by op'}},
	);
});

test('drain sent between the last heartbeat and the completing write: the job still completes, then the worker exits', async t => {
	const queue = await queueWith(2);
	const {clock, keys, context} = queue;
	const {converter, running} = heldConverter();
	const worker = testWorker(context, clock, 'w-late', converter);
	const events = recordEvents(worker, clock);
	const run = worker.run();
	await until('a conversion', () => running.length === 1);
	// No heartbeat between the command and the end of the conversion: the completing fence meets the 412.
	await sendWorkerCommand(context, {worker: 'w-late', command: 'drain', by: 'op'});
	running[0]!();
	await run;
	t.is(events.filter(e => e.event === 'job-completed').length, 1, 'a command costs no job');
	t.false(events.some(e => e.event === 'lease-lost'));
	const done = events.find(e => e.event === 'job-completed')!.fields['job'] as string;
	t.truthy(await context.store.head(keys.result(done)));
	t.is(events.filter(e => e.event === 'job-claimed').length, 1);
	t.like(await registration(queue, 'w-late'), {status: 'stopped', command: {command: 'drain'}});
});

test('an idle worker hears a command at its next poll; one older than the worker is removed unheeded', async t => {
	const queue = await makeQueue();
	const {clock, keys, context} = queue;
	// Left from an earlier process of the same id.
	await context.store.put(
		keys.workerCommand('w-idle'),
		JSON.stringify({version: 1, worker: 'w-idle', command: 'stop', by: 'old', at: clock.now() - 3_600_000}),
	);
	const worker = testWorker(context, clock, 'w-idle', inProcessConverter());
	const events = recordEvents(worker, clock);
	const run = worker.run();
	await until('idle', () => clock.pendingSleepers > 0);
	// The ten-minute registration rewrite reads the command, finds it stale and removes it.
	for (let i = 0; i < 62; i++) {
		clock.advance(10_000);
		await new Promise(resolve => setTimeout(resolve, 5));
	}
	await until(
		'the stale command removed',
		async () => (await context.store.head(keys.workerCommand('w-idle'))) === undefined,
	);
	t.like(
		events.find(e => e.event === 'worker-command'),
		{fields: {command: 'stop', stale: true}},
	);
	t.false(
		events.some(e => e.event === 'shutdown-requested'),
		'a stale command is not obeyed',
	);
	const sent = await sendWorkerCommand(context, {worker: 'w-idle', command: 'drain', by: 'op', leases: []});
	t.is(sent.leasesMarked, 0);
	clock.advance(10_000);
	await run;
	t.like(events.filter(e => e.event === 'worker-command').at(-1), {fields: {command: 'drain', via: 'signal'}});
	t.like(await registration(queue, 'w-idle'), {status: 'stopped', command: {command: 'drain', by: 'op'}});
	await stopWorker(worker, Promise.resolve(), clock);
});

test('a malformed or wrong-typed command is reported and not obeyed', async t => {
	const {context, keys} = await makeQueue();
	for (const body of [
		'{not json',
		'{"version":1,"worker":"w","command":"explode","at":1}',
		'{"version":1,"worker":7}',
	]) {
		await context.store.put(keys.workerCommand('w'), body);
		const read = await readWorkerCommand(context, 'w');
		t.is(read.command, undefined, body);
		t.truthy(read.problem, body);
	}
	await context.store.put(keys.workerCommand('w'), JSON.stringify({version: 1, worker: 'v', command: 'stop', at: 1}));
	t.regex((await readWorkerCommand(context, 'w')).problem ?? '', /names worker v/);
});
