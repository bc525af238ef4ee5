/** The S3 endpoint the benchmarks run against: the test server (`npm run bench` boots it) or any endpoint given. */
import {CreateBucketCommand} from '@aws-sdk/client-s3';
import {openStore, type OpenedStore} from '../source/storage/open-store.js';
import type {S3Store} from '../source/storage/s3-store.js';

export type BenchS3 = {endpoint: string; credentials: {accessKeyId: string; secretAccessKey: string}};

/** BLOBFORGE_TEST_S3_ENDPOINT and its keys, or exit 2 saying how to get them. */
export function benchS3(): BenchS3 {
	const endpoint = process.env['BLOBFORGE_TEST_S3_ENDPOINT'];
	const accessKeyId = process.env['BLOBFORGE_TEST_S3_ACCESS_KEY_ID'];
	const secretAccessKey = process.env['BLOBFORGE_TEST_S3_SECRET_ACCESS_KEY'];
	if (!endpoint || !accessKeyId || !secretAccessKey) {
		console.error(
			'set BLOBFORGE_TEST_S3_ENDPOINT and keys (scripts/s3-test-server.sh start prints them), or run `npm run bench`',
		);
		process.exit(2);
	}
	return {endpoint, credentials: {accessKeyId, secretAccessKey}};
}

/** A fresh bucket named after the benchmark, and the store stack a command would use on it. */
export async function benchBucket(s3: BenchS3, name: string): Promise<OpenedStore & {bucket: string}> {
	const bucket = `bf-bench-${name}-${Date.now().toString(36)}`;
	const opened = openStore({
		kind: 's3',
		bucket,
		region: 'us-east-1',
		endpoint: s3.endpoint,
		forcePathStyle: true,
		credentials: s3.credentials,
	});
	await (opened.backend as S3Store).client.send(new CreateBucketCommand({Bucket: bucket}));
	return {...opened, bucket};
}
