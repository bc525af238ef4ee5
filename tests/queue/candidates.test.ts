import test from 'ava';
import {listCandidates} from '../../source/queue/candidates.js';
import {enqueue} from '../../source/queue/transitions/enqueue.js';
import {claim} from '../../source/queue/transitions/claim.js';
import {describeRequests, hashOf, makeQueue} from '../support/queue.js';

test('candidates: most urgent priority first, shuffled within a priority, one LIST', async t => {
	const {context, requests, keys} = await makeQueue();
	for (let i = 1; i <= 20; i++) {
		await enqueue(context, {hash: hashOf(i), priority: i <= 10 ? 'low' : 'high'});
	}
	await enqueue(context, {hash: hashOf(99), priority: 'critical'});
	await context.store.put('pdf/queue/todo/3_normal/not-a-hash', '');
	await context.store.put(`pdf/queue/todo/9_bogus/${hashOf(5)}`, '');
	requests.length = 0;
	const first = await listCandidates(context);
	t.deepEqual(describeRequests(requests, keys).sort(), ['list queue/processing/', 'list queue/todo/']);
	t.deepEqual(
		first.candidates.map(c => c.priority),
		['critical', ...Array.from({length: 10}, () => 'high' as const), ...Array.from({length: 10}, () => 'low' as const)],
	);
	t.is(first.candidates[0]!.hash, hashOf(99));
	t.deepEqual(first.malformedKeys.sort(), [
		'pdf/queue/todo/3_normal/not-a-hash',
		`pdf/queue/todo/9_bogus/${hashOf(5)}`,
	]);
	const orders = new Set<string>();
	for (let i = 0; i < 5; i++) {
		orders.add(
			(await listCandidates(context)).candidates
				.slice(1, 11)
				.map(c => c.hash)
				.join(),
		);
	}
	t.true(orders.size > 1, 'claimers see the high-priority jobs in different orders');
	const outcome = await claim(context, 'w-1', {hash: hashOf(99), priority: 'critical'});
	t.is(outcome.kind, 'claimed');
	t.false(
		(await listCandidates(context)).candidates.some(c => c.hash === hashOf(99)),
		'a job in flight is left out',
	);
});
