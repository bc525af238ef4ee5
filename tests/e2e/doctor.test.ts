import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import {diskChecks} from '../../source/commands/doctor.js';
import {cleanEnvironment, runCli} from '../support/cli.js';
import {createBucket, requireS3, uniqueName} from '../support/s3-server.js';
import {tempDir} from '../support/temp.js';

test('doctor on the test S3 server: every probe passes, the verdict is SAFE and the result is saved', async t => {
	const server = requireS3(t);
	if (!server) return;
	const bucket = await createBucket(server);
	const environment = cleanEnvironment({
		BLOBFORGE_S3_BUCKET: bucket,
		BLOBFORGE_S3_ENDPOINT_URL: server.endpoint,
		BLOBFORGE_S3_ACCESS_KEY_ID: server.accessKeyId,
		BLOBFORGE_S3_SECRET_ACCESS_KEY: server.secretAccessKey,
	});
	const result = await runCli(['doctor'], environment);
	t.is(result.code, 0, result.stderr);
	t.regex(result.stdout, new RegExp(`store  s3://${bucket} at ${server.endpoint.replaceAll('.', '\\.')} prefix pdf/`));
	t.regex(result.stdout, /create-only \(If-None-Match: \*\)\s+ok/);
	t.regex(result.stdout, /compare-and-swap \(If-Match\)\s+ok\s+unquoted ETag accepted; stale ETag refused/);
	t.regex(result.stdout, /verdict: SAFE/);
	t.regex(result.stdout, /result saved to pdf\/registry\/capabilities\.json/);
	t.false(result.stdout.includes(server.secretAccessKey), 'the secret never appears');
	const json = await runCli(['doctor', '--json', '--prefix', 'other'], environment);
	const parsed = JSON.parse(json.stdout) as {safeForLeases: boolean; prefix: string; etagStyle: string};
	t.true(parsed.safeForLeases);
	t.is(parsed.prefix, 'other/');
	t.is(parsed.etagStyle, 'unquoted');
});

test('doctor on the local store: SAFE', async t => {
	const dir = await tempDir('bf-doctor-');
	const result = await runCli(['doctor', '--store-dir', dir], cleanEnvironment());
	t.is(result.code, 0, result.stderr);
	t.regex(result.stdout, new RegExp(`store  local:${dir} prefix pdf/`));
	t.regex(result.stdout, /verdict: SAFE/);
	t.regex(result.stdout, new RegExp(`free space: job scratch +(ok|WARN) +[\\d.]+ [MG]B free in ${os.tmpdir()}`));
	t.regex(result.stdout, new RegExp(`free space: local store +(ok|WARN) +[\\d.]+ [MG]B free in ${dir}`));
});

test('doctor warns about a disk with little room left, and names what lives there', async t => {
	const dir = await tempDir('bf-doctor-');
	const roomy = await diskChecks(dir, 0);
	t.deepEqual(
		roomy.map(c => c.status),
		['ok', 'ok'],
	);
	// Any disk is "low" below a threshold above its size.
	const low = await diskChecks(path.join(dir, 'not', 'created', 'yet'), Number.POSITIVE_INFINITY);
	t.deepEqual(
		low.map(c => [c.name, c.status]),
		[
			['free space: job scratch', 'warn'],
			['free space: local store', 'warn'],
		],
	);
	t.regex(low[0]!.detail, /free in .*: low; workers download each PDF and convert it there \(TMPDIR moves it\)/);
	t.regex(low[1]!.detail, /: low; every object of the store lives there/);
});

test('doctor with wrong credentials: one clear line, exit 4, no secret, no stack trace', async t => {
	const server = requireS3(t);
	if (!server) return;
	const bucket = await createBucket(server);
	const result = await runCli(
		['doctor'],
		cleanEnvironment({
			BLOBFORGE_S3_BUCKET: bucket,
			BLOBFORGE_S3_ENDPOINT_URL: server.endpoint,
			BLOBFORGE_S3_ACCESS_KEY_ID: server.accessKeyId,
			BLOBFORGE_S3_SECRET_ACCESS_KEY: 'not-the-secret-1234',
		}),
	);
	t.is(result.code, 4);
	t.regex(result.stdout, /the credentials were not accepted/);
	t.false(result.stdout.includes('not-the-secret-1234') || result.stderr.includes('not-the-secret-1234'));
	t.notRegex(result.stdout + result.stderr, /\n\s+at /);
});

test('doctor with an unreachable endpoint and with a missing bucket: exit 4 with the reason', async t => {
	const unreachable = await runCli(
		['doctor', '--bucket', 'some-bucket', '--endpoint', 'http://127.0.0.1:9'],
		cleanEnvironment({BLOBFORGE_S3_ACCESS_KEY_ID: 'a', BLOBFORGE_S3_SECRET_ACCESS_KEY: 'bbbb'}),
	);
	t.is(unreachable.code, 4);
	t.regex(unreachable.stdout, /the endpoint could not be reached/);
	const server = requireS3(t);
	if (!server) return;
	const missing = await runCli(
		['doctor', '--bucket', 'no-such-bucket-anywhere'],
		cleanEnvironment({
			BLOBFORGE_S3_ENDPOINT_URL: server.endpoint,
			BLOBFORGE_S3_ACCESS_KEY_ID: server.accessKeyId,
			BLOBFORGE_S3_SECRET_ACCESS_KEY: server.secretAccessKey,
		}),
	);
	t.is(missing.code, 4);
	t.regex(missing.stdout, /the bucket "no-such-bucket-anywhere" does not exist/);
});

const badConfigurations: Array<[string, Record<string, string>, string[], RegExp]> = [
	[
		'an endpoint without scheme',
		{BLOBFORGE_S3_BUCKET: 'abc', BLOBFORGE_S3_ENDPOINT_URL: '127.0.0.1:7480'},
		[],
		/the endpoint "127\.0\.0\.1:7480" (is not a URL|must start with http)/,
	],
	[
		'a log level typo',
		{BLOBFORGE_LOG_LEVEL: 'verbose'},
		[],
		/BLOBFORGE_LOG_LEVEL is "verbose", which is not a log level/,
	],
	[
		'half a key pair',
		{BLOBFORGE_S3_BUCKET: 'abc', BLOBFORGE_S3_ACCESS_KEY_ID: 'x'},
		[],
		/only BLOBFORGE_S3_ACCESS_KEY_ID is set/,
	],
	['a bad bucket name', {BLOBFORGE_S3_BUCKET: 'Bad_Bucket!'}, [], /the bucket name "Bad_Bucket!" is not valid/],
	[
		'a bucket and a local store at once',
		{BLOBFORGE_S3_BUCKET: 'abc', BLOBFORGE_STORE_DIR: '/tmp/x'},
		[],
		/both a bucket .* and a local store .* are configured/,
	],
	['a prefix with ..', {}, ['--prefix', 'a/../b', '--store-dir', '/tmp/bf-x'], /--prefix is "a\/\.\.\/b"/],
];

for (const [title, environment, args, message] of badConfigurations) {
	test(`configuration error, ${title}: one clear line and exit 3`, async t => {
		const result = await runCli(['doctor', ...args], cleanEnvironment(environment));
		t.is(result.code, 3, result.stdout + result.stderr);
		t.regex(result.stderr, message);
		t.notRegex(result.stderr, /\n\s+at /);
	});
}

test('an unknown command is a usage error (exit 2)', async t => {
	const result = await runCli(['frobnicate'], cleanEnvironment());
	t.is(result.code, 2);
	t.regex(result.stderr, /Unknown argument: frobnicate/);
});

test('doctor --create-bucket creates a missing bucket, then probes it; a second run finds it there', async t => {
	const server = requireS3(t);
	if (!server) return;
	const bucket = uniqueName('bf-new');
	const environment = cleanEnvironment({
		BLOBFORGE_S3_BUCKET: bucket,
		BLOBFORGE_S3_ENDPOINT_URL: server.endpoint,
		BLOBFORGE_S3_ACCESS_KEY_ID: server.accessKeyId,
		BLOBFORGE_S3_SECRET_ACCESS_KEY: server.secretAccessKey,
	});
	const before = await runCli(['doctor'], environment);
	t.is(before.code, 4, 'missing before');
	const created = await runCli(['doctor', '--create-bucket'], environment);
	t.is(created.code, 0, `${created.stdout}${created.stderr}`);
	t.regex(created.stdout, new RegExp(`^created the bucket s3://${bucket}`, 'm'));
	t.regex(created.stdout, /verdict: SAFE/);
	const again = await runCli(['doctor', '--create-bucket', '--json'], environment);
	t.is(again.code, 0, again.stderr);
	t.regex(again.stderr, /the bucket exists/);
	t.true((JSON.parse(again.stdout) as {safeForLeases: boolean}).safeForLeases);
	const local = await runCli(
		['doctor', '--create-bucket'],
		cleanEnvironment({BLOBFORGE_STORE_DIR: await tempDir('bf-doc-')}),
	);
	t.is(local.code, 2);
	t.regex(local.stderr, /the local store needs no bucket/);
});
