/** A queue on a fresh local store with a manual clock and counted requests. */
import {ManualClock} from '../../source/lib/clock.js';
import {Keys} from '../../source/queue/keys.js';
import type {QueueContext} from '../../source/queue/queue-context.js';
import {defaultRemoteConfig, type RemoteConfig} from '../../source/queue/records.js';
import {counting} from '../../source/storage/counting.js';
import {composeStore} from '../../source/storage/store-chain.js';
import {LocalStore} from '../../source/storage/local-store.js';
import type {ObjectStore, Operation} from '../../source/storage/object-store.js';
import {tempDir} from './temp.js';

export type RecordedRequest = {operation: Operation; key: string};

/** Wraps a store and records (operation, key) of each request, for request-list assertions. */
export function recording(inner: ObjectStore): {store: ObjectStore; requests: RecordedRequest[]} {
	const requests: RecordedRequest[] = [];
	const store: ObjectStore = {
		location: inner.location,
		get: async (key, options) => {
			requests.push({operation: 'get', key});
			return inner.get(key, options);
		},
		head: async key => {
			requests.push({operation: 'head', key});
			return inner.head(key);
		},
		put: async (key, body, options) => {
			const kind = options?.condition?.kind;
			requests.push({
				operation: kind === 'create-only' ? 'put-create-only' : kind === 'if-match' ? 'put-if-match' : 'put',
				key,
			});
			return inner.put(key, body, options);
		},
		putFile: async (key, file, options) => {
			requests.push({operation: 'put', key});
			return inner.putFile(key, file, options);
		},
		getFile: async (key, file) => {
			requests.push({operation: 'get', key});
			return inner.getFile(key, file);
		},
		delete: async key => {
			requests.push({operation: 'delete', key});
			return inner.delete(key);
		},
		deleteMany: async keys => {
			for (const key of keys) requests.push({operation: 'delete-many', key});
			return inner.deleteMany(keys);
		},
		listPage: async (prefix, options) => {
			requests.push({operation: 'list', key: prefix});
			return inner.listPage(prefix, options);
		},
		serverTime: async () => inner.serverTime(),
	};
	return {store, requests};
}

export async function makeQueue(config: Partial<RemoteConfig> = {}) {
	const clock = new ManualClock();
	const base = new LocalStore({root: await tempDir('bf-queue-'), clock});
	const {store, requests} = recording(composeStore(base, [counting()]));
	const keys = new Keys('pdf/');
	const remote = {...defaultRemoteConfig, ...config};
	const context: QueueContext = {store, keys, clock, config: () => remote};
	return {context, clock, requests, keys, base, remote};
}

export function hashOf(n: number): string {
	return n.toString(16).padStart(64, '0');
}

/** Request lists written the way transition headers and DESIGN.md write them. */
export function describeRequests(requests: RecordedRequest[], keys: Keys): string[] {
	return requests.map(r => `${r.operation} ${r.key.slice(keys.prefix.length).replaceAll(/[0-9a-f]{64}/g, '<hash>')}`);
}
