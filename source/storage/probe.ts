/**
The capability probe behind `blobforge doctor`: what this store supports, measured under a
scratch prefix that is removed afterwards. BlobForge needs create-only writes and
compare-and-swap that refuses stale ETags; without both, leases cannot be fenced safely.
*/
import {randomBytes} from 'node:crypto';
import {LocalStore} from './local-store.js';
import {collectAll, isNotModified, type ObjectStore, type StoredObject} from './object-store.js';
import type {EtagStyle} from './s3-classify.js';
import {S3Store} from './s3-store.js';
import {isStoreError, StoreError} from './store-error.js';

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'info';

export type Check = {name: string; status: CheckStatus; detail: string};

export type ProbeResult = {
	checks: Check[];
	/** True when leases can be fenced: create-only and compare-and-swap both work. */
	safeForLeases: boolean;
	/** False when the store could not be reached or used at all. */
	reachable: boolean;
	etagStyle?: EtagStyle;
	clockSkewMs?: number;
	checkedAt: number;
};

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

async function timed<T>(run: () => Promise<T>): Promise<[T, number]> {
	const started = performance.now();
	const result = await run();
	return [result, performance.now() - started];
}

function describe(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}

/** Runs every probe against `store` (the full stack) and `backend` (for provider-specific checks). */
export async function probeStore(store: ObjectStore, backend: ObjectStore, prefix: string): Promise<ProbeResult> {
	const checks: Check[] = [];
	const add = (name: string, status: CheckStatus, detail: string) => checks.push({name, status, detail});
	const scratch = `${prefix}_doctor/${randomBytes(4).toString('hex')}/`;
	const result: ProbeResult = {checks, safeForLeases: false, reachable: false, checkedAt: Date.now()};

	try {
		if (backend instanceof S3Store) {
			const [, ms] = await timed(() => backend.checkBucket());
			add('connect', 'ok', `bucket reachable (${ms.toFixed(0)} ms)`);
		} else {
			add('connect', 'ok', 'local directory');
		}
	} catch (error) {
		add('connect', 'fail', describe(error));
		return result;
	}

	const key = (name: string) => `${scratch}${name}`;
	try {
		await store.put(key('plain'), 'blobforge doctor probe');
		add('write (PUT)', 'ok', `under ${scratch}`);
	} catch (error) {
		add('write (PUT)', 'fail', describe(error));
		return result;
	}
	result.reachable = true;
	try {
		const got = await store.get(key('plain'));
		const same = got && !isNotModified(got) && Buffer.from(got.body).toString() === 'blobforge doctor probe';
		add('read (GET)', same ? 'ok' : 'fail', same ? 'body matches' : 'body differs from what was written');
		const listed = await collectAll(store, scratch);
		add(
			'list',
			listed.some(e => e.key === key('plain')) ? 'ok' : 'fail',
			`${listed.length} key(s) under the scratch prefix`,
		);
	} catch (error) {
		add('read and list', 'fail', describe(error));
	}

	try {
		const name = 'Grüße – 東京 ✓.pdf';
		await store.put(key('meta'), 'x', {metadata: {'original-name': name}});
		const head = await store.head(key('meta'));
		add(
			'metadata round trip',
			head?.metadata['original-name'] === name ? 'ok' : 'fail',
			head?.metadata['original-name'] === name
				? 'non-ASCII file names survive'
				: `read back ${JSON.stringify(head?.metadata['original-name'])}`,
		);
	} catch (error) {
		add('metadata round trip', 'fail', describe(error));
	}

	let createOnly = false;
	try {
		await store.put(key('create'), 'first', {condition: {kind: 'create-only'}});
		try {
			await store.put(key('create'), 'second', {condition: {kind: 'create-only'}});
			add(
				'create-only (If-None-Match: *)',
				'fail',
				'a second create-only write succeeded: the provider ignores If-None-Match',
			);
		} catch (error) {
			if (!isStoreError(error, 'precondition-failed')) throw error;
			createOnly = true;
			add('create-only (If-None-Match: *)', 'ok', 'second write refused with 412');
		}
	} catch (error) {
		add(
			'create-only (If-None-Match: *)',
			'fail',
			isStoreError(error, 'unsupported') ? 'not supported by this provider' : describe(error),
		);
	}

	let compareAndSwap = false;
	try {
		const styles: EtagStyle[] = ['unquoted', 'quoted'];
		const accepted: EtagStyle[] = [];
		const original = backend instanceof S3Store ? backend.etagStyle : undefined;
		for (const style of backend instanceof S3Store ? styles : ['unquoted' as const]) {
			if (backend instanceof S3Store) backend.etagStyle = style;
			const {etag} = await store.put(key(`cas-${style}`), 'v1');
			try {
				await store.put(key(`cas-${style}`), 'v2', {condition: {kind: 'if-match', etag}});
				accepted.push(style);
			} catch (error) {
				if (!isStoreError(error, 'precondition-failed')) throw error;
			}
		}
		if (backend instanceof S3Store && original) backend.etagStyle = accepted[0] ?? original;
		result.etagStyle = accepted[0];
		const {etag: current} = await store.put(key('cas-stale'), 'v1');
		await store.put(key('cas-stale'), 'v2');
		let staleRefused = false;
		try {
			await store.put(key('cas-stale'), 'v3', {condition: {kind: 'if-match', etag: current}});
		} catch (error) {
			if (!isStoreError(error, 'precondition-failed')) throw error;
			staleRefused = true;
		}
		compareAndSwap = accepted.length > 0 && staleRefused;
		const detail = [
			accepted.length === 0 ? 'no ETag form was accepted' : `${accepted.join(' and ')} ETag accepted`,
			staleRefused ? 'stale ETag refused' : 'a STALE ETag was accepted: the provider ignores If-Match',
		].join('; ');
		add('compare-and-swap (If-Match)', compareAndSwap ? 'ok' : 'fail', detail);
	} catch (error) {
		add(
			'compare-and-swap (If-Match)',
			'fail',
			isStoreError(error, 'unsupported') ? 'not supported by this provider' : describe(error),
		);
	}

	try {
		await store.put(key('missing'), 'x', {condition: {kind: 'if-match', etag: '0123456789abcdef0123456789abcdef'}});
		add('If-Match on a missing key', 'fail', 'the write succeeded: a deleted lease could be brought back');
	} catch (error) {
		const status = error instanceof StoreError ? error.details.status : undefined;
		add(
			'If-Match on a missing key',
			isStoreError(error, 'precondition-failed') ? 'ok' : 'fail',
			isStoreError(error, 'precondition-failed')
				? `refused (${status ?? 412}; AWS answers 404, Ceph 412: both handled)`
				: describe(error),
		);
	}

	if (backend instanceof S3Store) {
		try {
			await store.put(key('cond-delete'), 'x');
			const verdict = await backend.probeConditionalDelete(key('cond-delete'));
			add(
				'conditional delete (If-Match)',
				'info',
				verdict === 'honoured'
					? 'honoured (not relied on)'
					: 'ignored by this provider (BlobForge does not rely on it)',
			);
		} catch (error) {
			add('conditional delete (If-Match)', 'info', `could not be probed: ${describe(error)}`);
		}
	} else if (backend instanceof LocalStore) {
		add('conditional delete (If-Match)', 'info', 'not used by BlobForge');
	}

	try {
		const before = Date.now();
		const server = await store.serverTime();
		const skew = server - (before + Date.now()) / 2;
		result.clockSkewMs = skew;
		const words =
			Math.abs(skew) < 1000
				? 'within a second'
				: `server is ${(Math.abs(skew) / 1000).toFixed(1)} s ${skew > 0 ? 'ahead of' : 'behind'} this machine`;
		add('clock skew', Math.abs(skew) > 60_000 ? 'warn' : 'ok', `${words} (leases are judged by the server's clock)`);
	} catch (error) {
		add('clock skew', 'warn', describe(error));
	}

	try {
		const gets: number[] = [];
		const puts: number[] = [];
		for (let i = 0; i < 5; i++) {
			puts.push((await timed(() => store.put(key(`latency-${i}`), 'x')))[1]);
			gets.push((await timed(() => store.get(key(`latency-${i}`)) as Promise<StoredObject | undefined>))[1]);
		}
		add('latency', 'ok', `median GET ${median(gets).toFixed(1)} ms, PUT ${median(puts).toFixed(1)} ms`);
	} catch (error) {
		add('latency', 'warn', describe(error));
	}

	try {
		const leftovers = await collectAll(store, scratch);
		await Promise.all(leftovers.map(async e => store.delete(e.key)));
		const remaining = await collectAll(store, scratch);
		add(
			'delete',
			remaining.length === 0 ? 'ok' : 'fail',
			remaining.length === 0
				? `scratch prefix removed (${leftovers.length} objects)`
				: `${remaining.length} objects could not be deleted`,
		);
	} catch (error) {
		add('delete', 'fail', describe(error));
	}

	result.safeForLeases = createOnly && compareAndSwap && !checks.some(c => c.status === 'fail');
	return result;
}
