/** What Ceph RGW never answers but AWS and other providers do, classified from SDK-shaped errors. */
import test from 'ava';
import {classifyS3Error} from '../../source/storage/s3-classify.js';
import type {StoreErrorKind} from '../../source/storage/store-error.js';

type Case = {
	what: string;
	error: {
		name?: string;
		code?: string;
		message?: string;
		$metadata?: {httpStatusCode?: number; clockSkewCorrected?: boolean};
		$response?: {headers?: Record<string, string | undefined>};
		ServerTime?: string;
		RequestTime?: string;
	};
	kind: StoreErrorKind;
	transient: boolean;
	ambiguous: boolean;
};

const sdk = (name: string, status: number, message = 'UnknownError') => ({
	name,
	message,
	$metadata: {httpStatusCode: status},
});

const cases: Case[] = [
	{
		what: 'AWS 409 ConditionalRequestConflict',
		error: sdk('ConditionalRequestConflict', 409),
		kind: 'precondition-failed',
		transient: false,
		ambiguous: false,
	},
	{what: 'a bare 409', error: sdk('Unknown', 409), kind: 'precondition-failed', transient: false, ambiguous: false},
	{
		what: '412 PreconditionFailed',
		error: sdk('PreconditionFailed', 412),
		kind: 'precondition-failed',
		transient: false,
		ambiguous: false,
	},
	{what: '503 SlowDown', error: sdk('SlowDown', 503), kind: 'throttled', transient: true, ambiguous: false},
	{
		what: '429 TooManyRequests',
		error: sdk('TooManyRequests', 429),
		kind: 'throttled',
		transient: true,
		ambiguous: false,
	},
	{what: 'a bare 429', error: sdk('Unknown', 429), kind: 'throttled', transient: true, ambiguous: false},
	{
		what: '501 NotImplemented',
		error: sdk('NotImplemented', 501),
		kind: 'unsupported',
		transient: false,
		ambiguous: false,
	},
	{what: 'a bare 501', error: sdk('Unknown', 501), kind: 'unsupported', transient: false, ambiguous: false},
	{what: '500 InternalError', error: sdk('InternalError', 500), kind: 'server', transient: true, ambiguous: true},
	{what: 'a bare 502', error: sdk('Unknown', 502), kind: 'server', transient: true, ambiguous: true},
	{
		what: '403 AccessDenied',
		error: sdk('AccessDenied', 403),
		kind: 'access-denied',
		transient: false,
		ambiguous: false,
	},
	{what: 'ExpiredToken', error: sdk('ExpiredToken', 400), kind: 'bad-credentials', transient: false, ambiguous: false},
	{what: 'NoSuchBucket', error: sdk('NoSuchBucket', 404), kind: 'bucket-missing', transient: false, ambiguous: false},
	{what: 'NoSuchKey', error: sdk('NoSuchKey', 404), kind: 'not-found', transient: false, ambiguous: false},
	{
		what: 'ECONNRESET on the socket',
		error: {code: 'ECONNRESET', message: 'socket hang up'},
		kind: 'network',
		transient: true,
		ambiguous: true,
	},
	{
		what: 'ENOTFOUND in the message only',
		error: {message: 'getaddrinfo ENOTFOUND s3.example'},
		kind: 'network',
		transient: true,
		ambiguous: true,
	},
	{
		what: 'a TimeoutError',
		error: {name: 'TimeoutError', message: 'timed out'},
		kind: 'network',
		transient: true,
		ambiguous: true,
	},
	{what: 'an unknown 418', error: sdk('Teapot', 418), kind: 'unknown', transient: false, ambiguous: true},
];

for (const c of cases) {
	test(`s3 error: ${c.what} → ${c.kind}`, t => {
		const classified = classifyS3Error(c.error, 'put-create-only', 'queue/processing/x');
		t.is(classified.kind, c.kind);
		t.is(classified.isTransient, c.transient, 'transient');
		t.is(classified.isAmbiguous, c.ambiguous, 'ambiguous');
		t.is(classified.details.key, 'queue/processing/x');
		t.notRegex(classified.message, /^UnknownError$/, 'the message says more than the SDK');
	});
}

test('s3 error: RequestTimeTooSkewed says how far the clock is off, not "access denied"', t => {
	const error = {
		...sdk('RequestTimeTooSkewed', 403),
		RequestTime: '2026-12-01T10:47:00Z',
		ServerTime: '2026-12-01T10:00:00Z',
	};
	const classified = classifyS3Error(error, 'get', 'x');
	t.is(classified.kind, 'clock-skew');
	t.regex(classified.message, /this machine's clock is 47 minutes ahead; S3 refuses signatures/);
	t.notRegex(classified.message, /access denied|permission/);
	t.true(classified.isTransient, 'retried once the SDK has corrected its clock offset');
});

test("s3 error: a HEAD's bare 403 that the SDK flagged as clock skew is clock skew too", t => {
	const serverDate = new Date(Date.now() - 47 * 60_000).toUTCString();
	const classified = classifyS3Error(
		{
			name: 'Unknown',
			message: 'UnknownError',
			$metadata: {httpStatusCode: 403, clockSkewCorrected: true},
			$response: {headers: {date: serverDate}},
		},
		'head',
		'x',
	);
	t.is(classified.kind, 'clock-skew');
	t.regex(classified.message, /clock is 4[67] minutes ahead/);
});

test('s3 error: a web page instead of an S3 answer says the endpoint does not speak S3', t => {
	for (const error of [
		{
			name: 'NotFound',
			message: 'UnknownError',
			$metadata: {httpStatusCode: 404},
			$response: {headers: {'content-type': 'text/html; charset=utf-8'}},
		},
		{
			name: 'Error',
			message: '@aws-sdk XML parse error: mismatched tags <meta> and </head>.\n  Deserialization error: …',
			$metadata: {httpStatusCode: 200},
		},
	]) {
		const classified = classifyS3Error(error, 'list', 'pdf/');
		t.is(classified.kind, 'unsupported');
		t.regex(classified.message, /this endpoint does not speak S3/);
		t.notRegex(classified.message, /no such key|bucket/);
	}
});
