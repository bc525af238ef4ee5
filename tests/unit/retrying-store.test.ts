import test from 'ava';
import {faults, parseFaultSpec} from '../../source/storage/faults.js';
import {LocalStore} from '../../source/storage/local-store.js';
import type {StoredObject} from '../../source/storage/object-store.js';
import {retrying} from '../../source/storage/retrying.js';
import {composeStore} from '../../source/storage/store-chain.js';
import {isStoreError} from '../../source/storage/store-error.js';
import {tempDir} from '../support/temp.js';

async function local() {
	return new LocalStore({root: await tempDir('bf-retry-')});
}

/** Faults only on the first `n` requests, then none. */
function firstN(n: number): () => number {
	let calls = 0;
	// Two random() calls per faulted request: one to decide, one to choose the kind (only one kind here).
	return () => (calls++ < n * 2 ? 0 : 0.99);
}

test('a create-only write whose answer was lost counts as ours, not as a lost race', async t => {
	const base = await local();
	const faulty = faults({rate: 0.5, kinds: ['answer-lost'], random: firstN(1)});
	const store = composeStore(base, [retrying({baseDelayMs: 1}), faulty]);
	const {etag} = await store.put('lease', 'mine-nonce-1', {condition: {kind: 'create-only'}});
	t.is(faulty.injected['answer-lost'], 1);
	const stored = (await base.get('lease')) as StoredObject;
	t.is(stored.etag, etag);
	t.is(Buffer.from(stored.body).toString(), 'mine-nonce-1');
});

test('a compare-and-swap whose answer was lost counts as ours', async t => {
	const base = await local();
	const {etag: first} = await base.put('lease', 'v1');
	const faulty = faults({rate: 0.5, kinds: ['answer-lost'], random: firstN(1)});
	const store = composeStore(base, [retrying({baseDelayMs: 1}), faulty]);
	const {etag} = await store.put('lease', 'v2-nonce', {condition: {kind: 'if-match', etag: first}});
	t.is(((await base.get('lease')) as StoredObject).etag, etag);
});

test('an ambiguous create-only write that another writer beat is reported as lost', async t => {
	const base = await local();
	const faulty = faults({rate: 0.5, kinds: ['reset'], random: firstN(1)});
	const store = composeStore(base, [retrying({baseDelayMs: 1}), faulty]);
	await base.put('lease', 'theirs', {condition: {kind: 'create-only'}});
	const error = await t.throwsAsync(store.put('lease', 'mine', {condition: {kind: 'create-only'}}));
	t.true(isStoreError(error, 'precondition-failed'));
});

test('throttling is retried for safe and conditional requests alike', async t => {
	const base = await local();
	const faulty = faults({rate: 0.5, kinds: ['slowdown'], random: firstN(3)});
	const retries: string[] = [];
	const store = composeStore(base, [retrying({baseDelayMs: 1, onRetry: info => retries.push(info.operation)}), faulty]);
	await store.put('a', 'x', {condition: {kind: 'create-only'}});
	await store.get('a');
	t.is(faulty.injected.slowdown, 3);
	t.is(retries.length, 3);
});

test('retries give up after maxAttempts with the classified error', async t => {
	const faulty = faults({rate: 1, kinds: ['server-error']});
	const store = composeStore(await local(), [retrying({baseDelayMs: 1, maxAttempts: 3}), faulty]);
	const error = await t.throwsAsync(store.get('a'));
	t.true(isStoreError(error, 'server'));
	t.is(faulty.injected['server-error'], 3);
});

test('BLOBFORGE_FAULTS specs parse, and bad ones are refused', t => {
	t.deepEqual(parseFaultSpec('rate=0.05,kinds=slowdown+answer-lost,latency=20'), {
		rate: 0.05,
		kinds: ['slowdown', 'answer-lost'],
		latencyMs: 20,
	});
	t.throws(() => parseFaultSpec('rate=2'));
	t.throws(() => parseFaultSpec('bogus=1'));
});
