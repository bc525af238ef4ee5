/**
Credentials on Ceph RGW with a real second user granted read-only access by a bucket policy (as the
readme's read-only console policy does): doctor names the role, reading works, writing is refused
with exit 4, and the console's write probe finds it read-only (so `watch` turns read-only by itself).
*/
import test from 'ava';
import {PutBucketPolicyCommand, S3Client} from '@aws-sdk/client-s3';
import {Keys} from '../../source/queue/keys.js';
import {queueWriteAccess} from '../../source/queue/access.js';
import {cleanEnvironment, runCli} from '../support/cli.js';
import {makePdf, writeFiles} from '../support/pdfs.js';
import {createBucket, openTestStore, requireS3} from '../support/s3-server.js';
import {tempDir} from '../support/temp.js';

test('a read-only user: doctor says read-only console, list works, retry is refused, the write probe says denied', async t => {
	const server = requireS3(t);
	if (!server) return;
	const readonly = {
		accessKeyId: process.env['BLOBFORGE_TEST_S3_READONLY_ACCESS_KEY_ID'] ?? '',
		secretAccessKey: process.env['BLOBFORGE_TEST_S3_READONLY_SECRET_ACCESS_KEY'] ?? '',
	};
	if (!readonly.accessKeyId) return t.fail('no read-only test user (scripts/s3-test-server.sh creates one)');
	const bucket = await createBucket(server);
	const owner = {
		BLOBFORGE_S3_BUCKET: bucket,
		BLOBFORGE_S3_ENDPOINT_URL: server.endpoint,
		BLOBFORGE_S3_ACCESS_KEY_ID: server.accessKeyId,
		BLOBFORGE_S3_SECRET_ACCESS_KEY: server.secretAccessKey,
	};
	const library = await tempDir('bf-cred-');
	await writeFiles(library, {'shared.pdf': await makePdf(['shared'])});
	t.is((await runCli(['ingest', library], cleanEnvironment(owner))).code, 0);
	const client = new S3Client({
		endpoint: server.endpoint,
		region: 'us-east-1',
		forcePathStyle: true,
		credentials: {accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey},
	});
	t.teardown(() => client.destroy());
	await client.send(
		new PutBucketPolicyCommand({
			Bucket: bucket,
			Policy: JSON.stringify({
				Version: '2012-10-17',
				Statement: [
					{
						Effect: 'Allow',
						Principal: {AWS: ['arn:aws:iam:::user/readonly']},
						Action: ['s3:GetObject', 's3:ListBucket'],
						Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
					},
				],
			}),
		}),
	);
	const reader = cleanEnvironment({
		...owner,
		BLOBFORGE_S3_ACCESS_KEY_ID: readonly.accessKeyId,
		BLOBFORGE_S3_SECRET_ACCESS_KEY: readonly.secretAccessKey,
	});
	const doctor = await runCli(['doctor', '--no-save'], reader);
	t.regex(doctor.stdout, /credentials\s+info\s+can act as: read-only console/);
	const ownerDoctor = await runCli(['doctor', '--no-save'], cleanEnvironment(owner));
	t.regex(ownerDoctor.stdout, /can act as: operator/);
	const list = await runCli(['list', '--json'], reader);
	t.is(list.code, 0, list.stderr);
	t.is((JSON.parse(list.stdout) as {counts: {total: {todo: number}}}).counts.total.todo, 1);
	const retry = await runCli(
		[
			'reprioritize',
			(JSON.parse((await runCli(['list', '-v', '--json'], reader)).stdout) as {jobs: Array<{hash: string}>}).jobs[0]!
				.hash,
			'high',
		],
		reader,
	);
	t.is(retry.code, 4, retry.stderr);
	t.regex(retry.stderr, /access denied|permission/i);
	const store = openTestStore({...server, ...readonly}, bucket);
	t.is(await queueWriteAccess({store: store.store, keys: new Keys('pdf/')}), 'denied');
	const own = openTestStore(server, bucket);
	t.is(await queueWriteAccess({store: own.store, keys: new Keys('pdf/')}), 'allowed');
	const listed = await own.store.listPage('pdf/queue/', {pageSize: 1000});
	t.false(
		listed.entries.some(e => e.key.includes('_access-probe')),
		'the probe wrote nothing',
	);
});
