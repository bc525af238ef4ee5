/**
Provider differences, in one place: how S3-compatible servers answer, and what that means.

- Ceph RGW (and DigitalOcean Spaces) compare `If-Match` with the raw header: a quoted ETag,
  as the SDK returns it, always fails. We send ETags unquoted unless `doctor` found the
  provider wants quotes.
- `If-Match` on a missing key: AWS answers 404 NoSuchKey, Ceph 412. Both mean the
  condition is false.
- AWS may answer 409 ConditionalRequestConflict under contention: the condition lost.
- Error bodies are often empty (Ceph): branch on `name` and the HTTP status, not `message`.
- 304 on a conditional GET arrives as a thrown error carrying the status.
*/
import {StoreError, type StoreErrorKind} from './store-error.js';

type SdkErrorLike = {
	/** In RequestTimeTooSkewed answers: the server's time and the request's, as the body gives them. */
	ServerTime?: string;
	RequestTime?: string;
	name?: string;
	code?: string;
	message?: string;
	/** The SDK sets `clockSkewCorrected` when an answer's Date was 4+ minutes from this machine's. */
	$metadata?: {httpStatusCode?: number; clockSkewCorrected?: boolean};
	$response?: {headers?: Record<string, string | undefined>};
	Code?: string;
};

const byName: Record<string, StoreErrorKind> = {
	NoSuchKey: 'not-found',
	NotFound: 'not-found',
	PreconditionFailed: 'precondition-failed',
	ConditionalRequestConflict: 'precondition-failed',
	SlowDown: 'throttled',
	Throttling: 'throttled',
	ThrottlingException: 'throttled',
	RequestLimitExceeded: 'throttled',
	TooManyRequests: 'throttled',
	RequestTimeTooSkewed: 'clock-skew',
	AccessDenied: 'access-denied',
	AllAccessDisabled: 'access-denied',
	InvalidAccessKeyId: 'bad-credentials',
	SignatureDoesNotMatch: 'bad-credentials',
	InvalidToken: 'bad-credentials',
	ExpiredToken: 'bad-credentials',
	CredentialsProviderError: 'bad-credentials',
	NoSuchBucket: 'bucket-missing',
	NotImplemented: 'unsupported',
	InternalError: 'server',
	ServiceUnavailable: 'server',
	TimeoutError: 'network',
	RequestTimeout: 'network',
	AbortError: 'network',
};

const networkCodes = new Set([
	'ECONNREFUSED',
	'ENOTFOUND',
	'EAI_AGAIN',
	'ECONNRESET',
	'ETIMEDOUT',
	'EPIPE',
	'EHOSTUNREACH',
	'ENETUNREACH',
	'ECONNABORTED',
	'UND_ERR_SOCKET',
]);

function kindFromStatus(status: number | undefined): StoreErrorKind | undefined {
	switch (status) {
		case 404:
			return 'not-found';
		case 409:
		case 412:
			return 'precondition-failed';
		case 429:
		case 503:
			return 'throttled';
		case 403:
			return 'access-denied';
		case 501:
			return 'unsupported';
		case 507:
			return 'no-space';
		case 500:
		case 502:
		case 504:
			return 'server';
		default:
			return undefined;
	}
}

const plainWords: Record<StoreErrorKind, string> = {
	'not-found': 'no such key',
	'precondition-failed': 'the write condition was false',
	throttled: 'the server asks to slow down',
	'access-denied': 'access denied: the credentials lack permission for this bucket or prefix',
	'bad-credentials':
		'the credentials were not accepted: check BLOBFORGE_S3_ACCESS_KEY_ID and BLOBFORGE_S3_SECRET_ACCESS_KEY',
	'bucket-missing': 'the bucket does not exist: check BLOBFORGE_S3_BUCKET or create it',
	network: 'the endpoint could not be reached',
	unsupported: 'the provider does not support this request',
	server: 'the server failed',
	aborted: 'the request was given up',
	'no-space': 'the store has no room',
	'clock-skew': "this machine's clock is too far off: S3 refuses signatures more than 15 minutes from its own time",
	unknown: 'unexpected answer',
};

/** A web server, a proxy's error page or a console URL answers with HTML; S3 answers errors in XML. */
function isNotS3(e: SdkErrorLike): boolean {
	const contentType = e.$response?.headers?.['content-type'] ?? '';
	return /text\/html/i.test(contentType) || /Deserialization error|XML parse error/i.test(e.message ?? '');
}

export function classifyS3Error(error: unknown, operation: string, key?: string): StoreError {
	if (error instanceof StoreError) return error;
	const e = (error ?? {}) as SdkErrorLike;
	const status = e.$metadata?.httpStatusCode;
	if (isNotS3(e)) {
		const message = `this endpoint does not speak S3: it answered with a web page (HTTP ${status ?? '?'}), not an S3 answer`;
		return new StoreError('unsupported', message, {operation, key, status, cause: error});
	}
	const name = e.name ?? e.Code ?? '';
	// A refused signature with a far-off clock: by name where the answer has a body (GET), by the SDK's
	// correction flag where it has none (HEAD's bare 403).
	let kind: StoreErrorKind | undefined =
		byName[name] ?? (e.$metadata?.clockSkewCorrected && status === 403 ? 'clock-skew' : undefined);
	if (!kind && e.code && networkCodes.has(e.code)) kind = 'network';
	// A missing bucket on HEAD/GET of a key arrives as a bare 404; NoSuchBucket only when the body says so.
	kind ??= kindFromStatus(status);
	if (!kind && (e.message ?? '').match(/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|socket hang up|ECONNRESET|getaddrinfo/))
		kind = 'network';
	kind ??= 'unknown';
	if (kind === 'clock-skew') {
		const requestTime = Date.parse(e.RequestTime ?? '');
		const serverTime = Date.parse(e.ServerTime ?? e.$response?.headers?.['date'] ?? '');
		const skewMs = (Number.isFinite(requestTime) ? requestTime : Date.now()) - serverTime;
		const off = Number.isFinite(skewMs)
			? `this machine's clock is ${Math.round(Math.abs(skewMs) / 60_000)} minutes ${skewMs > 0 ? 'ahead' : 'behind'}`
			: "this machine's clock is more than 15 minutes off";
		return new StoreError(kind, `${off}; S3 refuses signatures that far from its own time`, {
			operation,
			key,
			status,
			cause: error,
		});
	}
	const providerWords = e.message && e.message !== 'UnknownError' ? e.message : name || `HTTP ${status ?? '?'}`;
	const message =
		kind === 'unknown' ? `${plainWords[kind]}: ${providerWords}` : `${plainWords[kind]} (${providerWords})`;
	return new StoreError(kind, message, {operation, key, status, cause: error});
}

/** HTTP status of a thrown SDK error, e.g. 304 for a conditional GET that matched. */
export function statusOf(error: unknown): number | undefined {
	return (error as SdkErrorLike | undefined)?.$metadata?.httpStatusCode;
}

export type EtagStyle = 'unquoted' | 'quoted';

export function stripEtag(etag: string | undefined): string {
	return (etag ?? '').replaceAll('"', '');
}

/** The If-Match header value this provider compares correctly. */
export function ifMatchValue(etag: string, style: EtagStyle): string {
	return style === 'quoted' ? `"${stripEtag(etag)}"` : stripEtag(etag);
}
