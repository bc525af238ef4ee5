/**
Remote configuration (`registry/config.json`): one object every worker reads, cached.

Requests: load = 1 GET, conditional once an ETag is known (a 304 costs a GET and moves no bytes);
a missing object is cached too (the earlier system re-requested a missing config.json on every
read). set = GET + PUT If-Match (If-None-Match: * when absent), retried on a lost race, so two
operators setting different keys lose neither.
*/
import {isNotModified} from '../storage/object-store.js';
import {isStoreError} from '../storage/store-error.js';
import type {QueueContext} from './queue-context.js';
import {
	defaultRemoteConfig,
	isObject,
	parseJson,
	parseRemoteConfig,
	assignConfig,
	validateConfigValue,
	type RemoteConfig,
} from './records.js';

export type ConfigSnapshot = {config: RemoteConfig; problems: string[]; etag?: string; exists: boolean};

/** Caches the remote config for `ttlMs` (measured on the injected clock). */
export class RemoteConfigCache {
	private current: ConfigSnapshot = {config: {...defaultRemoteConfig}, problems: [], exists: false};
	private fetchedAt = Number.NEGATIVE_INFINITY;

	constructor(
		private readonly context: Pick<QueueContext, 'store' | 'keys' | 'clock'>,
		/** How long a read config is used before asking again: a conditional GET each time, per worker. @default 1800000 */
		readonly ttlMs = 1_800_000,
	) {}

	/** The cached config, without a request. */
	get config(): RemoteConfig {
		return this.current.config;
	}

	/** Refreshes when the cache time has passed; returns the config either way. */
	async get(): Promise<ConfigSnapshot> {
		if (this.context.clock.now() - this.fetchedAt < this.ttlMs) return this.current;
		return this.refresh();
	}

	async refresh(): Promise<ConfigSnapshot> {
		const got = await this.context.store.get(
			this.context.keys.config(),
			this.current.etag ? {ifNoneMatch: this.current.etag} : undefined,
		);
		this.fetchedAt = this.context.clock.now();
		if (isNotModified(got)) return this.current;
		if (!got) {
			this.current = {config: {...defaultRemoteConfig}, problems: [], exists: false};
			return this.current;
		}
		const {config, problems} = parseRemoteConfig(got.body);
		this.current = {
			config,
			problems: problems.map(p => `${this.context.keys.config()}: ${p}`),
			etag: got.etag,
			exists: true,
		};
		return this.current;
	}
}

export type ConfigChange = {key: string; value: string};

/** Parses `key=value` arguments; every bad one is reported, none applied. */
export function parseConfigAssignments(assignments: string[]): {changes: Partial<RemoteConfig>; errors: string[]} {
	const changes: Partial<RemoteConfig> = {};
	const errors: string[] = [];
	for (const assignment of assignments) {
		const equals = assignment.indexOf('=');
		if (equals <= 0) {
			errors.push(`"${assignment}" is not key=value`);
			continue;
		}
		const key = assignment.slice(0, equals).trim();
		const checked = validateConfigValue(key, assignment.slice(equals + 1).trim());
		if (checked.ok) assignConfig(changes, key as keyof RemoteConfig, checked.value);
		else errors.push(checked.reason);
	}
	return {changes, errors};
}

/** Applies validated changes with compare-and-swap; unknown keys already there are kept. */
export async function setRemoteConfig(
	context: Pick<QueueContext, 'store' | 'keys'>,
	changes: Partial<RemoteConfig>,
): Promise<RemoteConfig> {
	for (let attempt = 0; ; attempt++) {
		const got = await context.store.get(context.keys.config());
		const existing = got && !isNotModified(got) ? parseJson(got.body) : undefined;
		const base = existing?.ok && isObject(existing.value) ? existing.value : {};
		const merged = {...defaultRemoteConfig, ...base, ...changes};
		try {
			await context.store.put(context.keys.config(), JSON.stringify(merged, null, 2), {
				condition: got && !isNotModified(got) ? {kind: 'if-match', etag: got.etag} : {kind: 'create-only'},
				contentType: 'application/json',
			});
			return parseRemoteConfig(JSON.stringify(merged)).config;
		} catch (error) {
			if (!isStoreError(error, 'precondition-failed') || attempt >= 10) throw error;
		}
	}
}
