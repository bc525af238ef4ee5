/**
A worker idle under a pause claims again at its next poll once the queue is resumed; and every
write of queue/signal.json differs, so a second resume in a row wakes idle workers too (they
compare ETags, and an S3 ETag is the MD5 of the body).
*/
import test from 'ava';
import {enqueue} from '../../source/queue/transitions/enqueue.js';
import {changePause} from '../../source/queue/transitions/pause.js';
import {sendWorkerCommand} from '../../source/queue/transitions/worker-command.js';
import {makePdf} from '../support/pdfs.js';
import {hashOf, makeQueue} from '../support/queue.js';
import {recordEvents, testWorker, until} from '../support/worker-events.js';

test('paused while idle, resumed: the worker claims at its next poll', async t => {
	const queue = await makeQueue();
	const {clock, keys, context} = queue;
	await changePause(context, {pause: true, by: 'op'});
	await context.store.put(keys.raw(hashOf(1)), await makePdf(['job 1']), {contentType: 'application/pdf'});
	await enqueue(context, {hash: hashOf(1), priority: 'normal', name: 'job-1.pdf', size: 100});
	const worker = testWorker(context, clock, 'w-p');
	const events = recordEvents(worker, clock);
	const run = worker.run();
	await until('idle', () => clock.pendingSleepers > 0);
	for (let i = 0; i < 6; i++) {
		clock.advance(10_000);
		await new Promise(resolve => setTimeout(resolve, 20));
	}
	t.false(
		events.some(e => e.event === 'job-claimed'),
		'nothing claimed while paused',
	);
	await changePause(context, {pause: false, by: 'op'});
	for (let i = 0; i < 3 && !events.some(e => e.event === 'job-claimed'); i++) {
		clock.advance(10_000);
		await new Promise(resolve => setTimeout(resolve, 50));
	}
	t.true(
		events.some(e => e.event === 'job-claimed'),
		'claimed within a poll or two of the resume',
	);
	worker.stop('test over');
	for (let i = 0; i < 100 && clock.pendingSleepers > 0; i++) clock.advance(60_000);
	await run;
});

test('two resumes in a row, or two commands to one worker, write signals with different ETags', async t => {
	const {context, keys} = await makeQueue();
	const etag = async () => (await context.store.head(keys.signal()))?.etag;
	const seen = new Set<string | undefined>();
	for (let round = 0; round < 2; round++) {
		await changePause(context, {pause: true, by: 'op'});
		await changePause(context, {pause: false, by: 'op'});
		seen.add(await etag());
		await sendWorkerCommand(context, {worker: 'w-1', command: 'drain', by: 'op', leases: []});
		seen.add(await etag());
	}
	t.is(seen.size, 4);
});
