import test from 'ava';
import {counting} from '../../source/storage/counting.js';
import {composeStore} from '../../source/storage/store-chain.js';
import {LocalStore} from '../../source/storage/local-store.js';
import type {ObjectStore} from '../../source/storage/object-store.js';
import {StoreError} from '../../source/storage/store-error.js';
import {costOf, diffStats} from '../../source/storage/request-stats.js';
import {tempDir} from '../support/temp.js';

test('every request is counted by operation, with bytes, errors, rate and cost', async t => {
	const {stats: counted, ...middleware} = counting();
	const store = composeStore(new LocalStore({root: await tempDir('bf-count-')}), [middleware]);
	const before = counted.snapshot();
	await store.put('a', 'hello');
	await store.put('b', 'x', {condition: {kind: 'create-only'}});
	await t.throwsAsync(store.put('b', 'y', {condition: {kind: 'create-only'}}));
	await store.get('a');
	await store.head('a');
	await store.listPage('');
	await store.delete('a');
	const stats = diffStats(counted.snapshot(), before);
	t.is(stats.put.count, 1);
	t.is(stats.put.bytesSent, 5);
	t.is(stats['put-create-only'].count, 2);
	t.is(stats['put-create-only'].errors, 1);
	t.is(stats.get.count, 1);
	t.is(stats.get.bytesReceived, 5);
	t.is(stats.head.count, 1);
	t.is(stats.list.count, 1);
	t.is(stats.delete.count, 1);
	t.is(stats.total.count, 7);
	t.true(stats.total.totalLatencyMs > 0);
	// 4 PUT-class requests (3 PUT + 1 LIST) at $0.005/1000, 2 GET-class at $0.0004/1000, DELETE free.
	t.is(Number(costOf(stats).toFixed(10)), Number((4 * 0.000005 + 2 * 0.0000004).toFixed(10)));
	const rate = counted.rate(60_000);
	t.is(rate.requestsPerMinute, 7);
});

test('an attempt that never reached the provider (connection refused) is not billed; a server error is', async t => {
	const {stats, ...middleware} = counting();
	const failing = (error: Error): ObjectStore =>
		({
			async get() {
				throw error;
			},
		}) as unknown as ObjectStore;
	const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), {code: 'ECONNREFUSED'});
	await t.throwsAsync(
		composeStore(failing(new StoreError('network', 'the endpoint could not be reached', {cause: refused})), [
			middleware,
		]).get('k'),
	);
	await t.throwsAsync(
		composeStore(failing(new StoreError('server', 'the server failed (500)', {status: 500})), [middleware]).get('k'),
	);
	const snapshot = stats.snapshot();
	t.is(snapshot.get.count, 1, 'only the 500 reached S3');
	t.is(snapshot.get.unreached, 1);
	t.is(stats.rate(60_000).requestsPerMinute, 1);
});
