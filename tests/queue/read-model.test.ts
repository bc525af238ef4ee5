import test from 'ava';
import {runJanitor} from '../../source/queue/janitor.js';
import {ReadModel} from '../../source/queue/read-model/read-model.js';
import {claim} from '../../source/queue/transitions/claim.js';
import type {HeldLease} from '../../source/queue/transitions/lease-write.js';
import {enqueueMany} from '../../source/queue/transitions/enqueue.js';
import {complete} from '../../source/queue/transitions/finish.js';
import {heartbeat} from '../../source/queue/transitions/heartbeat.js';
import {describeRequests, hashOf, makeQueue} from '../support/queue.js';

async function history(jobs: number, active: number) {
	const queue = await makeQueue();
	const {context, clock} = queue;
	await enqueueMany(
		context,
		Array.from({length: jobs}, (_, i) => ({
			hash: hashOf(i + 1),
			priority: i % 2 ? 'normal' : 'high',
			name: `file-${i}.pdf`,
			size: 1000 + i,
		})),
	);
	const done = Math.floor(jobs / 2);
	for (let i = 0; i < done; i++) {
		const outcome = await claim(context, 'w-1', {hash: hashOf(i + 1), priority: i % 2 ? 'normal' : 'high'});
		if (outcome.kind === 'claimed') await complete(context, outcome.held, new Uint8Array([1]));
	}
	const held: HeldLease[] = [];
	for (let i = done; i < done + active; i++) {
		const outcome = await claim(context, `w-${i}`, {hash: hashOf(i + 1), priority: i % 2 ? 'normal' : 'high'});
		if (outcome.kind === 'claimed') held.push(outcome.held);
	}
	clock.advance(61_000);
	await runJanitor(context);
	return {...queue, held, done};
}

for (const jobs of [100, 1000]) {
	test(`read model at ${jobs} jobs of history: exact counts, and 3 requests per steady refresh plus one GET per changed lease`, async t => {
		const {context, requests, keys, held, done} = await history(jobs, 5);
		const model = new ReadModel(context);
		const first = await model.refresh();
		t.is(first.counts.total.done, done);
		t.is(first.counts.total.processing, 5);
		t.is(first.counts.total.todo, jobs - done - 5);
		t.is(first.counts.done.high + first.counts.done.normal, done);
		t.is(
			first.jobs[hashOf(jobs)]?.name,
			`file-${jobs - 1}.pdf`,
			'queued jobs carry their names without extra requests',
		);
		requests.length = 0;
		await model.refresh();
		t.deepEqual(describeRequests(requests, keys), [
			'get queue/snapshot.json',
			'list queue/journal/',
			'list queue/processing/',
		]);
		requests.length = 0;
		await heartbeat(context, held[0]!, {stage: 'converting', pagesDone: 3, pagesTotal: 10});
		requests.length = 0;
		const view = await model.refresh();
		t.deepEqual(describeRequests(requests, keys), [
			'get queue/snapshot.json',
			'list queue/journal/',
			'list queue/processing/',
			'get queue/processing/<hash>',
		]);
		t.is(view.active.find(a => a.lease.hash === held[0]!.lease.hash)?.lease.progress?.pagesDone, 3);
	});
}
