/**
`blobforge install-service`: writes a systemd unit for a worker and its environment file (mode 0600:
it holds the store's secret), then says how to start it. The unit runs this very installation
(absolute paths of this Node and this cli.js), so it does not depend on PATH under systemd.
*/
import {existsSync} from 'node:fs';
import {chmod, mkdir, rename, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import {fileURLToPath} from 'node:url';
import type {CommandModule} from 'yargs';
import {UserError, exitCodes} from '../lib/errors.js';
import type {GlobalArgs} from './context.js';
import {printLine} from './output.js';

type Args = GlobalArgs & {
	user?: boolean;
	'environment-file'?: string;
	'unit-dir'?: string;
	name: string;
	force?: boolean;
	'dry-run'?: boolean;
};

/** What the environment file carries over from the current one (never a secret from flags: there are none). */
const carried = [
	'BLOBFORGE_S3_BUCKET',
	'BLOBFORGE_S3_PREFIX',
	'BLOBFORGE_S3_REGION',
	'BLOBFORGE_S3_ENDPOINT_URL',
	'BLOBFORGE_S3_ACCESS_KEY_ID',
	'BLOBFORGE_S3_SECRET_ACCESS_KEY',
	'BLOBFORGE_S3_PATH_STYLE',
	'BLOBFORGE_STORE_DIR',
	'BLOBFORGE_WORKER_ID',
	'BLOBFORGE_LOG_LEVEL',
];

/**
systemd's quoting, the same for a word of ExecStart= (a path with spaces stays one argument) and a value
of an EnvironmentFile=: double quotes, with \\ and " escaped, unless the text is plain.
*/
function quoted(word: string): string {
	return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `"${word.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

export function serviceUnit(options: {
	user: boolean;
	envFile: string;
	node: string;
	cli: string;
	storeDir?: string;
}): string {
	const lines = [
		'# Written by `blobforge install-service`. Logs: journalctl ' +
			(options.user ? '--user ' : '') +
			'-u <this unit> -f',
		'[Unit]',
		'Description=BlobForge worker (PDF to Markdown)',
		'Documentation=https://www.npmjs.com/package/blobforge',
		...(options.user ? [] : ['After=network-online.target', 'Wants=network-online.target']),
		'',
		'[Service]',
		'Type=simple',
		`EnvironmentFile=${options.envFile}`,
		`ExecStart=${[options.node, options.cli, '--headless', 'worker'].map(quoted).join(' ')}`,
		'# SIGTERM hands the running job back (a fenced requeue) and exits 0; the timeout leaves room for a slow store.',
		'KillSignal=SIGTERM',
		'KillMode=mixed',
		'TimeoutStopSec=60',
		'Restart=on-failure',
		'RestartSec=5',
		'# The jobs the worker holds are remembered in $STATE_DIRECTORY: after a crash it resumes them.',
		'StateDirectory=blobforge',
		'NoNewPrivileges=yes',
	];
	if (!options.user) {
		lines.push('PrivateTmp=yes', 'ProtectSystem=strict');
		// The embedded local store lives outside the state folder: let the worker write it.
		if (options.storeDir) lines.push(`ReadWritePaths=${options.storeDir}`);
		else lines.push('DynamicUser=yes', 'ProtectHome=yes');
	}
	lines.push('', '[Install]', `WantedBy=${options.user ? 'default.target' : 'multi-user.target'}`, '');
	return lines.join('\n');
}

export function environmentFile(environment: NodeJS.ProcessEnv): string {
	const lines = ['# Read by the BlobForge worker unit. Mode 0600: it may hold the store secret.'];
	const set = carried.filter(name => environment[name]);
	for (const name of set) lines.push(`${name}=${quoted(environment[name] ?? '')}`);
	if (set.length === 0)
		lines.push(
			'# Nothing was set when this was written: the worker uses the embedded local store. For S3:',
			'# BLOBFORGE_S3_BUCKET=my-pdf-bucket',
			'# BLOBFORGE_S3_REGION=us-east-1',
			'# BLOBFORGE_S3_ENDPOINT_URL=https://<account>.r2.cloudflarestorage.com',
			'# BLOBFORGE_S3_ACCESS_KEY_ID=',
			'# BLOBFORGE_S3_SECRET_ACCESS_KEY=',
		);
	return `${lines.join('\n')}\n`;
}

/** Written beside, then renamed: a reader never sees half a file, and the mode is 0600 from the first byte. */
async function writeAtomically(file: string, text: string, mode: number): Promise<void> {
	// A new folder for the secret's file is private; one for the unit is readable like /etc/systemd/system.
	await mkdir(path.dirname(file), {recursive: true, mode: mode === 0o600 ? 0o700 : 0o755});
	const temporary = `${file}.${process.pid}.tmp`;
	await writeFile(temporary, text, {mode});
	await chmod(temporary, mode);
	await rename(temporary, file);
}

export const installServiceCommand: CommandModule<GlobalArgs, Args> = {
	command: 'install-service',
	describe: 'Write a systemd unit for a worker and its environment file (mode 0600), and say how to start it',
	builder: y =>
		y
			.option('user', {type: 'boolean', describe: 'a user service (~/.config/systemd/user), no root needed'})
			.option('environment-file', {
				type: 'string',
				// Not --env-file: Node reads that flag itself, wherever it stands on the command line.
				describe: 'environment file (default /etc/blobforge/worker.env, or ~/.config/blobforge/worker.env)',
			})
			.option('unit-dir', {
				type: 'string',
				describe: 'where the unit goes (default /etc/systemd/system, or ~/.config/systemd/user)',
			})
			.option('name', {type: 'string', default: 'blobforge-worker', describe: 'unit name, without .service'})
			.option('force', {type: 'boolean', describe: 'replace an existing environment file'})
			.option('dry-run', {type: 'boolean', describe: 'print the unit and the files it would write; write nothing'})
			.example('sudo $0 install-service', 'a system service that reads /etc/blobforge/worker.env')
			.example('$0 install-service --user', 'a user service; `loginctl enable-linger` keeps it running after logout'),
	async handler(argv) {
		if (!/^[A-Za-z0-9@._-]{1,200}$/.test(argv.name))
			throw new UserError(`--name "${argv.name}" is not a unit name`, {exitCode: exitCodes.usage});
		const user = argv.user === true;
		const config = process.env['XDG_CONFIG_HOME'] || path.join(os.homedir(), '.config');
		const unitDir = path.resolve(
			argv['unit-dir'] ?? (user ? path.join(config, 'systemd', 'user') : '/etc/systemd/system'),
		);
		const envFile = path.resolve(
			argv['environment-file'] ?? (user ? path.join(config, 'blobforge', 'worker.env') : '/etc/blobforge/worker.env'),
		);
		const unitFile = path.join(unitDir, `${argv.name}.service`);
		const cli = fileURLToPath(new URL('../cli.js', import.meta.url));
		const storeDir = process.env['BLOBFORGE_S3_BUCKET'] ? undefined : process.env['BLOBFORGE_STORE_DIR'];
		const unit = serviceUnit({
			user,
			envFile,
			node: process.execPath,
			cli,
			...(storeDir ? {storeDir: path.resolve(storeDir)} : {}),
		});
		const keepEnv = existsSync(envFile) && !argv.force;
		if (argv['dry-run']) {
			printLine(`would write ${unitFile}:\n\n${unit}`);
			printLine(
				keepEnv ? `would keep ${envFile} (it exists; --force replaces it)` : `would write ${envFile} (mode 0600)`,
			);
			return;
		}
		try {
			await writeAtomically(unitFile, unit, 0o644);
			if (!keepEnv) await writeAtomically(envFile, environmentFile(process.env), 0o600);
		} catch (error) {
			const code = (error as NodeJS.ErrnoException).code;
			throw new UserError(`cannot write the service files: ${(error as Error).message}`, {
				hint: code === 'EACCES' || code === 'EPERM' ? 'run it with sudo, or add --user for a user service' : undefined,
				exitCode: exitCodes.failure,
			});
		}
		const systemctl = user ? 'systemctl --user' : 'sudo systemctl';
		printLine(`wrote ${unitFile}`);
		printLine(
			keepEnv
				? `kept ${envFile} (it exists; --force replaces it)`
				: `wrote ${envFile} (mode 0600): check the store settings in it`,
		);
		printLine('start it:');
		printLine(`  ${systemctl} daemon-reload && ${systemctl} enable --now ${argv.name}`);
		printLine(`  journalctl ${user ? '--user ' : ''}-u ${argv.name} -f`);
		if (user)
			printLine(
				`a user service stops when you log out unless lingering is on: sudo loginctl enable-linger ${os.userInfo().username}`,
			);
	},
};
