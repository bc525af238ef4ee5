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

test('candidates past a page of leases: the leases are read on until they cover them, and a job in flight is left out', async t => {
	const {context, requests, keys} = await makeQueue();
	const hex = (first: string, n: number) => `${first}${n.toString(16).padStart(63, '0')}`;
	// 1,500 ended leases (a drain's end: they wait for the janitor) between the lowest queued job and the rest.
	await Promise.all(Array.from({length: 1500}, (_, i) => context.store.put(keys.lease(hex('b', i)), '{}')));
	const queued = [hex('a', 0), hex('c', 0), hex('c', 1), hex('c', 2)];
	for (const hash of queued) await enqueue(context, {hash, priority: 'normal'});
	await claim(context, 'w-1', {hash: hex('c', 1), priority: 'normal'});
	requests.length = 0;
	const listed = await listCandidates(context, {leases: 'range'});
	t.deepEqual(
		listed.candidates.map(c => c.hash).sort(),
		[hex('a', 0), hex('c', 0), hex('c', 2)],
		'the job in flight, on the second page of leases, is no candidate',
	);
	t.deepEqual(describeRequests(requests, keys), [
		'list queue/todo/',
		'list queue/processing/',
		'list queue/processing/',
	]);
});
