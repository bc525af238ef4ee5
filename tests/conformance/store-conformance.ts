/**
One behaviour, two backends: every ObjectStore must pass these. Each backend's test file
supplies a factory; each case gets a fresh key space.
*/
import {readFile, writeFile} from 'node:fs/promises';
import path from 'node:path';
import type {ExecutionContext, TestFn} from 'ava';
import {
	collectAll,
	compareKeys,
	isNotModified,
	type ObjectStore,
	type StoredObject,
} from '../../source/storage/object-store.js';
import {isStoreError} from '../../source/storage/store-error.js';
import {tempDir} from '../support/temp.js';

export type StoreFactory = () => Promise<ObjectStore>;

function text(result: unknown): string {
	return Buffer.from((result as StoredObject).body).toString('utf8');
}

type Race = {won: number; lost: number; winners: number[]; failedOnServer: number[]; other: unknown[]};

async function settle<T>(promises: Array<Promise<T>>): Promise<Race> {
	const results = await Promise.allSettled(promises);
	const race: Race = {won: 0, lost: 0, winners: [], failedOnServer: [], other: []};
	for (const [i, r] of results.entries()) {
		if (r.status === 'fulfilled') {
			race.won++;
			race.winners.push(i);
		} else if (isStoreError(r.reason, 'precondition-failed')) race.lost++;
		else if (isStoreError(r.reason, 'server')) race.failedOnServer.push(i);
		else race.other.push(r.reason);
	}
	return race;
}

export type ConformanceOptions = {
	/**
	Ceph RGW answers some of 20 conditional PUTs racing on one key with 500 UnknownError. Such a write
	may or may not have landed (the product's retry layer reads it back); the race still holds when at
	most one write landed, as the object's body shows.
	*/
	serverErrorsUnderContention?: boolean;
};

export function defineConformance(
	test: TestFn,
	backend: string,
	makeStore: StoreFactory,
	options: ConformanceOptions = {},
): void {
	const name = (title: string) => `${backend}: ${title}`;
	/** Exactly one writer won, or (where the server may fail under contention) at most one write landed. */
	const oneWinner = async (t: ExecutionContext, store: ObjectStore, key: string, race: Race, before?: string) => {
		t.deepEqual(race.other, []);
		const failed = options.serverErrorsUnderContention ? race.failedOnServer : [];
		t.deepEqual(race.failedOnServer, failed, 'no server error');
		if (failed.length > 0) t.log(`${failed.length} of 20 writes failed on the server (500)`);
		t.is(race.won + race.lost + failed.length, 20);
		const got = await store.get(key);
		const body = got && !isNotModified(got) ? text(got) : undefined;
		if (failed.length === 0) {
			t.is(race.won, 1);
			t.is(body, `writer ${race.winners[0]}`);
			return;
		}
		t.true(race.won <= 1);
		const possible = race.won === 1 ? [race.winners[0]!] : failed;
		t.true(
			possible.some(i => body === `writer ${i}`) || (race.won === 0 && body === before),
			`the object holds one landed write: ${body}`,
		);
	};

	test(name('put, get and head round-trip body, ETag, metadata and time'), async t => {
		const store = await makeStore();
		const before = await store.serverTime();
		const {etag} = await store.put('a/one.json', '{"x":1}', {
			metadata: {'original-name': 'Grüße – 東京 ✓.pdf', tags: '["a","b"]'},
			contentType: 'application/json',
		});
		const got = await store.get('a/one.json');
		t.truthy(got);
		t.false(isNotModified(got));
		const object = got as StoredObject;
		t.is(text(object), '{"x":1}');
		t.is(object.etag, etag);
		t.regex(etag, /^[0-9a-f]{32}$/);
		t.is(object.metadata['original-name'], 'Grüße – 東京 ✓.pdf');
		t.is(object.metadata['tags'], '["a","b"]');
		t.is(object.contentType, 'application/json');
		t.true(
			Math.abs(object.lastModified - before) < 10_000,
			`last-modified ${object.lastModified} near server time ${before}`,
		);
		const head = await store.head('a/one.json');
		t.is(head?.etag, etag);
		t.is(head?.size, 7);
		t.is(head?.metadata['original-name'], 'Grüße – 東京 ✓.pdf');
	});

	test(name('missing keys: get and head answer undefined, delete succeeds'), async t => {
		const store = await makeStore();
		t.is(await store.get('nothing/here'), undefined);
		t.is(await store.head('nothing/here'), undefined);
		await t.notThrowsAsync(store.delete('nothing/here'));
	});

	test(name('create-only: the first write wins, the second is refused'), async t => {
		const store = await makeStore();
		await store.put('lease', 'first', {condition: {kind: 'create-only'}});
		const error = await t.throwsAsync(store.put('lease', 'second', {condition: {kind: 'create-only'}}));
		t.true(isStoreError(error, 'precondition-failed'), String(error));
		t.is(text(await store.get('lease')), 'first');
	});

	test(name('create-only under 20 concurrent writers: exactly one wins'), async t => {
		const store = await makeStore();
		const outcome = await settle(
			Array.from({length: 20}, async (_, i) =>
				store.put('race/create', `writer ${i}`, {condition: {kind: 'create-only'}}),
			),
		);
		await oneWinner(t, store, 'race/create', outcome);
	});

	test(name('compare-and-swap: current ETag wins, stale ETag and missing key are refused'), async t => {
		const store = await makeStore();
		const first = await store.put('cas', 'v1');
		const second = await store.put('cas', 'v2', {condition: {kind: 'if-match', etag: first.etag}});
		t.not(second.etag, first.etag);
		const stale = await t.throwsAsync(store.put('cas', 'v3', {condition: {kind: 'if-match', etag: first.etag}}));
		t.true(isStoreError(stale, 'precondition-failed'), String(stale));
		const missing = await t.throwsAsync(
			store.put('cas-missing', 'v1', {condition: {kind: 'if-match', etag: first.etag}}),
		);
		t.true(isStoreError(missing, 'precondition-failed'), String(missing));
		t.is(await store.get('cas-missing'), undefined);
		t.is(text(await store.get('cas')), 'v2');
	});

	test(name('compare-and-swap under 20 concurrent writers: exactly one wins'), async t => {
		const store = await makeStore();
		const {etag} = await store.put('race/cas', 'start');
		const outcome = await settle(
			Array.from({length: 20}, async (_, i) =>
				store.put('race/cas', `writer ${i}`, {condition: {kind: 'if-match', etag}}),
			),
		);
		await oneWinner(t, store, 'race/cas', outcome, 'start');
	});

	test(name('conditional get answers "not modified" while the ETag matches'), async t => {
		const store = await makeStore();
		const {etag} = await store.put('snapshot', 'one');
		const same = await store.get('snapshot', {ifNoneMatch: etag});
		t.true(isNotModified(same));
		await store.put('snapshot', 'two');
		const changed = await store.get('snapshot', {ifNoneMatch: etag});
		t.false(isNotModified(changed));
		t.is(text(changed), 'two');
	});

	test(name('listing: key order, prefixes, start-after and pagination over 1,100 keys'), async t => {
		const store = await makeStore();
		const keys = Array.from({length: 1100}, (_, i) => `list/k${String(i).padStart(4, '0')}`);
		// Non-ASCII keys: UTF-8 byte order puts "é" (C3 A9) after "z" and CJK (E6..) after that.
		keys.push('list/é', 'list/z', 'list/東', 'list/Z', 'list/a b', 'list/a/b');
		for (let i = 0; i < keys.length; i += 50) {
			await Promise.all(keys.slice(i, i + 50).map(async key => store.put(key, key)));
		}
		await store.put('listing-outside', 'x');
		const expected = [...keys].sort(compareKeys);
		const all = await collectAll(store, 'list/');
		t.deepEqual(
			all.map(e => e.key),
			expected,
		);
		t.true(all.every(e => /^[0-9a-f]{32}$/.test(e.etag) && e.size > 0 && e.lastModified > 0));
		const first = await store.listPage('list/', {pageSize: 10});
		t.is(first.entries.length, 10);
		t.truthy(first.nextContinuationToken);
		const second = await store.listPage('list/', {pageSize: 10, continuationToken: first.nextContinuationToken});
		t.deepEqual(
			second.entries.map(e => e.key),
			expected.slice(10, 20),
		);
		const after = await store.listPage('list/', {startAfter: 'list/k1098', pageSize: 3});
		t.deepEqual(
			after.entries.map(e => e.key),
			expected.slice(expected.indexOf('list/k1098') + 1, expected.indexOf('list/k1098') + 4),
		);
		const partial = await collectAll(store, 'list/k105');
		t.deepEqual(
			partial.map(e => e.key),
			expected.filter(k => k.startsWith('list/k105')),
		);
		const last = await store.listPage('list/', {startAfter: expected.at(-1)});
		t.deepEqual(last.entries, []);
		t.is(last.nextContinuationToken, undefined);
	});

	test(
		name(
			'listing across folder boundaries: an object, its namesake folder and neighbours in byte order, any start-after',
		),
		async t => {
			const store = await makeStore();
			// '-' (2D) < '.' (2E) < '/' (2F) < '0' (30): the folder a/ sits between a.b and a0.
			const keys = [
				'edge/a',
				'edge/a-',
				'edge/a.b',
				'edge/a/b',
				'edge/a/c/d',
				'edge/a/é',
				'edge/a0',
				'edge/b',
				'edge/ab/x',
			];
			await Promise.all(keys.map(async key => store.put(key, key)));
			const expected = [...keys].sort(compareKeys);
			t.deepEqual(
				(await collectAll(store, 'edge/')).map(e => e.key),
				expected,
			);
			for (const [index, startAfter] of [
				...expected.entries(),
				[-1, 'edge/a/'] as const,
				[-1, 'edge/a/c'] as const,
				[-1, 'edge/aa'] as const,
			]) {
				const page = await store.listPage('edge/', {startAfter, pageSize: 2});
				const rest = expected.filter(k => compareKeys(k, startAfter) > 0);
				t.deepEqual(
					page.entries.map(e => e.key),
					rest.slice(0, 2),
					`start-after ${startAfter} (${index})`,
				);
				t.is(page.nextContinuationToken !== undefined, rest.length > 2, `more after ${startAfter}`);
			}
			t.deepEqual(
				(await collectAll(store, 'edge/a')).map(e => e.key),
				expected.filter(k => k.startsWith('edge/a')),
				'a partial prefix takes the object, the folder and the neighbours',
			);
		},
	);

	test(name('large objects round-trip byte for byte'), async t => {
		const store = await makeStore();
		const big = new Uint8Array(12 * 1024 * 1024);
		for (let i = 0; i < big.length; i += 4096) big[i] = (i / 4096) % 251;
		await store.put('big.bin', big);
		const got = (await store.get('big.bin')) as StoredObject;
		t.is(got.size, big.byteLength);
		t.true(Buffer.from(got.body).equals(Buffer.from(big)));
	});

	test(name('files stream in and out: same bytes, ETag, metadata; a missing key gives undefined'), async t => {
		const store = await makeStore();
		const dir = await tempDir('bf-file-');
		const big = new Uint8Array(9 * 1024 * 1024 + 7);
		for (let i = 0; i < big.length; i += 997) big[i] = (i / 997) % 251;
		await writeFile(path.join(dir, 'in.pdf'), big);
		const put = await store.putFile('file.bin', path.join(dir, 'in.pdf'), {
			contentType: 'application/pdf',
			metadata: {'original-name': 'Ünïcødé.pdf'},
		});
		const got = (await store.get('file.bin')) as StoredObject;
		t.true(Buffer.from(got.body).equals(Buffer.from(big)), 'putFile stores the bytes');
		t.is(got.etag, put.etag);
		t.is(got.metadata['original-name'], 'Ünïcødé.pdf');
		const info = await store.getFile('file.bin', path.join(dir, 'out.pdf'));
		t.is(info?.etag, put.etag);
		t.is(info?.size, big.byteLength);
		t.is(info?.metadata['original-name'], 'Ünïcødé.pdf');
		t.true((await readFile(path.join(dir, 'out.pdf'))).equals(Buffer.from(big)), 'getFile writes the bytes');
		t.is(await store.getFile('no-such.bin', path.join(dir, 'none.pdf')), undefined);
	});

	test(name('a transfer given up by its signal ends with "aborted", part-way'), async t => {
		const store = await makeStore();
		const dir = await tempDir('bf-abort-');
		const size = 64 * 1024 * 1024;
		await writeFile(path.join(dir, 'in.bin'), new Uint8Array(size).fill(7));
		await store.putFile('big.bin', path.join(dir, 'in.bin'));
		const given = new AbortController();
		given.abort('shutdown');
		const before = await t.throwsAsync(store.getFile('big.bin', path.join(dir, 'never.bin'), {signal: given.signal}));
		t.true(isStoreError(before, 'aborted'), String(before));
		const controller = new AbortController();
		const download = store.getFile('big.bin', path.join(dir, 'part.bin'), {signal: controller.signal});
		setTimeout(() => controller.abort('shutdown'), 1);
		const error = await t.throwsAsync(download);
		t.true(isStoreError(error, 'aborted'), String(error));
		const written = await readFile(path.join(dir, 'part.bin')).catch(() => Buffer.alloc(0));
		t.true(written.byteLength < size, `stopped after ${written.byteLength} of ${size} bytes`);
		const upload = new AbortController();
		upload.abort('shutdown');
		const put = await t.throwsAsync(store.putFile('up.bin', path.join(dir, 'in.bin'), {signal: upload.signal}));
		t.true(isStoreError(put, 'aborted'), String(put));
		t.is(await store.head('up.bin'), undefined, 'an upload given up leaves nothing');
	});

	test(name('delete removes the object from get, head and listings'), async t => {
		const store = await makeStore();
		await store.put('gone/a', '1');
		await store.put('gone/b', '2');
		await store.delete('gone/a');
		t.is(await store.get('gone/a'), undefined);
		t.is(await store.head('gone/a'), undefined);
		t.deepEqual(
			(await collectAll(store, 'gone/')).map(e => e.key),
			['gone/b'],
		);
		// A create-only write after a delete succeeds again.
		await t.notThrowsAsync(store.put('gone/a', '3', {condition: {kind: 'create-only'}}));
	});

	test(name('deleteMany removes many keys in one request, missing keys included'), async t => {
		const store = await makeStore();
		const keys = Array.from({length: 30}, (_, i) => `bulk/${i}`);
		await Promise.all(keys.map(async k => store.put(k, k)));
		await store.deleteMany([...keys.slice(0, 20), 'bulk/missing']);
		t.deepEqual((await collectAll(store, 'bulk/')).map(e => e.key).sort(), keys.slice(20).sort());
	});

	test(name("server time is close to this machine's clock"), async t => {
		const store = await makeStore();
		const server = await store.serverTime();
		t.true(Math.abs(server - Date.now()) < 5000);
		t.true(Number.isInteger(server), `whole milliseconds, not ${server}`);
	});
}
