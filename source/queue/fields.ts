/**
Field readers for records read from the bucket. Anyone who can write to the bucket can write any
JSON, so every field is checked for its type and every string is bounded before a view draws it:
a required field that is wrong makes the record malformed (reported, skipped); an optional one is
dropped (the record is repaired); a string longer than its bound is cut.

A schema library would do the same with more weight: the records are few and flat, and each parser
also reads the earlier system's fields, which a schema would need escape hatches for.
*/

export function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The longest strings kept, by what they hold. */
export const bounds = {
	/** A worker id, host, software version, store line. */
	label: 256,
	/** A file name, a path. */
	name: 1024,
	/** An error message. */
	error: 4096,
	/** A converter's output kept in a job log. */
	output: 20_000,
} as const;

/** Cuts a string to `max` characters (UTF-16 units, never inside a surrogate pair), marking the cut. */
export function bounded(text: string, max: number): string {
	if (text.length <= max) return text;
	let end = max - 1;
	const code = text.charCodeAt(end - 1);
	if (code >= 0xd8_00 && code <= 0xdb_ff) end--;
	return `${text.slice(0, end)}…`;
}

export function stringField(v: Record<string, unknown>, key: string, max: number): string | undefined {
	const value = v[key];
	return typeof value === 'string' ? bounded(value, max) : undefined;
}

export function numberField(
	v: Record<string, unknown>,
	key: string,
	rule: {min?: number; integer?: boolean} = {},
): number | undefined {
	const value = v[key];
	if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
	if (rule.integer && !Number.isInteger(value)) return undefined;
	if (rule.min !== undefined && value < rule.min) return undefined;
	return value;
}

export function booleanField(v: Record<string, unknown>, key: string): boolean | undefined {
	const value = v[key];
	return typeof value === 'boolean' ? value : undefined;
}

export function oneOf<T extends string>(v: Record<string, unknown>, key: string, values: readonly T[]): T | undefined {
	const value = v[key];
	return typeof value === 'string' && (values as readonly string[]).includes(value) ? (value as T) : undefined;
}

/** `{key: value}` when the value is defined, `{}` otherwise: for building records without undefined fields. */
export function present<K extends string, T>(key: K, value: T | undefined): {[P in K]?: T} {
	return (value === undefined ? {} : {[key]: value}) as {[P in K]?: T};
}

/** An object field, or undefined. */
export function objectField(v: Record<string, unknown>, key: string): Record<string, unknown> | undefined {
	const value = v[key];
	return isObject(value) ? value : undefined;
}
