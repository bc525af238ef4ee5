/**
The idle worker in-process, on a simulated clock: an enqueue that lands between the worker's last
empty listing and its first poll of the signal object must wake it at that poll, not at the
five-minute safety net.
*/
import path from 'node:path';
import test from 'ava';
import {RemoteConfigCache} from '../../source/queue/remote-config.js';
import {enqueue} from '../../source/queue/transitions/enqueue.js';
import type {ObjectStore} from '../../source/storage/object-store.js';
import {Worker} from '../../source/worker/worker.js';
import type {Logger} from '../../source/lib/log.js';
import {makePdf} from '../support/pdfs.js';
import {hashOf, makeQueue} from '../support/queue.js';

const fakeConverter = path.resolve('tests/support/fake-converter.mjs');

async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!check()) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		// eslint-disable-next-line no-await-in-loop
		await new Promise(resolve => setTimeout(resolve, 10));
	}
}

test('an enqueue right after the worker listed an empty queue wakes it at the next idle poll', async t => {
	const queue = await makeQueue();
	const {clock, keys} = queue;
	const hash = hashOf(7);
	let listingsOfTodo = 0;
	let enqueued = false;
	// The first todo listing answers "empty", then the job lands before the worker's first idle poll.
	const store: ObjectStore = {
		...queue.context.store,
		async listPage(prefix, options) {
			const page = await queue.context.store.listPage(prefix, options);
			if (prefix.endsWith('queue/todo/') && ++listingsOfTodo === 1) {
				await queue.context.store.put(keys.raw(hash), await makePdf(['late']), {contentType: 'application/pdf'});
				await enqueue(queue.context, {hash, priority: 'normal', name: 'late.pdf', size: 100});
				enqueued = true;
			}
			return page;
		},
	};
	const context = {...queue.context, store};
	const events: string[] = [];
	const record = (event: string) => events.push(event);
	const logger: Logger = {debug: record, info: record, warn: record, error: record};
	const worker = new Worker({context, remoteConfig: new RemoteConfigCache(context), workerId: 'w-idle', logger, clock, storeLine: 'local', softwareVersion: 'test', idlePollSeconds: 10, converterCommand: `node ${fakeConverter} {input} {output} 0`});
	const running = worker.run();
	await until('the worker to sleep between idle polls', () => enqueued && clock.pendingSleepers > 0);
	t.false(events.includes('job-claimed'), 'the first listing was empty');
	clock.advance(10_000);
	await until('the job to be claimed after one idle poll', () => events.includes('job-claimed'));
	t.is(listingsOfTodo, 2, 'one listing at start, one after the signal changed');
	worker.stop('test over');
	for (let i = 0; i < 100 && clock.pendingSleepers > 0; i++) clock.advance(60_000);
	await running;
});
