/**
Every failure of an object store, classified once at the backend edge so the layers above
branch on a kind, never on provider error names or HTTP codes.
*/
export type StoreErrorKind =
	/** The key does not exist (404 NoSuchKey, ENOENT). */
	| 'not-found'
	/** A write condition was false: If-None-Match on an existing key, a stale If-Match (412, 409). */
	| 'precondition-failed'
	/** The provider asks us to slow down (503 SlowDown, 429). Safe to retry after a pause. */
	| 'throttled'
	/** The credentials are valid but lack permission (403 AccessDenied). */
	| 'access-denied'
	/** The credentials are not accepted (InvalidAccessKeyId, SignatureDoesNotMatch). */
	| 'bad-credentials'
	/** The bucket (or the local store's directory) does not exist. */
	| 'bucket-missing'
	/** The endpoint could not be reached or the connection broke (ECONNREFUSED, ENOTFOUND, reset, timeout). */
	| 'network'
	/** The provider does not implement what was asked (501 NotImplemented, conditional headers ignored). */
	| 'unsupported'
	/** The server failed (500, 502, 504). Safe operations may retry. */
	| 'server'
	/** The server refuses this machine's signatures because its clock is too far off (RequestTimeTooSkewed). */
	| 'clock-skew'
	/** The store has no room: a full disk or quota (the local store), 507 InsufficientStorage. Nothing was written. */
	| 'no-space'
	/** The caller gave up (its signal aborted: a shutdown or a cancel); nothing to retry. */
	| 'aborted'
	/** Anything else; the message carries the provider's words. */
	| 'unknown';

export class StoreError extends Error {
	override readonly name = 'StoreError';

	constructor(
		readonly kind: StoreErrorKind,
		message: string,
		readonly details: {operation?: string; key?: string; status?: number; cause?: unknown} = {},
	) {
		super(message, details.cause === undefined ? undefined : {cause: details.cause});
	}

	/** True when the request may have taken effect although the caller saw an error. */
	get isAmbiguous(): boolean {
		return this.kind === 'network' || this.kind === 'server' || this.kind === 'unknown';
	}

	/**
	True when repeating the same request later may succeed. A clock-skew refusal may: the SDK corrects
	its clock offset from the refusal's Date header, so the retry is signed with the server's time
	(what the SDK's own retries would do; ours replace them).
	*/
	get isTransient(): boolean {
		return this.kind === 'throttled' || this.kind === 'network' || this.kind === 'server' || this.kind === 'clock-skew';
	}
}

/** The request was given up by its caller's signal. */
export function abortedError(operation: string, key: string, cause?: unknown): StoreError {
	return new StoreError('aborted', `the ${operation} of ${key} was given up`, {operation, key, cause});
}

export function isStoreError(error: unknown, kind?: StoreErrorKind): error is StoreError {
	return error instanceof StoreError && (kind === undefined || error.kind === kind);
}
