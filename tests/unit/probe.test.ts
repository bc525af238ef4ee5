import test from 'ava';
import {LocalStore} from '../../source/storage/local-store.js';
import type {ObjectStore} from '../../source/storage/object-store.js';
import {probeStore} from '../../source/storage/probe.js';
import {
	callStore,
	composeStore,
	type Middleware,
	type ResultOf,
	type StoreCall,
} from '../../source/storage/store-chain.js';
import {tempDir} from '../support/temp.js';

/** A provider that accepts conditional headers and ignores them (as npm's s3rver does). */
function ignoringConditions(inner: ObjectStore): ObjectStore {
	const ignore: Middleware = {
		async around<C extends StoreCall>(call: C, next: () => Promise<ResultOf<C>>, below: ObjectStore) {
			const c: StoreCall = call;
			if (c.method !== 'put') return next();
			return callStore(below, {...c, options: {...c.options, condition: {kind: 'none'}}}) as Promise<ResultOf<C>>;
		},
	};
	return composeStore(inner, [ignore]);
}

test('probe: a store that honours conditions is safe for leases, and the scratch prefix is removed', async t => {
	const store = new LocalStore({root: await tempDir('bf-probe-')});
	const result = await probeStore(store, store, 'pdf/');
	t.true(result.safeForLeases);
	t.deepEqual(
		result.checks.filter(c => c.status === 'fail'),
		[],
	);
	t.deepEqual((await store.listPage('pdf/_doctor/')).entries, []);
});

test('probe: a store that ignores conditional headers is reported UNSAFE, naming what it ignores', async t => {
	const local = new LocalStore({root: await tempDir('bf-probe-')});
	const store = ignoringConditions(local);
	const result = await probeStore(store, local, 'pdf/');
	t.false(result.safeForLeases);
	t.true(result.reachable);
	const failed = Object.fromEntries(result.checks.filter(c => c.status === 'fail').map(c => [c.name, c.detail]));
	t.regex(failed['create-only (If-None-Match: *)'] ?? '', /ignores If-None-Match/);
	t.regex(failed['compare-and-swap (If-Match)'] ?? '', /STALE ETag was accepted/);
	t.regex(failed['If-Match on a missing key'] ?? '', /the write succeeded/);
});
