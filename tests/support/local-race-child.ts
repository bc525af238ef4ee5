// A separate process that increments a counter object in a local store with compare-and-swap,
// and tries one create-only write; the parent checks no update was lost across processes.
import {LocalStore} from '../../source/storage/local-store.js';
import {isStoreError} from '../../source/storage/store-error.js';
import type {StoredObject} from '../../source/storage/object-store.js';

const [root, rounds, id] = process.argv.slice(2) as [string, string, string];
const store = new LocalStore({root});
let createWins = 0;
try {
	await store.put('race/create', id, {condition: {kind: 'create-only'}});
	createWins = 1;
} catch (error) {
	if (!isStoreError(error, 'precondition-failed')) throw error;
}
let conflicts = 0;
for (let i = 0; i < Number(rounds); i++) {
	for (;;) {
		const current = (await store.get('race/counter')) as StoredObject;
		const value = Number(Buffer.from(current.body).toString());
		try {
			await store.put('race/counter', String(value + 1), {condition: {kind: 'if-match', etag: current.etag}});
			break;
		} catch (error) {
			if (!isStoreError(error, 'precondition-failed')) throw error;
			conflicts++;
		}
	}
}
process.stdout.write(JSON.stringify({createWins, conflicts}));
