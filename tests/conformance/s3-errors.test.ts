import test from 'ava';
import {S3Store} from '../../source/storage/s3-store.js';
import {isStoreError} from '../../source/storage/store-error.js';
import {createBucket, requireS3} from '../support/s3-server.js';

test('s3: wrong credentials are classified as bad credentials', async t => {
	const server = requireS3(t);
	if (!server) return;
	const bucket = await createBucket(server);
	const store = new S3Store({
		bucket,
		endpoint: server.endpoint,
		credentials: {accessKeyId: 'nobody', secretAccessKey: 'wrong-secret'},
	});
	const error = await t.throwsAsync(store.get('x'));
	t.true(isStoreError(error, 'bad-credentials'), String(error));
	t.notRegex(String(error), /wrong-secret/);
});

test('s3: a missing bucket is classified as such', async t => {
	const server = requireS3(t);
	if (!server) return;
	const store = new S3Store({
		bucket: 'no-such-bucket-here',
		endpoint: server.endpoint,
		credentials: {accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey},
	});
	const error = await t.throwsAsync(store.listPage('x/'));
	t.true(isStoreError(error, 'bucket-missing'), String(error));
	const head = await t.throwsAsync(store.checkBucket());
	t.true(isStoreError(head, 'bucket-missing'), String(head));
});

test('s3: an unreachable endpoint is classified as a network error', async t => {
	const store = new S3Store({
		bucket: 'any',
		endpoint: 'http://127.0.0.1:9',
		credentials: {accessKeyId: 'a', secretAccessKey: 'b'},
		connectTimeoutMs: 1000,
	});
	const error = await t.throwsAsync(store.get('x'));
	t.true(isStoreError(error, 'network'), String(error));
});
