import {execFile} from 'node:child_process';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {promisify} from 'node:util';
import test from 'ava';
import {LocalStore} from '../../source/storage/local-store.js';
import type {StoredObject} from '../../source/storage/object-store.js';
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
