/**
The `blobforge` command line, loaded by source/cli.ts once the Node version is known to be good:
global flags, the list of commands, and the one place where errors become a clear line and an exit
code (a stack trace only with --verbose).
*/
import process from 'node:process';
import yargs, {type CommandModule} from 'yargs';
import {hideBin} from 'yargs/helpers';
import {priorities} from '../queue/keys.js';
import {
	cancelCommand,
	clearDeadCommand,
	janitorCommand,
	removeCommand,
	reprioritizeCommand,
	retryCommand,
} from './actions.js';
import {configCommand} from './config.js';
import {convertCommand} from './convert.js';
import {workerCommand} from './worker.js';
import {logsCommand, workersCommand} from './observe.js';
import {doctorCommand} from './doctor.js';
import {ingestCommand} from './ingest.js';
import {dashboardCommand, listCommand, searchQueueCommand, statusCommand} from './jobs.js';
import {lookupCommand, manifestCommand, searchCommand} from './manifest.js';
import {downloadCommand, previewCommand} from './results.js';
import type {GlobalArgs} from './context.js';
import {printError} from './output.js';
import {watchCommand} from './watch.js';
import {metricsCommand} from './metrics.js';
import {installServiceCommand} from './install-service.js';
import {purgeCommand} from './purge.js';
import {pauseCommand, resumeCommand} from './pause.js';
import {failuresCommand} from './failures.js';
import {hydrateCommand} from './hydrate.js';
import {repairMetadataCommand} from './repair-metadata.js';
import {demoCommand} from './demo.js';
import {UserError, exitCodes} from '../lib/errors.js';
import {StoreError} from '../storage/store-error.js';

const storeHints: Partial<Record<StoreError['kind'], string>> = {
	network: 'check BLOBFORGE_S3_ENDPOINT_URL (or --endpoint) and that the service is up',
	'bad-credentials': 'check BLOBFORGE_S3_ACCESS_KEY_ID and BLOBFORGE_S3_SECRET_ACCESS_KEY (or the AWS profile in use)',
	'access-denied':
		'the credentials need read, write, list and delete on the bucket under the prefix ' +
		'(without s3:ListBucket, S3 answers 403 for a missing key: readme, Credentials)',
	'bucket-missing': 'check BLOBFORGE_S3_BUCKET (or --bucket), or create it with `blobforge doctor --create-bucket`',
	throttled: 'the provider is rate limiting; try again shortly',
	'clock-skew': 'set the clock right (e.g. `timedatectl set-ntp true`), then try again',
	unsupported: 'check BLOBFORGE_S3_ENDPOINT_URL: it must be the S3 API endpoint, not a web console or another service',
};

/** The error as the one line a user reads, its hint, and the exit code. */
function describeError(error: unknown): {message: string; hint?: string; kind: string; exitCode: number} {
	if (error instanceof UserError)
		return {
			message: error.message,
			...(error.options.hint ? {hint: error.options.hint} : {}),
			kind: 'usage',
			exitCode: error.exitCode,
		};
	if (error instanceof StoreError) {
		const hint = storeHints[error.kind];
		return {
			message: error.message,
			...(hint ? {hint} : {}),
			kind: error.kind,
			exitCode:
				error.kind === 'not-found' || error.kind === 'precondition-failed' ? exitCodes.failure : exitCodes.store,
		};
	}
	const message = error instanceof Error ? error.message : String(error);
	return {message: `unexpected error: ${message}`, kind: 'unexpected', exitCode: exitCodes.failure};
}

function report(error: unknown, verbose: boolean): number {
	const {message, hint, kind, exitCode} = describeError(error);
	// A script that asked for JSON reads an error object on stdout too (and the same exit code).
	if (json) process.stdout.write(`${JSON.stringify({error: {message, ...(hint ? {hint} : {}), kind, exitCode}})}\n`);
	printError(`blobforge: ${message}`);
	if (hint) printError(`  ${hint}`);
	if (verbose) {
		const cause = error instanceof StoreError ? (error.details.cause as Error | undefined) : undefined;
		printError(String(cause?.stack ?? (error as Error | undefined)?.stack ?? ''));
	} else if (kind === 'unexpected') printError('  run again with --verbose for details');
	return exitCode;
}

const commands = [
	watchCommand,
	demoCommand,
	ingestCommand,
	workerCommand,
	convertCommand,
	statusCommand,
	listCommand,
	dashboardCommand,
	failuresCommand,
	retryCommand,
	cancelCommand,
	reprioritizeCommand,
	clearDeadCommand,
	removeCommand,
	pauseCommand,
	resumeCommand,
	purgeCommand,
	janitorCommand,
	configCommand,
	manifestCommand,
	searchCommand,
	searchQueueCommand,
	lookupCommand,
	repairMetadataCommand,
	logsCommand,
	workersCommand,
	metricsCommand,
	downloadCommand,
	previewCommand,
	hydrateCommand,
	doctorCommand,
	installServiceCommand,
] as unknown as Array<CommandModule<GlobalArgs, never>>;

const argv = hideBin(process.argv);
const verbose = argv.includes('--verbose');
const json = argv.includes('--json');

try {
	await yargs(argv)
		.scriptName('blobforge')
		.usage(
			'$0 <command> [options]\n\nBlobForge turns libraries of PDFs into Markdown, coordinated through one S3-compatible bucket.',
		)
		.option('bucket', {
			type: 'string',
			describe: 'S3 bucket (env BLOBFORGE_S3_BUCKET); without one, the local store is used',
			group: 'Store:',
		})
		.option('prefix', {type: 'string', describe: 'key prefix (env BLOBFORGE_S3_PREFIX, default pdf/)', group: 'Store:'})
		.option('region', {
			type: 'string',
			describe: 'region (env BLOBFORGE_S3_REGION, default us-east-1)',
			group: 'Store:',
		})
		.option('endpoint', {
			type: 'string',
			describe: 'S3-compatible endpoint URL (env BLOBFORGE_S3_ENDPOINT_URL)',
			group: 'Store:',
		})
		.option('store-dir', {type: 'string', describe: 'local store directory (env BLOBFORGE_STORE_DIR)', group: 'Store:'})
		.option('worker-id', {type: 'string', describe: 'worker id (env BLOBFORGE_WORKER_ID)', group: 'Output:'})
		.option('log-level', {
			type: 'string',
			describe: 'debug, info, warn or error (env BLOBFORGE_LOG_LEVEL)',
			group: 'Output:',
		})
		.option('headless', {type: 'boolean', describe: 'no terminal UI: JSON lines on stdout', group: 'Output:'})
		.option('json', {type: 'boolean', describe: 'print data as JSON', group: 'Output:'})
		.option('verbose', {type: 'boolean', describe: 'stack traces on errors', group: 'Output:'})
		.command(commands)
		.demandCommand(1, 'name a command')
		.recommendCommands()
		.strict()
		.completion('completion', 'print a shell completion script (bash/zsh)', completeWord)
		.help()
		.alias('help', 'h')
		.version()
		.wrap(Math.min(110, process.stdout.columns || 100))
		.fail((message, error, y) => {
			// Errors from handlers go to the top-level handler; yargs' own validation errors are usage errors.
			if (error && error.name !== 'YError') throw error;
			printError(`blobforge: ${message ?? error?.message ?? 'invalid arguments'}`);
			void y;
			printError('  see blobforge --help');
			process.exit(exitCodes.usage);
		})
		.parseAsync();
} catch (error) {
	process.exitCode = report(error, verbose);
}

/**
Shell completion: yargs' own, less the one-letter options it offers with two dashes (`--v`), and the
five priorities after `--priority` (or as `reprioritize`'s argument), which yargs cannot know: the
option also takes folder names and initials, so it has no `choices`.
*/
function completeWord(
	current: string,
	_argv: unknown,
	completionFilter: (onCompleted?: (error: Error | null, completions: string[] | undefined) => void) => void,
	done: (completions: string[]) => void,
): void {
	const line = process.argv.slice(process.argv.indexOf('--get-yargs-completions') + 1);
	const previous = line.at(-2);
	if (previous === '--priority' || (line[1] === 'reprioritize' && line.length === 4)) {
		done(priorities.filter(p => p.startsWith(current)));
		return;
	}
	completionFilter((error, completions) => done(error ? [] : (completions ?? []).filter(c => !/^--.$/.test(c))));
}
