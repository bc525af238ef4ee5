/**
Keeps the store's secrets out of reach of the converters a worker runs. A converter runs as the
worker's user, and any process of that user can read /proc/<pid>/environ of the worker: the
environment the worker was started with, which deleting from process.env does not change. So a
worker started with secrets in its environment re-executes itself at once (process.execve: the same
pid, terminal and stdio, so systemd and shells see no difference) with an environment without
them, and hands them over in a file only this user can read, in a folder of its own, which the new
image reads and deletes before anything else runs. From then on the secrets live only in the
worker's memory, which another process of the same user can read only by ptrace-attaching to it:
a converter (a descendant) can with kernel.yama.ptrace_scope = 0, not with 1 or more (Ubuntu's and
many distributions' default). Credentials from a profile file (~/.aws/credentials) stay readable
by the same user: use environment variables or a role for workers.
*/
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** What moves: the secrets and the key ids that go with them. */
export const secretVariables = [
	'BLOBFORGE_S3_ACCESS_KEY_ID',
	'BLOBFORGE_S3_SECRET_ACCESS_KEY',
	'AWS_ACCESS_KEY_ID',
	'AWS_SECRET_ACCESS_KEY',
	'AWS_SESSION_TOKEN',
	'AWS_SECURITY_TOKEN',
] as const;

const handoffVariable = 'BLOBFORGE_SECRETS_FILE';
let handed: Record<string, string> | undefined;

/**
Re-executes this process without the secrets in its environment, unless it has none, was already
re-executed, or cannot be (no process.execve: Windows). Does not return when it re-executes.
*/
export function handOffSecrets(environment: NodeJS.ProcessEnv = process.env): void {
	if (environment[handoffVariable] !== undefined || typeof process.execve !== 'function') return;
	const moving = Object.fromEntries(
		secretVariables.flatMap(name => (environment[name] ? [[name, environment[name]] as const] : [])),
	);
	if (Object.keys(moving).length === 0) return;
	const folder = mkdtempSync(path.join(os.tmpdir(), 'blobforge-secrets-'));
	const file = path.join(folder, 'environment.json');
	writeFileSync(file, JSON.stringify(moving), {mode: 0o600});
	const rest = Object.fromEntries(
		Object.entries(environment).filter(
			(entry): entry is [string, string] => entry[1] !== undefined && !(entry[0] in moving),
		),
	);
	try {
		process.execve(process.execPath, [process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
			...rest,
			[handoffVariable]: file,
		});
	} catch {
		// execve refused (a seccomp filter, say): carry on as before, with the secrets in the environment.
		rmSync(folder, {recursive: true, force: true});
	}
}

/** The secrets handed over by `handOffSecrets` (read once, the file deleted); {} when none were. */
export function handedSecrets(environment: NodeJS.ProcessEnv = process.env): Record<string, string> {
	if (handed) return handed;
	handed = {};
	const file = environment[handoffVariable];
	if (!file) return handed;
	try {
		const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
		if (parsed && typeof parsed === 'object')
			for (const [name, value] of Object.entries(parsed))
				if ((secretVariables as readonly string[]).includes(name) && typeof value === 'string') handed[name] = value;
	} catch {
		// Gone or unreadable: the worker runs without them and says what is missing when it needs them.
	} finally {
		rmSync(path.dirname(file), {recursive: true, force: true});
	}
	return handed;
}
