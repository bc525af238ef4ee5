/**
Security on the real S3 server: the credentials appear in no log line, error, job log, converter
environment or doctor output, also with debug logging and with wrong credentials; a converter's
symlinks and odd entries never make it into a result archive.
*/
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import test from 'ava';
import {unzipSync} from 'fflate';
import {Keys} from '../../source/queue/keys.js';
import {collectAll, isNotModified} from '../../source/storage/object-store.js';
import {cleanEnvironment, runCli} from '../support/cli.js';
import {makePdf, writeFiles} from '../support/pdfs.js';
import {createBucket, requireS3, openTestStore} from '../support/s3-server.js';
import {tempDir} from '../support/temp.js';

const nosy = `sh ${path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../tests/support/nosy-converter.sh')} {input} {output}`;

test(
	'credentials are never shown: logs, errors, job logs, doctor, the converter environment; a converter cannot smuggle files into a ' +
		'result',
	async t => {
		const server = requireS3(t);
		if (!server) return;
		const bucket = await createBucket(server);
		const base = {
			BLOBFORGE_S3_BUCKET: bucket,
			BLOBFORGE_S3_ENDPOINT_URL: server.endpoint,
			BLOBFORGE_S3_ACCESS_KEY_ID: server.accessKeyId,
			BLOBFORGE_LOG_LEVEL: 'debug',
		};
		const environment = cleanEnvironment({...base, BLOBFORGE_S3_SECRET_ACCESS_KEY: server.secretAccessKey});
		const dir = await tempDir('bf-sec-');
		await writeFiles(dir, {'secret-test.pdf': await makePdf(['Security'])});
		const outputs: string[] = [];
		const run = async (args: string[], env = environment) => {
			const result = await runCli(args, env);
			outputs.push(`$ ${args.join(' ')}\n${result.stdout}\n${result.stderr}`);
			return result;
		};
		t.is((await run(['ingest', dir])).code, 0);
		t.is((await run(['doctor', '--verbose'])).code, 0);
		t.is((await run(['--headless', 'worker', '--run-once', '--converter', nosy])).code, 0);
		await run(['list', '-v', '--verbose']);
		await run(['config', 'show']);
		// Wrong credentials: a clear error, and still no secret (neither the wrong one nor the right one).
		const wrongSecret = 'wrong-secret-that-must-not-show-1234567890';
		const wrong = await run(
			['list', '--verbose'],
			cleanEnvironment({...base, BLOBFORGE_S3_SECRET_ACCESS_KEY: wrongSecret}),
		);
		t.is(wrong.code, 4);
		t.regex(wrong.stderr, /access denied|credentials|signature/i);
		await run(
			['--headless', 'worker', '--run-once'],
			cleanEnvironment({...base, BLOBFORGE_S3_SECRET_ACCESS_KEY: wrongSecret}),
		);

		const {store} = openTestStore(server, bucket);
		const keys = new Keys('pdf/');
		const stored: string[] = [];
		for (const entry of await collectAll(store, `${keys.prefix}registry/`)) {
			const got = await store.get(entry.key);
			if (got && !isNotModified(got)) stored.push(`${entry.key}\n${Buffer.from(got.body).toString()}`);
		}
		// The result too: a converter reading /proc/$PPID/environ (the worker's start-up environment,
		// readable by the same user) must find no secret there to smuggle into it.
		const [result] = await collectAll(store, `${keys.prefix}store/out/`);
		const got = await store.get(result!.key);
		const files = got && !isNotModified(got) ? unzipSync(got.body) : {};
		const inResult = Object.values(files).map(bytes => Buffer.from(bytes).toString());
		const everything = [...outputs, ...stored, ...inResult].join('\n');
		t.false(everything.includes(server.secretAccessKey), 'the secret key appears nowhere');
		t.false(everything.includes(wrongSecret), 'nor a wrong one');
		// A completed attempt's log travels in its result archive.
		const jobLog = files['log.json'] ? Buffer.from(files['log.json']).toString() : '';
		t.regex(jobLog, /PATH=/, 'the converter ran and its output is in the job log');
		const [own = '', parent = ''] = jobLog.split('--- parent environment');
		t.notRegex(own, /BLOBFORGE_|AWS_/, 'the converter did not get the store settings in its environment');

		t.regex(
			parent,
			/BLOBFORGE_SECRETS_FILE=/,
			"the converter read the worker's environment: only the handed-over file's name",
		);
		t.notRegex(parent, /SECRET_ACCESS_KEY=/, "the worker's environment has no secret left");
		// The result holds the Markdown and the plain assets, nothing a symlink pointed at.
		t.deepEqual(Object.keys(files).sort(), [
			'assets/..hidden',
			'assets/figure-1.png',
			'assets/parent-environment.txt',
			'content.md',
			'info.json',
			'log.json',
		]);
		t.is(Buffer.from(files['content.md']!).toString(), '# Nosy\n', 'not the symlinked stolen.md');
	},
);
