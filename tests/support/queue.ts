/** A queue on a fresh local store with a manual clock and counted requests. */
import {ManualClock} from '../../source/lib/clock.js';
import {Keys} from '../../source/queue/keys.js';
import {openQueueContext, type QueueContext} from '../../source/queue/queue-context.js';
import {defaultRemoteConfig, type RemoteConfig} from '../../source/queue/records.js';
import {counting} from '../../source/storage/counting.js';
import {composeStore, type Middleware, operationOfCall} from '../../source/storage/store-chain.js';
import {LocalStore} from '../../source/storage/local-store.js';
import type {ObjectStore, Operation} from '../../source/storage/object-store.js';
import {tempDir} from './temp.js';

export type RecordedRequest = {operation: Operation; key: string};

/** Wraps a store and records (operation, key) of each request, for request-list assertions. */
export function recording(inner: ObjectStore): {store: ObjectStore; requests: RecordedRequest[]} {
	const requests: RecordedRequest[] = [];
	const record: Middleware = {
		async around(call, next) {
			if (call.method === 'deleteMany') for (const key of call.keys) requests.push({operation: 'delete-many', key});
			else if (call.method !== 'serverTime') requests.push({operation: operationOfCall(call), key: call.key});
			return next();
		},
	};
	return {store: composeStore(inner, [record]), requests};
}

export async function makeQueue(config: Partial<RemoteConfig> = {}) {
	const clock = new ManualClock();
	const base = new LocalStore({root: await tempDir('bf-queue-'), clock});
	const counter = counting();
	const {store, requests} = recording(composeStore(base, [counter]));
	const keys = new Keys('pdf/');
	const remote = {...defaultRemoteConfig, ...config};
	const context: QueueContext = openQueueContext(store, {prefix: keys.prefix, clock, config: remote});
	return {context, clock, requests, keys, base, remote, stats: counter.stats};
}

/** Moves the clock past two heartbeat intervals: what a janitor pass waits for before it reads (and sweeps) an ended lease. */
export function letLeasesSettle(clock: ManualClock, config: RemoteConfig = defaultRemoteConfig): void {
	clock.advance(2 * config.heartbeat_interval * 1000 + 1000);
}

export function hashOf(n: number): string {
	return n.toString(16).padStart(64, '0');
}

/** Request lists written the way transition headers and DESIGN.md write them. */
export function describeRequests(requests: RecordedRequest[], keys: Keys): string[] {
	return requests.map(r => `${r.operation} ${r.key.slice(keys.prefix.length).replaceAll(/[0-9a-f]{64}/g, '<hash>')}`);
}

/** A worker's registration as a worker writes it (idle unless `status` says otherwise), for tests that place one. */
export function registrationOf(worker: string, status = 'idle') {
	return {
		version: 1,
		worker,
		host: 'h',
		pid: 1,
		softwareVersion: 't',
		status,
		store: 'local',
		startedAt: 0,
		lastSeen: 0,
		jobsCompleted: 0,
		jobsFailed: 0,
		pagesProcessed: 0,
		bytesProcessed: 0,
		busyMs: 0,
	};
}
