/**
User metadata travels as HTTP headers, which must be ASCII. Values are percent-encoded
(everything but letters, digits and `_.-~`), exactly as the earlier Python system did, so
a bucket it wrote reads back the same and non-ASCII file names round-trip.
*/
import type {Metadata} from './object-store.js';

export function encodeMetadataValue(value: string): string {
	return encodeURIComponent(value).replaceAll(/[!'()*]/g, c => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function decodeMetadataValue(value: string): string {
	try {
		return decodeURIComponent(value);
	} catch {
		// Not our encoding (written by another tool): show it as it is.
		return value;
	}
}

export function encodeMetadata(metadata: Metadata | undefined): Metadata | undefined {
	if (!metadata) return undefined;
	return Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k.toLowerCase(), encodeMetadataValue(v)]));
}

export function decodeMetadata(metadata: Metadata | undefined): Metadata {
	if (!metadata) return {};
	return Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k.toLowerCase(), decodeMetadataValue(v)]));
}
