/**
Request middleware for an ObjectStore, composed into one chain (outermost first) over a backend:
counting, retries, fault injection. Each middleware sees every request as one StoreCall and decides
around `next()`; none forwards the interface's methods by hand. A middleware also gets `below`, the
rest of the chain as a store, for requests of its own (the retry layer's read-back after an
ambiguous conditional write goes through counting and faults like any other request).
*/
import type {
	FileOptions,
	GetOptions,
	GetResult,
	ListOptions,
	ListPage,
	ObjectInfo,
	ObjectStore,
	PutOptions,
	TransferOptions,
} from './object-store.js';
import {type Operation, operationOf, toBytes} from './object-store.js';

export type StoreCall =
	| {method: 'get'; key: string; options: GetOptions | undefined}
	| {method: 'head'; key: string}
	| {method: 'put'; key: string; body: Uint8Array; options: PutOptions | undefined}
	| {method: 'putFile'; key: string; file: string; options: FileOptions | undefined}
	| {method: 'getFile'; key: string; file: string; options: TransferOptions | undefined}
	| {method: 'delete'; key: string}
	/** `key` is the first key, for filters and messages. */
	| {method: 'deleteMany'; key: string; keys: string[]}
	/** `key` is the prefix. */
	| {method: 'listPage'; key: string; options: ListOptions | undefined}
	| {method: 'serverTime'; key: ''};

type Results = {
	get: GetResult | undefined;
	head: ObjectInfo | undefined;
	put: {etag: string};
	putFile: {etag: string};
	getFile: ObjectInfo | undefined;
	delete: undefined;
	deleteMany: undefined;
	listPage: ListPage;
	serverTime: number;
};

export type ResultOf<C extends StoreCall> = Results[C['method']];

export type Middleware = {
	around<C extends StoreCall>(call: C, next: () => Promise<ResultOf<C>>, below: ObjectStore): Promise<ResultOf<C>>;
};

const operations: Record<Exclude<StoreCall['method'], 'put'>, Operation> = {
	get: 'get',
	head: 'head',
	putFile: 'put',
	getFile: 'get',
	delete: 'delete',
	deleteMany: 'delete-many',
	listPage: 'list',
	serverTime: 'time',
};

/** The call as the provider bills and names it: a GET, a create-only PUT, a LIST… */
export function operationOfCall(call: StoreCall): Operation {
	return call.method === 'put' ? operationOf(call.options?.condition) : operations[call.method];
}

/** Sends one call to a store. */
export async function callStore<C extends StoreCall>(store: ObjectStore, call: C): Promise<ResultOf<C>> {
	const c: StoreCall = call;
	const result = await (async () => {
		switch (c.method) {
			case 'get':
				return store.get(c.key, c.options);
			case 'head':
				return store.head(c.key);
			case 'put':
				return store.put(c.key, c.body, c.options);
			case 'putFile':
				return store.putFile(c.key, c.file, c.options);
			case 'getFile':
				return store.getFile(c.key, c.file, c.options);
			case 'delete':
				await store.delete(c.key);
				return undefined;
			case 'deleteMany':
				await store.deleteMany(c.keys);
				return undefined;
			case 'listPage':
				return store.listPage(c.key, c.options);
			case 'serverTime':
				return store.serverTime();
		}
	})();
	return result as ResultOf<C>;
}

/** The backend with `middlewares` around it, the first outermost. */
export function composeStore(backend: ObjectStore, middlewares: readonly Middleware[]): ObjectStore {
	const [outer, ...rest] = middlewares;
	if (!outer) return backend;
	const below = composeStore(backend, rest);
	const run = async <C extends StoreCall>(call: C): Promise<ResultOf<C>> =>
		outer.around(call, async () => callStore(below, call), below);
	return {
		location: backend.location,
		get timeRequests() {
			return backend.timeRequests;
		},
		get: async (key, options) => run({method: 'get', key, options}),
		head: async key => run({method: 'head', key}),
		put: async (key, body, options) => run({method: 'put', key, body: toBytes(body), options}),
		putFile: async (key, file, options) => run({method: 'putFile', key, file, options}),
		getFile: async (key, file, options) => run({method: 'getFile', key, file, options}),
		delete: async key => run({method: 'delete', key}),
		deleteMany: async keys => run({method: 'deleteMany', key: keys[0] ?? '', keys}),
		listPage: async (prefix, options) => run({method: 'listPage', key: prefix, options}),
		serverTime: async () => run({method: 'serverTime', key: ''}),
	};
}
