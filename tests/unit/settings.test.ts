import test from 'ava';
import {UserError} from '../../source/lib/errors.js';
import {resolveSettings} from '../../source/lib/settings.js';
import {redact} from '../../source/lib/redact.js';

test('no bucket: the embedded local store under XDG_DATA_HOME, prefix pdf/', t => {
	const settings = resolveSettings({}, {XDG_DATA_HOME: '/data'});
	t.deepEqual(settings.store, {kind: 'local', dir: '/data/blobforge/store'});
	t.is(settings.prefix, 'pdf/');
	t.is(settings.logLevel, 'info');
});

test("the earlier system's variables configure S3; flags override them", t => {
	const environment = {
		BLOBFORGE_S3_BUCKET: 'env-bucket',
		BLOBFORGE_S3_PREFIX: 'team',
		BLOBFORGE_S3_REGION: 'eu-west-1',
		BLOBFORGE_S3_ENDPOINT_URL: 'http://127.0.0.1:7480',
		BLOBFORGE_S3_ACCESS_KEY_ID: 'AKIA',
		BLOBFORGE_S3_SECRET_ACCESS_KEY: 'super-secret-value',
		BLOBFORGE_WORKER_ID: 'w-1',
		BLOBFORGE_LOG_LEVEL: 'WARNING',
	};
	const settings = resolveSettings({}, environment);
	t.deepEqual(settings.store, {
		kind: 's3',
		bucket: 'env-bucket',
		region: 'eu-west-1',
		endpoint: 'http://127.0.0.1:7480',
		forcePathStyle: true,
		credentials: {accessKeyId: 'AKIA', secretAccessKey: 'super-secret-value'},
	});
	t.is(settings.prefix, 'team/');
	t.is(settings.workerId, 'w-1');
	t.is(settings.logLevel, 'warn');
	const overridden = resolveSettings({bucket: 'flag-bucket', prefix: '', region: 'us-west-2'}, environment);
	t.is(overridden.store.kind === 's3' && overridden.store.bucket, 'flag-bucket');
	t.is(overridden.prefix, '');
	const local = resolveSettings({storeDir: '/tmp/s'}, environment);
	t.deepEqual(local.store, {kind: 'local', dir: '/tmp/s'});
	t.is(redact('error: key super-secret-value leaked'), 'error: key [redacted] leaked');
});

test('no credentials: the SDK default chain is left to work', t => {
	const settings = resolveSettings({}, {BLOBFORGE_S3_BUCKET: 'abc'});
	t.is(settings.store.kind === 's3' && settings.store.credentials, undefined);
	t.is(settings.store.kind === 's3' && settings.store.forcePathStyle, false);
});

test('invalid values are configuration errors', t => {
	for (const environment of [
		{BLOBFORGE_S3_PREFIX: '/abs'},
		{BLOBFORGE_LOG_LEVEL: 'loud'},
		{BLOBFORGE_S3_BUCKET: 'abc', BLOBFORGE_S3_PATH_STYLE: 'maybe'},
		{BLOBFORGE_WORKER_ID: 'has space'},
	]) {
		const error = t.throws(() => resolveSettings({}, environment));
		t.true(error instanceof UserError && error.exitCode === 3, JSON.stringify(environment));
	}
});
