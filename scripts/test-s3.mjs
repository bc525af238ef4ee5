// The test S3 server for scripts: boots Ceph RGW (scripts/s3-test-server.sh) unless
// BLOBFORGE_TEST_S3_ENDPOINT already points at a server, and puts its settings in process.env.
import {spawnSync} from 'node:child_process';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const script = path.join(root, 'scripts/s3-test-server.sh');

/** Boots the server when needed; `started` says whether this call started it (and should stop it). */
export function ensureTestS3() {
	if (process.env.BLOBFORGE_TEST_S3_ENDPOINT) return {ok: true, started: false};
	const boot = spawnSync('bash', [script, 'start'], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']});
	process.stderr.write(boot.stderr ?? '');
	if (boot.status !== 0) return {ok: false, started: false};
	for (const line of boot.stdout.split('\n')) {
		const match = /^(BLOBFORGE_TEST_[A-Z0-9_]+)=(.*)$/.exec(line.trim());
		if (match) process.env[match[1]] = match[2];
	}
	return {ok: true, started: !/already running/.test(boot.stderr ?? '')};
}

export function stopTestS3() {
	// The port this run's server took (not the first free one now).
	const port = /:(\d+)$/.exec(process.env.BLOBFORGE_TEST_S3_ENDPOINT ?? '')?.[1];
	spawnSync('bash', [script, 'stop'], {
		stdio: 'inherit',
		env: {...process.env, ...(port ? {BLOBFORGE_TEST_S3_PORT: port} : {})},
	});
}
