/** The claimer's listings: what it lists with the head of a long queue, by the fleet's size. */
import test from 'ava';
import {enqueueMany} from '../../source/queue/transitions/enqueue.js';
import {Claimer} from '../../source/worker/claimer.js';
import {WorkerEmitter} from '../../source/worker/events.js';
import {describeRequests, hashOf, makeQueue} from '../support/queue.js';

for (const [fleet, withLeases] of [
	[500, true],
	[10, false],
] as const) {
	test(`the head of a long queue, a calm worker in a fleet of ${fleet} leases: leases listed with it: ${withLeases}`, async t => {
		const queue = await makeQueue();
		const jobs = Array.from({length: 1100}, (_, i) => ({hash: hashOf(i + 1), priority: 'normal' as const}));
		await enqueueMany(queue.context, jobs);
		// A draw of 0 always sends a listing to the head (below the head share), never to a window.
		const claimer = new Claimer(
			queue.context,
			'w-1',
			queue.clock,
			new WorkerEmitter(),
			() => fleet,
			undefined,
			() => 0,
		);
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
