import test from 'ava';
import {S3Store} from '../../source/storage/s3-store.js';
import {createBucket, testS3} from '../support/s3-server.js';
import {defineConformance} from './store-conformance.js';

const server = testS3();
if (server) {
	const bucket = createBucket(server);
	let n = 0;
	defineConformance(test, 's3', async () => {
		// One bucket per file; each case works under its own prefix through a prefixing view.
		const store = new S3Store({
			bucket: await bucket,
			endpoint: server.endpoint,
			credentials: {accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey},
		});
		return prefixed(store, `case${n++}/`);
	});
} else {
	test('s3 conformance needs the test S3 server', t => {
		if (process.env['CI']) t.fail('no test S3 server: run through `npm test`');
		else t.pass();
	});
}

import type {ObjectStore} from '../../source/storage/object-store.js';

/** A view of a store under a key prefix, so test cases sharing one bucket cannot see each other. */
function prefixed(inner: ObjectStore, prefix: string): ObjectStore {
	const strip = <T extends {key: string}>(e: T): T => ({...e, key: e.key.slice(prefix.length)});
	return {
		location: inner.location,
		get: async (key, options) => {
			const r = await inner.get(prefix + key, options);
			return r && 'key' in r ? strip(r) : r;
		},
		head: async key => {
			const r = await inner.head(prefix + key);
			return r && strip(r);
		},
		put: async (key, body, options) => inner.put(prefix + key, body, options),
		putFile: async (key, file, options) => inner.putFile(prefix + key, file, options),
		getFile: async (key, file) => {
			const r = await inner.getFile(prefix + key, file);
			return r && strip(r);
		},
		delete: async key => inner.delete(prefix + key),
		deleteMany: async keys => inner.deleteMany(keys.map(k => prefix + k)),
		listPage: async (p, options) => {
			const page = await inner.listPage(prefix + p, {
				...options,
				startAfter: options?.startAfter === undefined ? undefined : prefix + options.startAfter,
			});
			return {...page, entries: page.entries.map(strip)};
		},
		serverTime: async () => inner.serverTime(),
	};
}
