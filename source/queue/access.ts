/**
What the credentials in use may do, found without side effects: a PUT with an `If-Match` that can
never match is refused with 412 (or 404 on AWS, for a missing key) when writing is allowed, and with
403 when it is not (providers authorize before they check preconditions). Nothing is written; on a
provider that ignored the condition, the probe object is deleted again.

Roles, as the readme's IAM policies grant them:
- read-only console: GET and LIST under the prefix;
- worker: also writes under queue/, store/out/ and registry/workers/, registry/logs/;
- operator: also writes the raw PDFs (store/raw/) and the registry's config and manifest.

Requests: LIST queue/ (one key) · one conditional PUT per probed folder (refused) · a DELETE only
when a provider wrote one anyway.
*/
import {isStoreError} from '../storage/store-error.js';
import type {QueueContext} from './queue-context.js';

export type Access = 'allowed' | 'denied' | 'unknown';
export type Roles = {read: Access; worker: Access; operator: Access; detail: string[]};

const neverMatches = '"blobforge-access-probe-0000"';

async function probeWrite(context: Pick<QueueContext, 'store'>, key: string): Promise<Access> {
	try {
		await context.store.put(key, '', {condition: {kind: 'if-match', etag: neverMatches}});
		// Written: the provider ignored If-Match. Allowed, and the probe object goes again.
		await context.store.delete(key).catch(() => undefined);
		return 'allowed';
	} catch (error) {
		if (isStoreError(error, 'precondition-failed') || isStoreError(error, 'not-found')) return 'allowed';
		if (isStoreError(error, 'access-denied')) return 'denied';
		return 'unknown';
	}
}

/** Whether these credentials may write the queue (what a console's actions need): one refused PUT. */
export async function queueWriteAccess(context: Pick<QueueContext, 'store' | 'keys'>): Promise<Access> {
	return probeWrite(context, `${context.keys.prefix}queue/_access-probe`);
}

function both(a: Access, b: Access): Access {
	if (a === 'denied' || b === 'denied') return 'denied';
	return a === 'allowed' && b === 'allowed' ? 'allowed' : 'unknown';
}

export async function probeRoles(context: Pick<QueueContext, 'store' | 'keys'>): Promise<Roles> {
	const {store, keys} = context;
	let read: Access = 'allowed';
	try {
		await store.listPage(`${keys.prefix}queue/`, {pageSize: 1});
	} catch (error) {
		read = isStoreError(error, 'access-denied') ? 'denied' : 'unknown';
	}
	const probe = (folder: string) => probeWrite(context, `${keys.prefix}${folder}_access-probe`);
	const [queue, results, registrations, raw, config] = await Promise.all([
		probe('queue/'),
		probe('store/out/'),
		probe('registry/workers/'),
		probe('store/raw/'),
		probe('registry/'),
	]);
	const worker = both(read, both(queue, both(results, registrations)));
	const operator = both(worker, both(raw, config));
	const detail = [
		`write queue/ ${queue}, store/out/ ${results}, registry/workers/ ${registrations}`,
		`write store/raw/ ${raw}, registry/ ${config}`,
	];
	return {read, worker, operator, detail};
}

/** The strongest role the probe found, for one line. */
export function strongestRole(roles: Roles): 'operator' | 'worker' | 'read-only console' | 'none' | 'unknown' {
	if (roles.operator === 'allowed') return 'operator';
	if (roles.worker === 'allowed') return 'worker';
	if (roles.read === 'allowed') return roles.worker === 'denied' ? 'read-only console' : 'unknown';
	return roles.read === 'denied' ? 'none' : 'unknown';
}
