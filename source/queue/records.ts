/**
Types for every record BlobForge stores in the bucket, with parsers that validate what is
read. A parser returns the record or the reason it was rejected; a malformed object is
reported and skipped by its reader, never a crash.
*/
export type Parsed<T> = {ok: true; value: T} | {ok: false; reason: string};

export function parseJson(body: Uint8Array | string): Parsed<unknown> {
	const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
	try {
		return {ok: true, value: JSON.parse(text) as unknown};
	} catch (error) {
		return {ok: false, reason: `not valid JSON (${(error as Error).message})`};
	}
}

export function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What `doctor` found the provider supports; workers read it instead of probing again. */
export type Capabilities = {
	version: 1;
	checkedAt: string;
	location: string;
	createOnly: boolean;
	compareAndSwap: boolean;
	etagStyle: 'unquoted' | 'quoted';
	safeForLeases: boolean;
	clockSkewMs?: number;
};

export function parseCapabilities(body: Uint8Array | string): Parsed<Capabilities> {
	const json = parseJson(body);
	if (!json.ok) return json;
	const v = json.value;
	if (!isObject(v)) return {ok: false, reason: 'not a JSON object'};
	if (v['version'] !== 1) return {ok: false, reason: `unknown version ${JSON.stringify(v['version'])}`};
	if (typeof v['createOnly'] !== 'boolean' || typeof v['compareAndSwap'] !== 'boolean' || typeof v['safeForLeases'] !== 'boolean') return {ok: false, reason: 'missing createOnly, compareAndSwap or safeForLeases'};
	if (v['etagStyle'] !== 'unquoted' && v['etagStyle'] !== 'quoted') return {ok: false, reason: 'etagStyle must be quoted or unquoted'};
	return {ok: true, value: v as unknown as Capabilities};
}
