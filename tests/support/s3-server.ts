/**
Access to the test S3 server (Ceph RGW booted by scripts/s3-test-server.sh through
`npm test`). Each test file makes its own bucket so files can run in parallel.
Under CI a missing server is a failure, never a skip.
*/
import {randomBytes} from 'node:crypto';
import {CreateBucketCommand, S3Client} from '@aws-sdk/client-s3';
import type {ExecutionContext} from 'ava';
import {openStore, type OpenedStore} from '../../source/storage/open-store.js';

export type TestS3 = {endpoint: string; accessKeyId: string; secretAccessKey: string};

export function testS3(): TestS3 | undefined {
	const endpoint = process.env['BLOBFORGE_TEST_S3_ENDPOINT'];
	const accessKeyId = process.env['BLOBFORGE_TEST_S3_ACCESS_KEY_ID'];
	const secretAccessKey = process.env['BLOBFORGE_TEST_S3_SECRET_ACCESS_KEY'];
	if (!endpoint || !accessKeyId || !secretAccessKey) return undefined;
	return {endpoint, accessKeyId, secretAccessKey};
}

/** True when S3 tests may run; otherwise fails (CI) or explains the skip (a developer's quick run). */
export function requireS3(t: ExecutionContext): TestS3 | undefined {
	const server = testS3();
	if (server) return server;
	if (process.env['CI']) {
		t.fail('no test S3 server: run the tests with `npm test`, which boots Ceph RGW (scripts/s3-test-server.sh)');
	} else {
		t.log('SKIPPED: no test S3 server (run `npm test`, which boots one)');
		t.pass();
	}
	return undefined;
}

export function uniqueName(prefix: string): string {
	return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

export async function createBucket(server: TestS3, name = uniqueName('bf')): Promise<string> {
	const client = new S3Client({
		endpoint: server.endpoint,
		region: 'us-east-1',
		forcePathStyle: true,
		credentials: {accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey},
	});
	await client.send(new CreateBucketCommand({Bucket: name}));
	client.destroy();
	return name;
}

/** The store stack a command gets (retries, counting), on the test server's `bucket`. */
export function openTestStore(server: TestS3, bucket: string): OpenedStore {
	return openStore({
		kind: 's3',
		bucket,
		region: 'us-east-1',
		endpoint: server.endpoint,
		forcePathStyle: true,
		credentials: {accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey},
	});
}
