import test from 'ava';
import {LocalStore} from '../../source/storage/local-store.js';
import type {ObjectStore} from '../../source/storage/object-store.js';
import {probeStore} from '../../source/storage/probe.js';
import {tempDir} from '../support/temp.js';

/** A provider that accepts conditional headers and ignores them (as npm's s3rver does). */
function ignoringConditions(inner: ObjectStore): ObjectStore {
	return {
		location: inner.location,
		get: async (key, options) => inner.get(key, options),
		head: async key => inner.head(key),
		put: async (key, body, options) => inner.put(key, body, {...options, condition: {kind: 'none'}}),
		putFile: async (key, file, options) => inner.putFile(key, file, options),
		getFile: async (key, file) => inner.getFile(key, file),
		delete: async key => inner.delete(key),
		deleteMany: async keys => inner.deleteMany(keys),
		listPage: async (prefix, options) => inner.listPage(prefix, options),
		serverTime: async () => inner.serverTime(),
	};
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
