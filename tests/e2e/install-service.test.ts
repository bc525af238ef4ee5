/** `blobforge install-service` writes a unit systemd-analyze accepts and a 0600 environment file. */
import {spawnSync} from 'node:child_process';
import {existsSync} from 'node:fs';
import {readFile, stat, writeFile} from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import {cleanEnvironment, runCli} from '../support/cli.js';
import {tempDir} from '../support/temp.js';

function verify(unit: string, user: boolean): {status: number | null; output: string} | undefined {
	const run = spawnSync('systemd-analyze', [...(user ? ['--user'] : []), 'verify', unit], {encoding: 'utf8'});
	if ((run.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') return undefined;
	return {status: run.status, output: `${run.stdout}${run.stderr}`};
}

test('a system unit and its environment file: modes, contents, systemd-analyze verify; an existing file is kept', async t => {
	const dir = await tempDir('bf-service-');
	const unitDir = path.join(dir, 'units');
	const envFile = path.join(dir, 'etc', 'worker.env');
	const environment = cleanEnvironment({
		BLOBFORGE_S3_BUCKET: 'pdfs',
		BLOBFORGE_S3_ACCESS_KEY_ID: 'AKIDEXAMPLE',
		BLOBFORGE_S3_SECRET_ACCESS_KEY: 'se"cr et#1',
	});
	const args = ['install-service', '--unit-dir', unitDir, '--environment-file', envFile];
	const dry = await runCli([...args, '--dry-run'], environment);
	t.is(dry.code, 0, dry.stderr);
	t.regex(dry.stdout, /ExecStart=\S+ \S+cli\.js --headless worker/);
	t.false(existsSync(unitDir), 'a dry run writes nothing');
	const done = await runCli(args, environment);
	t.is(done.code, 0, done.stderr);
	const unitFile = path.join(unitDir, 'blobforge-worker.service');
	t.regex(done.stdout, /sudo systemctl daemon-reload && sudo systemctl enable --now blobforge-worker/);
	t.is((await stat(envFile)).mode & 0o777, 0o600);
	t.is((await stat(path.dirname(envFile))).mode & 0o777, 0o700);
	const env = await readFile(envFile, 'utf8');
	t.regex(env, /^BLOBFORGE_S3_BUCKET=pdfs$/m);
	t.regex(env, /^BLOBFORGE_S3_SECRET_ACCESS_KEY="se\\"cr et#1"$/m, 'quoted as EnvironmentFile= reads it');
	const unit = await readFile(unitFile, 'utf8');
	t.regex(unit, new RegExp(`^EnvironmentFile=${envFile.replaceAll('/', '\\/')}$`, 'm'));
	t.regex(unit, /^DynamicUser=yes$/m);
	t.regex(unit, /^WantedBy=multi-user\.target$/m);
	const checked = verify(unitFile, false);
	if (checked) t.is(checked.status, 0, checked.output);
	else if (process.env['CI'] === 'true')
		t.fail('systemd-analyze is missing (scripts/ensure-test-tools.sh installs systemd)');
	else t.log('systemd-analyze not installed: not verified here');

	// Run again: the edited environment file stays; --force replaces it.
	await writeFile(envFile, 'BLOBFORGE_S3_BUCKET=edited\n', {mode: 0o600});
	const again = await runCli(args, environment);
	t.regex(again.stdout, /kept .*worker\.env \(it exists; --force replaces it\)/);
	t.is(await readFile(envFile, 'utf8'), 'BLOBFORGE_S3_BUCKET=edited\n');
	await runCli([...args, '--force'], environment);
	t.regex(await readFile(envFile, 'utf8'), /^BLOBFORGE_S3_BUCKET=pdfs$/m);
});

test('a user unit: default.target, no DynamicUser, the lingering hint; a local store gets ReadWritePaths', async t => {
	const dir = await tempDir('bf-service-');
	const unitDir = path.join(dir, 'user-units');
	const store = path.join(dir, 'store');
	const environment = cleanEnvironment({BLOBFORGE_STORE_DIR: store});
	const user = await runCli(
		['install-service', '--user', '--unit-dir', unitDir, '--environment-file', path.join(dir, 'u.env')],
		environment,
	);
	t.is(user.code, 0, user.stderr);
	t.regex(user.stdout, /systemctl --user daemon-reload/);
	t.regex(user.stdout, /loginctl enable-linger/);
	const unit = await readFile(path.join(unitDir, 'blobforge-worker.service'), 'utf8');
	t.regex(unit, /^WantedBy=default\.target$/m);
	t.notRegex(unit, /DynamicUser/);
	const checked = verify(path.join(unitDir, 'blobforge-worker.service'), false);
	if (checked) t.is(checked.status, 0, checked.output);
	const system = await runCli(
		['install-service', '--unit-dir', path.join(dir, 'sys'), '--environment-file', path.join(dir, 's.env')],
		environment,
	);
	t.is(system.code, 0, system.stderr);
	const systemUnit = await readFile(path.join(dir, 'sys', 'blobforge-worker.service'), 'utf8');
	t.regex(systemUnit, new RegExp(`^ReadWritePaths=${store.replaceAll('/', '\\/')}$`, 'm'));
	t.notRegex(systemUnit, /DynamicUser/, 'a dynamic user could not write a store another user owns');
	const bad = await runCli(['install-service', '--name', '../x', '--unit-dir', dir], environment);
	t.is(bad.code, 2);
});
