import test from 'ava';
import {S3Store} from '../../source/storage/s3-store.js';
import {createBucket, testS3} from '../support/s3-server.js';
import type {ListPage, ObjectStore} from '../../source/storage/object-store.js';
import {
	callStore,
	composeStore,
	type Middleware,
	type ResultOf,
	type StoreCall,
} from '../../source/storage/store-chain.js';
import {defineConformance} from './store-conformance.js';

const server = testS3();
if (server) {
	const bucket = createBucket(server);
	let n = 0;
	defineConformance(
		test,
		's3',
		async () => {
			// One bucket per file; each case works under its own prefix through a prefixing view.
			const store = new S3Store({
				bucket: await bucket,
				endpoint: server.endpoint,
				credentials: {accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey},
			});
			return composeStore(store, [prefixed(`case${n++}/`)]);
		},
		{serverErrorsUnderContention: true},
	);
} else {
	test('s3 conformance needs the test S3 server', t => {
		if (process.env['CI']) t.fail('no test S3 server: run through `npm test`');
		else t.pass();
	});
}

/**
A view of a store under a key prefix, so test cases sharing one bucket cannot see each other: a
middleware that moves every key under the prefix and strips it from what comes back.
*/
function prefixed(prefix: string): Middleware {
	const strip = <T extends {key: string}>(e: T): T => ({...e, key: e.key.slice(prefix.length)});
	return {
		async around<C extends StoreCall>(call: C, next: () => Promise<ResultOf<C>>, below: ObjectStore) {
			const c: StoreCall = call;
			if (c.method === 'serverTime') return next();
			const moved: StoreCall =
				c.method === 'deleteMany'
					? {...c, key: prefix + c.key, keys: c.keys.map(k => prefix + k)}
					: c.method === 'listPage'
						? {
								...c,
								key: prefix + c.key,
								options: {
									...c.options,
									startAfter: c.options?.startAfter === undefined ? undefined : prefix + c.options.startAfter,
								},
							}
						: {...c, key: prefix + c.key};
			const result: unknown = await callStore(below, moved);
			if (c.method === 'listPage') {
				const page = result as ListPage;
				return {...page, entries: page.entries.map(strip)} as ResultOf<C>;
			}
			if (result && typeof result === 'object' && 'key' in result) return strip(result as {key: string}) as ResultOf<C>;
			return result as ResultOf<C>;
		},
	};
}
