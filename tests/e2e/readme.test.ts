/**
readme.md's commands run as written: every `blobforge` line of its shell blocks runs against a
local store (placeholders such as ~/papers or a hash prefix filled in, as a reader would), every
command synopsis of its tables names flags the command has, and the files its systemd guide
installs exist. A new command in the readme fails this test until it is added here.
*/
import {spawnSync} from 'node:child_process';
import {existsSync} from 'node:fs';
import {readFile, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import test from 'ava';
import {cleanEnvironment, runCli} from '../support/cli.js';
import {makePdf, writeFiles} from '../support/pdfs.js';
import {tempDir} from '../support/temp.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const readme = async () => readFile(path.join(root, 'readme.md'), 'utf8');

function shellLines(text: string): string[] {
	const lines: string[] = [];
	for (const block of text.matchAll(/```sh\n([\s\S]*?)```/g))
		for (const line of block[1]!.split('\n'))
			if (line.trim() && !line.startsWith('#')) lines.push(line.replace(/\s+#.*$/, '').trim());
	return lines;
}

/** Splits a command line as a shell would for these simple cases (no quotes in them). */
const words = (line: string) => line.split(/\s+/).filter(Boolean);

test('every blobforge line in the shell blocks runs as written', async t => {
	const home = await tempDir('bf-readme-');
	await writeFiles(path.join(home, 'papers', '2026'), {
		'alpha.pdf': await makePdf(['Alpha']),
		'beta.pdf': await makePdf(['Beta']),
	});
	const environment = cleanEnvironment({HOME: home, BLOBFORGE_STORE_DIR: path.join(home, 'store')});
	const cli = async (args: string[]) => runCli(args, environment);
	const text = await readme();
	const lines = shellLines(text).filter(line => line.startsWith('blobforge '));
	// How each line runs here: ~ is the reader's home; the hash prefix is one of their jobs; a loop
	// is stopped after a few seconds, as a reader would with Ctrl-C.
	const checked: Record<string, (line: string) => Promise<{code: number; stdout: string; stderr: string}>> = {
		'blobforge ingest ~/papers --priority high --tag 2026': async line => cli(words(line.replace('~', home)).slice(1)),
		'blobforge list --state dead -v': async line => cli(words(line).slice(1)),
		'blobforge status 3fa9c2': async () => {
			const listed = JSON.parse((await cli(['list', '-v', '--json'])).stdout) as {jobs: Array<{hash: string}>};
			return cli(['status', listed.jobs[0]!.hash.slice(0, 6)]);
		},
		'blobforge retry --all-dead --reset-retries': async line => cli(words(line).slice(1)),
		'blobforge config set max_retries=5 heartbeat_interval=30': async line => cli(words(line).slice(1)),
		'blobforge janitor --loop --interval 60': async line => {
			const {spawn} = await import('node:child_process');
			const {cliPath} = await import('../support/cli.js');
			const child = spawn(process.execPath, [cliPath, ...words(line).slice(1)], {
				env: environment,
				stdio: ['ignore', 'pipe', 'pipe'],
			});
			let stdout = '';
			child.stdout.on('data', (chunk: Buffer) => {
				stdout += chunk.toString();
			});
			await new Promise(resolve => setTimeout(resolve, 3000));
			child.kill('SIGINT');
			const code = await new Promise<number>(resolve =>
				child.on('exit', (c, signal) => resolve(c ?? (signal ? 0 : 1))),
			);
			return {code, stdout, stderr: ''};
		},
		// With stand-ins for the tools on PATH (tests/support/fake-tools), a slow one: the worker starts,
		// claims a job, and SIGTERM hands it back, so the queue stays as the last lines check it.
		'blobforge --headless worker --converter marker': async line => {
			const {spawn} = await import('node:child_process');
			const {cliPath} = await import('../support/cli.js');
			const child = spawn(process.execPath, [cliPath, ...words(line).slice(1)], {
				env: {
					...environment,
					PATH: `${path.join(root, 'tests/support/fake-tools')}${path.delimiter}${environment['PATH'] ?? ''}`,
					FAKE_TOOL_MODE: 'slow',
				},
				stdio: ['ignore', 'pipe', 'pipe'],
			});
			let stdout = '';
			child.stdout.on('data', (chunk: Buffer) => {
				stdout += chunk.toString();
			});
			const deadline = Date.now() + 30_000;
			while (!stdout.includes('"conversion-started"') && Date.now() < deadline && child.exitCode === null)
				await new Promise(resolve => setTimeout(resolve, 100));
			child.kill('SIGTERM');
			const code = await new Promise<number>(resolve => child.on('exit', c => resolve(c ?? 1)));
			t.true(stdout.includes('"conversion-started"'), stdout);
			t.regex(stdout, /"job-requeued"/);
			return {code, stdout, stderr: ''};
		},
		'blobforge config set converter=docling': async line => cli(words(line).slice(1)),
	};
	t.deepEqual(lines, Object.keys(checked), "the readme's blobforge lines are the checked ones");
	for (const line of lines) {
		const result = await checked[line]!(line);
		t.true([0].includes(result.code), `${line} → exit ${result.code}: ${result.stderr}`);
	}
	// The last lines changed the store as the readme says.
	t.regex((await cli(['config'])).stdout, /max_retries\s+5/);
	t.regex((await cli(['config'])).stdout, /converter\s+docling/);
	t.regex((await cli(['list', '--state', 'todo', '-v'])).stdout, /alpha\.pdf/);
});

test('every command synopsis in the readme names flags the command has', async t => {
	const text = await readme();
	const synopses = [
		...new Set(
			[...text.matchAll(/`blobforge ([a-z][a-z-]*(?: (?:set|rebuild|show))?)([^`]*)`/g)].map(m => `${m[1]}|${m[2]}`),
		),
	];
	t.true(synopses.length > 25, `${synopses.length} synopses`);
	for (const synopsis of synopses) {
		const [command, rest] = synopsis.split('|') as [string, string];
		if (command === 'COMMAND') continue;
		const help = await runCli([...command.split(' '), '--help'], cleanEnvironment());
		t.is(help.code, 0, `blobforge ${command} --help: ${help.stderr}`);
		// yargs negates any boolean: --no-save is --save's.
		for (const flag of rest.match(/--[a-z][a-z-]*/g) ?? [])
			t.true(help.stdout.includes(flag.replace(/^--no-/, '--')), `blobforge ${command} has ${flag}`);
	}
});

test('the files the systemd guide installs are in the package', t => {
	for (const file of ['systemd/blobforge-worker.service', 'systemd/worker.env.example'])
		t.true(existsSync(path.join(root, file)), file);
});

test("the readme's Prometheus scrape config and alert rules pass promtool", async t => {
	const text = await readme();
	const blocks = [...text.matchAll(/```yaml\n# (\S+)\n([\s\S]*?)```/g)].map(m => ({file: m[1]!, body: m[2]!}));
	t.deepEqual(
		blocks.map(b => b.file),
		['prometheus.yml', 'blobforge-alerts.yml'],
	);
	const folder = await tempDir('bf-promtool-');
	for (const block of blocks) await writeFile(path.join(folder, block.file), block.body);
	const check = spawnSync('promtool', ['check', 'config', path.join(folder, 'prometheus.yml')], {encoding: 'utf8'});
	if ((check.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
		if (process.env['CI'] === 'true') t.fail('promtool is missing (scripts/ensure-test-tools.sh installs it)');
		else t.log('promtool not installed: not checked here');
		return;
	}
	t.is(check.status, 0, `${check.stdout}${check.stderr}`);
	// check config also checks the rule files it names; say so in the output.
	t.regex(check.stdout, /blobforge-alerts\.yml/);
	t.regex(check.stdout, /SUCCESS: 3 rules found/);
});
