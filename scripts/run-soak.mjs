#!/usr/bin/env node
// `npm run soak`: the full chaos soak (1,000 jobs, 8 workers, 50 kills, 5 % faults) on the test S3
// server, booted unless BLOBFORGE_TEST_S3_ENDPOINT points at one. Arguments override the sizes:
// jobs workers kills fault-rate.
import {spawnSync} from 'node:child_process';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {ensureTestS3, stopTestS3} from './test-s3.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const server = ensureTestS3();
if (!server.ok) process.exit(1);
const run = spawnSync(process.execPath, [path.join(root, 'dist/tests/soak/main.js'), ...process.argv.slice(2)], {
	cwd: root,
	stdio: 'inherit',
});
if (server.started) stopTestS3();
process.exit(run.status ?? 1);
