#!/usr/bin/env node
// The test command behind `npm test` (after the build): boots the Ceph RGW test server
// unless one is already configured, runs every ava test (TAP), prints a plain
// "N passed, N failed" line, and stops only the server it started.
import {spawn, spawnSync} from 'node:child_process';
import {statfsSync} from 'node:fs';
import {cpus, freemem, loadavg, tmpdir, totalmem} from 'node:os';
import {fileURLToPath} from 'node:url';
import path from 'node:path';
import {ensureTestS3, stopTestS3} from './test-s3.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const extraArgs = process.argv.slice(2);

if (spawnSync('bash', [path.join(root, 'scripts/ensure-test-tools.sh')], {stdio: 'inherit'}).status !== 0)
	console.error('continuing without some test tools');

// One line about the machine, for reading a failed CI run: load, memory and the temp disk's room;
// the lowest free room and memory and the highest load seen while the tests ran are printed at the end.
const gb = bytes => (bytes / 1024 ** 3).toFixed(2);
const freeTmp = () => {
	const disk = statfsSync(tmpdir());
	return disk.bavail * disk.bsize;
};
const during = {tmp: Number.POSITIVE_INFINITY, memory: Number.POSITIVE_INFINITY, load: 0};
const sample = () => {
	try {
		during.tmp = Math.min(during.tmp, freeTmp());
		during.memory = Math.min(during.memory, freemem());
		during.load = Math.max(during.load, loadavg()[0]);
	} catch {}
};
try {
	console.log(
		`# machine: ${cpus().length} cores, load ${loadavg()
			.map(n => n.toFixed(1))
			.join(' ')}, memory ${gb(freemem())}/${gb(totalmem())} GB free, ${tmpdir()} ${gb(freeTmp())} GB free`,
	);
	// The suite's peak on the temp disk is about 0.3 GB (the 200 MB PDF test, run alone); less room fails tests
	// in odd ways.
	if (freeTmp() < 1024 ** 3)
		console.log(
			`# warning: only ${gb(freeTmp())} GB free in ${tmpdir()}; the tests need about 0.3 GB there (set TMPDIR to a roomier disk)`,
		);
} catch (error) {
	console.log(`# machine: unknown (${error.message})`);
}
const sampler = setInterval(sample, 1000);

const server = ensureTestS3();
if (!server.ok) {
	console.error('could not start the test S3 server (scripts/s3-test-server.sh start)');
	console.log('0 passed, 1 failed');
	process.exit(1);
}
const startedServer = server.started;

/**
Runs ava once (TAP on stdout, counted here); resolves to its exit code. The whole suite runs in
three rounds: the 200 MB PDF test alone after the rest, so its disk and memory peak never adds to
the others' (it held 0.4 GB of the temp disk beside them); then the console's terminal tests, one at
a time on a quiet machine: they watch a live screen, and beside the rest of the suite (load 18 on two
cores) the demo took 13 s to queue its first samples.
*/
function runAva(args, node = process.execPath) {
	// The node running the tests comes first on PATH, so tests that start `node` get the same one.
	const env = {...process.env, PATH: `${path.dirname(node)}${path.delimiter}${process.env.PATH ?? ''}`};
	const ava = spawn(node, [path.join(root, 'node_modules/ava/entrypoints/cli.js'), '--tap', ...args], {
		cwd: root,
		env,
		stdio: ['ignore', 'pipe', 'inherit'],
	});
	let buffer = '';
	let planned = false;
	ava.stdout.on('data', chunk => {
		process.stdout.write(chunk);
		buffer += chunk.toString();
		for (let newline = buffer.indexOf('\n'); newline >= 0; newline = buffer.indexOf('\n')) {
			const line = buffer.slice(0, newline);
			buffer = buffer.slice(newline + 1);
			if (/^1\.\.\d+$/.test(line)) planned = true;
			else if (/^ok \d+/.test(line)) {
				if (/# SKIP/.test(line)) skipped++;
				else passed++;
			} else if (/^not ok \d+/.test(line)) {
				if (/# TODO/.test(line)) skipped++;
				else failed++;
			}
		}
	});
	return new Promise(resolve => {
		ava.on('close', code => {
			// No plan line: ava ended before reporting every test. Its inactivity timeout does that (and
			// ava 7's TAP reporter then crashes instead of naming the tests still running), as does a crash.
			if (!planned) {
				failed++;
				console.log(
					`# ava ended early (exit ${code}): a crash, or no test finished within the inactivity timeout (package.json "ava.timeout"); tests ` +
						`still running were not reported`,
				);
			}
			resolve(code);
		});
	});
}

let passed = 0;
let failed = 0;
let skipped = 0;
/** The suite `npm run test:unit` runs: no S3 server, no terminal. */
const unitTests = [
	'dist/tests/{unit,ui,worker,inspector,converter,queue,fleet}/**/*.test.js',
	'dist/tests/conformance/local-store.test.js',
];
const oldestNodeVersion = '22.23.3';

/** A Node 22 installed from the npm registry into node_modules/.cache (once; later runs reuse it). */
function oldestNode() {
	const prefix = path.join(root, 'node_modules/.cache/blobforge-node22');
	const binary = path.join(prefix, 'node_modules/node/bin/node');
	const works = () => spawnSync(binary, ['--version'], {encoding: 'utf8'}).stdout?.trim() === `v${oldestNodeVersion}`;
	if (works()) return binary;
	const install = spawnSync(
		'npm',
		[
			'install',
			'--no-save',
			'--no-package-lock',
			'--no-audit',
			'--no-fund',
			'--loglevel=error',
			'--prefix',
			prefix,
			`node@${oldestNodeVersion}`,
		],
		{encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe']},
	);
	if (install.status !== 0)
		console.log(`# npm install node@${oldestNodeVersion}: ${install.stderr.trim().split('\n').at(-1)}`);
	return works() ? binary : undefined;
}
const heavy = 'dist/tests/e2e/large-pdf.test.js';
const terminal = 'dist/tests/e2e/terminal/*.test.js';
const rounds =
	extraArgs.length > 0
		? [extraArgs]
		: [['dist/tests/**/*.test.js', `!${heavy}`, `!${terminal}`], [heavy], ['--concurrency', '1', terminal]];
let code = 0;
for (const args of rounds) {
	const roundCode = await runAva(args);
	if (roundCode !== 0) code = roundCode;
}
// The oldest supported Node (package.json engines): the tests that need no S3 server run on it too.
if (extraArgs.length === 0 && process.env.BLOBFORGE_TEST_SKIP_NODE22 !== '1') {
	const node22 = oldestNode();
	if (node22) {
		console.log(`# the unit tests again, on Node ${oldestNodeVersion}`);
		const roundCode = await runAva(unitTests, node22);
		if (roundCode !== 0) code = roundCode;
	} else {
		failed++;
		console.log(
			`# could not install Node ${oldestNodeVersion} from the npm registry to test on it (set BLOBFORGE_TEST_SKIP_NODE22=1 to skip)`,
		);
	}
}
clearInterval(sampler);
sample();
console.log(
	`# machine during the run: lowest free ${gb(during.tmp)} GB in ${tmpdir()}, lowest free memory ${gb(during.memory)} GB, highest load ` +
		`${during.load.toFixed(1)}`,
);
if (startedServer && !process.env.BLOBFORGE_TEST_KEEP_S3) stopTestS3();
// ava exits non-zero on failures and on uncaught errors outside tests; count the latter as one failure.
if (code !== 0 && failed === 0) failed = 1;
if (passed === 0 && failed === 0) failed = 1; // a run that ran no test is not green
// Skips (tests of ../shared/corpus when it is absent) go on their own line: the last line stays plain.
if (skipped) console.log(`${skipped} skipped`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
