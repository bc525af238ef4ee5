import {execFile} from 'node:child_process';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {promisify} from 'node:util';
import test from 'ava';
import {LocalStore} from '../../source/storage/local-store.js';
import {isNotModified, type StoredObject} from '../../source/storage/object-store.js';
import {isStoreError} from '../../source/storage/store-error.js';
import {tempDir} from '../support/temp.js';

const run = promisify(execFile);
const child = path.join(path.dirname(fileURLToPath(import.meta.url)), '../support/local-race-child.js');

test('local store: create-only and compare-and-swap stay atomic across 6 racing processes', async t => {
	const root = await tempDir('bf-procs-');
	const store = new LocalStore({root});
	await store.put('race/counter', '0');
	const processes = 6;
	const rounds = 25;
	const results = await Promise.all(
		Array.from(
			{length: processes},
			async (_, i) =>
				JSON.parse((await run(process.execPath, [child, root, String(rounds), `p${i}`])).stdout) as {
					createWins: number;
					conflicts: number;
				},
		),
	);
	t.is(
		results.reduce((s, r) => s + r.createWins, 0),
		1,
		'exactly one process created the key',
	);
	const counter = (await store.get('race/counter')) as StoredObject;
	t.is(Number(Buffer.from(counter.body).toString()), processes * rounds, 'no increment was lost');
	t.log(`CAS conflicts across processes: ${results.reduce((s, r) => s + r.conflicts, 0)}`);
});

test('local store: a create-only write whose lock was taken over meanwhile still cannot overwrite', async t => {
	const root = await tempDir('bf-broken-lock-');
	const store = new LocalStore({root});
	// As if each writer's lock had been broken: a writer paused past the lock's 30 s takeover.
	(
		store as unknown as {withKeyLock: (key: string, op: string, action: () => Promise<unknown>) => Promise<unknown>}
	).withKeyLock = async (_key, _op, action) => action();
	const outcomes = await Promise.allSettled(
		['first', 'second', 'third'].map(async body => store.put('k', body, {condition: {kind: 'create-only'}})),
	);
	t.is(outcomes.filter(o => o.status === 'fulfilled').length, 1, 'one writer created the key');
	for (const o of outcomes)
		if (o.status === 'rejected') t.true(isStoreError(o.reason, 'precondition-failed'), String(o.reason));
	const winner = ['first', 'second', 'third'][outcomes.findIndex(o => o.status === 'fulfilled')];
	const got = await store.get('k');
	t.is(got && !isNotModified(got) ? Buffer.from(got.body).toString() : undefined, winner);
});
