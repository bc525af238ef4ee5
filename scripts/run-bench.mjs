#!/usr/bin/env node
// `npm run bench`: boots the test S3 server unless BLOBFORGE_TEST_S3_ENDPOINT points at one, runs
// each benchmark (tables on stdout, JSON in bench/results/), and stops only the server it started.
import {spawnSync} from 'node:child_process';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {ensureTestS3, stopTestS3} from './test-s3.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const server = ensureTestS3();
if (!server.ok) process.exit(1);
const full = process.env.BLOBFORGE_BENCH_FULL === '1';
const benches = [
	['converter', []],
	['ingest', ['1000']],
	['idle-worker', ['65']],
	['read-model-history', full ? ['100', '10000', '100000'] : ['100', '10000']],
	['transitions', []],
	['throughput', ['500', '1', '4', '8', '1x8', 'builtin:4', 'builtin:1x4']],
	['console-cost', ['10000', '10000']],
	['console-render', ['1000', '100000']],
	['console-bytes', ['10']],
	['local-store-listing', ['1000', '10000']],
];
const only = process.argv.slice(2);
let failed = 0;
for (const [name, args] of benches) {
	if (only.length > 0 && !only.includes(name)) continue;
	console.log(`\n== ${name}`);
	const run = spawnSync(process.execPath, [path.join(root, 'dist/bench', `${name}.js`), ...args], {
		cwd: root,
		stdio: 'inherit',
		env: {...process.env, NODE_ENV: 'production'},
	});
	if (run.status !== 0) failed++;
}
if (server.started) stopTestS3();
process.exit(failed > 0 ? 1 : 0);
