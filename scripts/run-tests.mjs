#!/usr/bin/env node
// The test command behind `npm test` (after the build): boots the Ceph RGW test server
// unless one is already configured, runs every ava test (TAP), prints a plain
// "N passed, N failed" line, and stops only the server it started.
import {spawn, spawnSync} from 'node:child_process';
import {fileURLToPath} from 'node:url';
import path from 'node:path';
import {ensureTestS3, stopTestS3} from './test-s3.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const extraArgs = process.argv.slice(2);

if (spawnSync('bash', [path.join(root, 'scripts/ensure-test-tools.sh')], {stdio: 'inherit'}).status !== 0) console.error('continuing without some test tools');

// One line about the machine, for reading a failed CI run: load, memory and the temp disk's room.
try {
	const {freemem, totalmem, loadavg, cpus, tmpdir} = await import('node:os');
	const {statfsSync} = await import('node:fs');
	const disk = statfsSync(tmpdir());
	const gb = bytes => (bytes / 1024 ** 3).toFixed(1);
	console.log(`# machine: ${cpus().length} cores, load ${loadavg().map(n => n.toFixed(1)).join(' ')}, memory ${gb(freemem())}/${gb(totalmem())} GB free, ${tmpdir()} ${gb(disk.bavail * disk.bsize)} GB free`);
} catch (error) {
	console.log(`# machine: unknown (${error.message})`);
}

const server = ensureTestS3();
if (!server.ok) {
	console.error('could not start the test S3 server (scripts/s3-test-server.sh start)');
	console.log('0 passed, 1 failed');
	process.exit(1);
}
const startedServer = server.started;

const ava = spawn(process.execPath, [path.join(root, 'node_modules/ava/entrypoints/cli.mjs'), '--tap', ...extraArgs], {
	cwd: root,
	env: {...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true'},
	stdio: ['ignore', 'pipe', 'inherit'],
});

let passed = 0;
let failed = 0;
let skipped = 0;
let buffer = '';
ava.stdout.on('data', chunk => {
	process.stdout.write(chunk);
	buffer += chunk.toString();
	let newline;
	while ((newline = buffer.indexOf('\n')) >= 0) {
		const line = buffer.slice(0, newline);
		buffer = buffer.slice(newline + 1);
		if (/^ok \d+/.test(line)) {
			if (/# SKIP/.test(line)) skipped++;
			else passed++;
		} else if (/^not ok \d+/.test(line)) {
			if (/# TODO/.test(line)) skipped++;
			else failed++;
		}
	}
});

const code = await new Promise(resolve => ava.on('close', resolve));
if (startedServer && !process.env.BLOBFORGE_TEST_KEEP_S3) stopTestS3();
// ava exits non-zero on failures and on uncaught errors outside tests; count the latter as one failure.
if (code !== 0 && failed === 0) failed = 1;
if (passed === 0 && failed === 0) failed = 1; // a run that ran no test is not green
// Skips (tests of ../shared/corpus when it is absent) go on their own line: the last line stays plain.
if (skipped) console.log(`${skipped} skipped`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
