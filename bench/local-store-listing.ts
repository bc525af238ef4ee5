/**
The embedded local store's listing: the first page of 100, and every key by pages of 1,000, from
one folder of N keys (default 1,000 and 10,000; todo entries, as a worker and the read model list
them), plus a small folder beside it. No S3 needed. Prints a table and writes
bench/results/local-store-listing.json.

Run: node dist/bench/local-store-listing.js [N ...]
*/
import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {mapLimit} from '../source/lib/concurrency.js';
import {LocalStore} from '../source/storage/local-store.js';
import {collectAll} from '../source/storage/object-store.js';

const sizes = process.argv
	.slice(2)
	.map(Number)
	.filter(n => n > 0);
type Row = {keys: number; firstPageMs: number; pageAfterMiddleMs: number; allKeysMs: number; smallFolderMs: number};
const rows: Row[] = [];
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const time = async (action: () => Promise<unknown>, runs = 5) => {
	const took: number[] = [];
	for (let i = 0; i < runs; i++) {
		const started = performance.now();
		await action();
		took.push(performance.now() - started);
	}
	return median(took);
};

for (const keys of sizes.length > 0 ? sizes : [1000, 10_000]) {
	const root = await mkdtemp(path.join(os.tmpdir(), 'bf-bench-local-'));
	const store = new LocalStore({root});
	const key = (i: number) => `pdf/queue/todo/3_normal/${i.toString(16).padStart(64, '0')}`;
	await mapLimit(
		Array.from({length: keys}, (_, i) => i),
		32,
		async i => store.put(key(i), '{"version":1}'),
	);
	await mapLimit(
		Array.from({length: 20}, (_, i) => i),
		8,
		async i => store.put(`pdf/queue/processing/${i.toString(16).padStart(64, '0')}`, '{}'),
	);
	rows.push({
		keys,
		firstPageMs: await time(async () => store.listPage('pdf/queue/todo/', {pageSize: 100})),
		pageAfterMiddleMs: await time(async () =>
			store.listPage('pdf/queue/todo/', {pageSize: 100, startAfter: key(Math.floor(keys / 2))}),
		),
		allKeysMs: await time(async () => collectAll(store, 'pdf/queue/todo/'), 3),
		smallFolderMs: await time(async () => collectAll(store, 'pdf/queue/processing/')),
	});
	await rm(root, {recursive: true, force: true});
}

console.log('local store listing (median ms): one folder of N keys, and a folder of 20 beside it');
console.log('keys | first page of 100 | page of 100 after the middle | all keys (pages of 1,000) | the 20-key folder');
for (const r of rows)
	console.log(
		`${r.keys} | ${r.firstPageMs.toFixed(1)} | ${r.pageAfterMiddleMs.toFixed(1)} | ${r.allKeysMs.toFixed(0)} | ${r.smallFolderMs.toFixed(1)}`,
	);
const results = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../bench/results');
await mkdir(results, {recursive: true});
await writeFile(
	path.join(results, 'local-store-listing.json'),
	`${JSON.stringify({date: new Date().toISOString(), rows}, null, 2)}\n`,
);
