/**
Credentials on Ceph RGW with a real second user that has no rights of its own, granted by a bucket
policy made of the readme's own least-privilege statements (read-only console, worker, operator):
doctor names the role, what the role needs works, and what it must not do is refused with exit 4.
*/
import {readFile} from 'node:fs/promises';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import test, {type ExecutionContext} from 'ava';
import {PutBucketPolicyCommand, S3Client} from '@aws-sdk/client-s3';
import {Keys} from '../../source/queue/keys.js';
import {queueWriteAccess} from '../../source/queue/access.js';
import {cleanEnvironment, runCli} from '../support/cli.js';
import {makePdf, writeFiles} from '../support/pdfs.js';
import {createBucket, openTestStore, requireS3, type TestS3} from '../support/s3-server.js';
import {tempDir} from '../support/temp.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

type Statement = {Effect: string; Action: string | string[]; Resource: string | string[]; Principal?: unknown};

/**
The readme's policies for `bucket`: the worker's JSON block as written, the operator's as its prose
derives it (one resource, the whole prefix, for PutObject and DeleteObject), the console's as its
first two statements.
*/
async function readmePolicies(bucket: string): Promise<Record<'readonly' | 'worker' | 'operator', Statement[]>> {
	const readme = await readFile(path.join(root, 'readme.md'), 'utf8');
	const section = readme.slice(readme.indexOf('## Credentials (least privilege)'));
	const block = /```json\n([\s\S]*?)```/.exec(section)?.[1];
	if (!block) throw new Error('no policy block under "Credentials (least privilege)" in readme.md');
	const worker = (JSON.parse(block.replaceAll('my-pdf-bucket', bucket)) as {Statement: Statement[]}).Statement;
	const writes = worker.findIndex(s => [s.Action].flat().includes('s3:PutObject'));
	const operator = worker.map((s, i) => (i === writes ? {...s, Resource: [`arn:aws:s3:::${bucket}/pdf/*`]} : s));
	return {readonly: worker.slice(0, 2), worker, operator};
}

/** The bucket's policy: these statements for the second user; everything for the owner, whose bucket it is. */
async function grant(t: ExecutionContext, server: TestS3, bucket: string, statements: Statement[]) {
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
						Principal: {AWS: ['arn:aws:iam:::user/test']},
						Action: 's3:*',
						Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
					},
					...statements.map(s => ({...s, Principal: {AWS: ['arn:aws:iam:::user/readonly']}})),
				],
			}),
		}),
	);
}

function secondUser(t: ExecutionContext) {
	const second = {
		accessKeyId: process.env['BLOBFORGE_TEST_S3_READONLY_ACCESS_KEY_ID'] ?? '',
		secretAccessKey: process.env['BLOBFORGE_TEST_S3_READONLY_SECRET_ACCESS_KEY'] ?? '',
	};
	if (!second.accessKeyId) t.fail('no second test user (scripts/s3-test-server.sh creates one)');
	return second.accessKeyId ? second : undefined;
}

function environments(server: TestS3, bucket: string, second: {accessKeyId: string; secretAccessKey: string}) {
	const owner = {
		BLOBFORGE_S3_BUCKET: bucket,
		BLOBFORGE_S3_ENDPOINT_URL: server.endpoint,
		BLOBFORGE_S3_ACCESS_KEY_ID: server.accessKeyId,
		BLOBFORGE_S3_SECRET_ACCESS_KEY: server.secretAccessKey,
	};
	return {
		owner: cleanEnvironment(owner),
		second: cleanEnvironment({
			...owner,
			BLOBFORGE_S3_ACCESS_KEY_ID: second.accessKeyId,
			BLOBFORGE_S3_SECRET_ACCESS_KEY: second.secretAccessKey,
		}),
	};
}

test("the readme's read-only policy: doctor says read-only console, list works, retry is refused, the probe says denied", async t => {
	const server = requireS3(t);
	if (!server) return;
	const readonly = secondUser(t);
	if (!readonly) return;
	const bucket = await createBucket(server);
	const {owner, second: reader} = environments(server, bucket, readonly);
	const library = await tempDir('bf-cred-');
	await writeFiles(library, {'shared.pdf': await makePdf(['shared'])});
	t.is((await runCli(['ingest', library], owner)).code, 0);
	await grant(t, server, bucket, (await readmePolicies(bucket)).readonly);
	const doctor = await runCli(['doctor', '--no-save'], reader);
	t.regex(doctor.stdout, /credentials\s+info\s+can act as: read-only console/);
	const ownerDoctor = await runCli(['doctor', '--no-save'], owner);
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

test("the readme's worker and operator policies: a worker converts a job and may not ingest; an operator may", async t => {
	const server = requireS3(t);
	if (!server) return;
	const user = secondUser(t);
	if (!user) return;
	const bucket = await createBucket(server);
	const {owner, second} = environments(server, bucket, user);
	const library = await tempDir('bf-cred-lib-');
	await writeFiles(library, {'first.pdf': await makePdf(['first page'])});
	t.is((await runCli(['ingest', library], owner)).code, 0);
	const policies = await readmePolicies(bucket);

	await grant(t, server, bucket, policies.worker);
	t.regex((await runCli(['doctor', '--no-save'], second)).stdout, /credentials\s+info\s+can act as: worker/);
	const worked = await runCli(['--headless', 'worker', '--run-once'], second, 120_000);
	t.is(worked.code, 0, worked.stderr);
	const done = JSON.parse((await runCli(['list', '--json'], second)).stdout) as {counts: {total: {done: number}}};
	t.is(done.counts.total.done, 1, `the worker completed the job: ${worked.stdout.slice(-2000)}`);
	const later = await tempDir('bf-cred-later-');
	await writeFiles(later, {'second.pdf': await makePdf(['second page'])});
	const refused = await runCli(['ingest', later], second);
	t.is(refused.code, 4, refused.stderr);
	t.regex(refused.stderr, /access denied|permission/i);

	await grant(t, server, bucket, policies.operator);
	t.regex((await runCli(['doctor', '--no-save'], second)).stdout, /can act as: operator/);
	const ingested = await runCli(['ingest', later], second);
	t.is(ingested.code, 0, ingested.stderr);
	t.regex(ingested.stdout, /1 queued \(1 uploaded\)/);
	const set = await runCli(['config', 'set', 'max_retries=5'], second);
	t.is(set.code, 0, set.stderr);
});
