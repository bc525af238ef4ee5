import type {CommandModule} from 'yargs';
import os from 'node:os';
import {freeBytes, lowDiskBytes} from '../lib/disk-space.js';
import {UserError, exitCodes} from '../lib/errors.js';
import {S3Store} from '../storage/s3-store.js';
import {probeRoles, strongestRole} from '../queue/access.js';
import {formatBytes, textTable} from '../lib/format.js';
import {saveCapabilities} from '../queue/capabilities.js';
import {Keys} from '../queue/keys.js';
import {probeStore, type Check} from '../storage/probe.js';
import {openQueueContext} from '../queue/queue-context.js';
import {RemoteConfigCache} from '../queue/remote-config.js';
import {checkConverter} from '../worker/converters.js';
import {openContext, type GlobalArgs} from './context.js';
import {printError, printJson, printLine} from './output.js';

const statusWords = {ok: 'ok', warn: 'WARN', fail: 'FAIL', info: 'info'} as const;

export const doctorCommand: CommandModule<
	GlobalArgs,
	GlobalArgs & {save: boolean; 'create-bucket'?: boolean; converter?: string}
> = {
	command: 'doctor',
	describe:
		'Probe the store: conditional writes, permissions, clock skew, latency; exits non-zero when leases would be unsafe',
	builder: y =>
		y
			.option('save', {
				type: 'boolean',
				default: true,
				describe: 'store the result in the bucket so workers need not probe again',
			})
			.option('create-bucket', {
				type: 'boolean',
				describe: 'create the bucket first when it does not exist (a first run)',
			})
			.option('converter', {
				type: 'string',
				describe: "check this converter runs here (default: the remote config's converter)",
			})
			.example('$0 doctor', 'check the configured store')
			.example('$0 doctor --json', 'the same, as JSON'),
	async handler(argv) {
		const context = openContext(argv);
		if (argv['create-bucket']) {
			if (!(context.backend instanceof S3Store))
				throw new UserError('--create-bucket is for S3: the local store needs no bucket', {exitCode: exitCodes.usage});
			const created = await context.backend.createBucket();
			// Beside --json's object, not inside it.
			(argv.json ? printError : printLine)(
				created === 'created' ? `created the bucket ${context.storeLine}` : `the bucket exists: ${context.storeLine}`,
			);
		}
		const result = await probeStore(context.store, context.backend, context.settings.prefix);
		const keys = new Keys(context.settings.prefix);
		let saved: string | undefined;
		if (argv.save && result.reachable) {
			saved = await saveCapabilities(context.store, keys, result, context.store.location).then(
				() => keys.capabilities(),
				(error: unknown) => {
					result.checks.push({name: 'save result', status: 'warn', detail: (error as Error).message});
					return undefined;
				},
			);
		}
		// Which of the readme's three roles these credentials can take, probed with refused PUTs only.
		const roles = await probeRoles({store: context.store, keys}).catch(() => undefined);
		if (roles && strongestRole(roles) !== 'unknown')
			result.checks.push({
				name: 'credentials',
				status: 'info',
				detail: `can act as: ${strongestRole(roles)} (${roles.detail.join('; ')})`,
			});
		// The converter a worker here would run: its tool on PATH and answering (this machine's, not saved either).
		const converterText =
			argv.converter ??
			(result.reachable
				? await new RemoteConfigCache(openQueueContext(context.store, {prefix: context.settings.prefix}))
						.get()
						.then(read => read.config.converter)
						.catch(() => undefined)
				: undefined);
		const converter = await checkConverter(converterText);
		result.checks.push({
			name: 'converter',
			status: converter.ok ? 'ok' : 'warn',
			detail: converter.ok ? converter.description : `${converter.message}: workers here would claim nothing`,
		});
		// This machine's disks (not saved with the store's result: another machine has its own).
		result.checks.push(
			...(await diskChecks(context.settings.store.kind === 'local' ? context.settings.store.dir : undefined)),
		);
		const verdict = !result.reachable
			? 'UNUSABLE: the store cannot be reached or written'
			: result.safeForLeases
				? 'SAFE: this store supports fenced leases'
				: 'UNSAFE: workers must not run on this store (conditional writes missing or ignored)';
		if (argv.json) {
			printJson({
				store: context.store.location,
				prefix: context.settings.prefix,
				...result,
				verdict,
				saved,
				...(roles ? {role: strongestRole(roles), roles} : {}),
			});
		} else {
			printLine('BlobForge doctor');
			printLine(`store  ${context.storeLine}`);
			printLine();
			printLine(
				textTable(
					['check', 'result', 'detail'],
					result.checks.map(c => [c.name, statusWords[c.status], c.detail]),
				),
			);
			printLine();
			printLine(`verdict: ${verdict}`);
			if (saved) printLine(`result saved to ${saved}`);
		}
		process.exitCode = !result.reachable ? exitCodes.store : result.safeForLeases ? exitCodes.ok : exitCodes.unsafe;
	},
};

/**
Free room where workers download and convert (the temp directory) and, for the local store, where it keeps
objects.
*/
export async function diskChecks(storeDir?: string, lowBytes = lowDiskBytes): Promise<Check[]> {
	const places: Array<[string, string, string]> = [
		['free space: job scratch', os.tmpdir(), 'workers download each PDF and convert it there (TMPDIR moves it)'],
	];
	if (storeDir) places.push(['free space: local store', storeDir, 'every object of the store lives there']);
	const checks: Check[] = [];
	for (const [name, dir, why] of places) {
		const free = await freeBytes(dir);
		if (free === undefined) checks.push({name, status: 'warn', detail: `cannot read the free space of ${dir}`});
		else
			checks.push({
				name,
				status: free < lowBytes ? 'warn' : 'ok',
				detail: `${formatBytes(free)} free in ${dir}${free < lowBytes ? `: low; ${why}` : ''}`,
			});
	}
	return checks;
}
