/**
Stores what `doctor` found, so workers read one small object at start instead of probing.

Requests: save = 1 PUT registry/capabilities.json (unconditional; the newest probe wins);
load = 1 GET (missing → undefined; malformed → reported, treated as unknown).
*/
import type {ObjectStore} from '../storage/object-store.js';
import {isNotModified} from '../storage/object-store.js';
import type {ProbeResult} from '../storage/probe.js';
import type {Keys} from './keys.js';
import {parseCapabilities, type Capabilities, type Parsed} from './records.js';

export async function saveCapabilities(
	store: ObjectStore,
	keys: Keys,
	probe: ProbeResult,
	location: string,
): Promise<Capabilities> {
	const capabilities: Capabilities = {
		version: 1,
		checkedAt: new Date(probe.checkedAt).toISOString(),
		location,
		createOnly: probe.checks.some(c => c.name.startsWith('create-only') && c.status === 'ok'),
		compareAndSwap: probe.checks.some(c => c.name.startsWith('compare-and-swap') && c.status === 'ok'),
		etagStyle: probe.etagStyle ?? 'unquoted',
		safeForLeases: probe.safeForLeases,
		clockSkewMs: probe.clockSkewMs,
	};
	await store.put(keys.capabilities(), JSON.stringify(capabilities, null, 2), {contentType: 'application/json'});
	return capabilities;
}

export async function loadCapabilities(store: ObjectStore, keys: Keys): Promise<Parsed<Capabilities> | undefined> {
	const got = await store.get(keys.capabilities());
	if (!got || isNotModified(got)) return undefined;
	return parseCapabilities(got.body);
}
