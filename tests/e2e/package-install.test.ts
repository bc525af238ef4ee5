/**
Install without a clone: the `npm pack` tarball installs with `npm install -g` into a prefix of its
own and runs `demo` and `--headless worker` on the system's Node (20 on these machines: the package
brings Node 24 and cli.ts runs itself on it when the system's is too old).
*/
import {execFile} from 'node:child_process';
import {existsSync} from 'node:fs';
import {readdir, readFile} from 'node:fs/promises';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import test from 'ava';
import {cleanEnvironment} from '../support/cli.js';
import {makePdf, writeFiles} from '../support/pdfs.js';
import {tempDir} from '../support/temp.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

type Run = {code: number; stdout: string; stderr: string};

function run(
	command: string,
	args: string[],
	options: {cwd?: string; env: NodeJS.ProcessEnv; timeoutMs?: number},
): Promise<Run> {
	return new Promise(resolve => {
		execFile(
			command,
			args,
			{...options, timeout: options.timeoutMs ?? 300_000, maxBuffer: 50 * 2 ** 20},
			(error, stdout, stderr) =>
				resolve({code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr}),
		);
	});
}

/** PATH without the checkout's node_modules/.bin: `node` is then the system's, as on a machine without the clone. */
function systemPath(): string {
	return (process.env['PATH'] ?? '')
		.split(path.delimiter)
		.filter(dir => !dir.includes(`${path.sep}node_modules${path.sep}`))
		.join(path.delimiter);
}

test('npm pack, npm install -g into a fresh prefix, then demo and a headless worker on the system Node', async t => {
	t.timeout(12 * 60_000);
	const manifest = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as {
		scripts: Record<string, string>;
	};
	t.is(manifest.scripts['prepack'], 'npm run build', 'a tarball always carries a fresh dist/');
	const work = await tempDir('bf-pack-');
	const environment = cleanEnvironment({PATH: systemPath()});
	// dist/ is built by `npm test` before the tests run; rebuilding it here would change files other tests are reading.
	const packed = await run('npm', ['pack', '--ignore-scripts', '--pack-destination', work], {
		cwd: root,
		env: environment,
	});
	t.is(packed.code, 0, packed.stderr);
	const tarball = (await readdir(work)).find(name => /^blobforge-.*\.tgz$/.test(name));
	if (!tarball) return t.fail(`no tarball in ${work}: ${packed.stdout}`);
	const prefix = path.join(work, 'prefix');
	const installed = await run(
		'npm',
		['install', '-g', '--prefer-offline', '--no-audit', '--no-fund', '--prefix', prefix, path.join(work, tarball)],
		{cwd: work, env: environment, timeoutMs: 600_000},
	);
	t.is(installed.code, 0, installed.stderr);
	const blobforge = path.join(prefix, 'bin', 'blobforge');
	t.true(existsSync(blobforge));
	const user = {...environment, PATH: `${path.join(prefix, 'bin')}${path.delimiter}${systemPath()}`};
	const version = await run('blobforge', ['--version'], {env: user});
	t.is(version.code, 0, version.stderr);
	t.regex(version.stdout, /^\d+\.\d+\.\d+/);

	const demo = await run('blobforge', ['demo', '--workers', '1'], {cwd: work, env: user, timeoutMs: 500_000});
	t.is(demo.code, 0, `${demo.stdout}\n${demo.stderr}`);
	t.regex(demo.stdout, /done 10, dead 1, failed 0, queued 0, running 0/);

	const store = path.join(work, 'store');
	const library = path.join(work, 'library');
	await writeFiles(library, {'one.pdf': await makePdf(['installed'])});
	const storeEnv = {...user, BLOBFORGE_STORE_DIR: store};
	t.is((await run('blobforge', ['ingest', library], {env: storeEnv})).code, 0);
	const worker = await run('blobforge', ['--headless', 'worker', '--run-once'], {env: storeEnv});
	t.is(worker.code, 0, worker.stderr);
	t.regex(worker.stdout, /"event":"job-completed".*"file":"one\.pdf"/);
});
