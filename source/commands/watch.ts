/** `blobforge watch`: the full-screen console. Ink is loaded only here, so other commands start without it. */
import type {CommandModule} from 'yargs';
import {UserError, exitCodes} from '../lib/errors.js';
import {InspectorFeed} from '../inspector/console-feed.js';
import type {GlobalArgs} from './context.js';
import {printError} from './output.js';
import {openQueue} from './queue-context.js';
import {loadConsole} from './load-console.js';

export const watchCommand: CommandModule<
	GlobalArgs,
	GlobalArgs & {refresh: number; 'read-only': boolean; 'lease-refresh'?: number}
> = {
	command: 'watch',
	describe: 'Full-screen console: queue, active jobs, failures, workers; retry, cancel and read logs from the keyboard',
	builder: y =>
		y
			.option('refresh', {
				type: 'number',
				default: 2,
				describe: 'seconds between refreshes (not below the console_min_refresh config key)',
			})
			.option('read-only', {
				type: 'boolean',
				default: false,
				describe: 'disable every action (retry, cancel, priority, clear dead)',
			})
			.option('lease-refresh', {
				type: 'number',
				describe:
					'seconds between listings of the running jobs (default: 20 on S3, where a LIST costs 12.5 GETs; every refresh on the local store)',
			})
			.example('$0 watch', 'the console on the configured store')
			.example('$0 watch --read-only --refresh 5', 'look, do not touch, and refresh every 5 s'),
	async handler(argv) {
		if (!process.stdout.isTTY || !process.stdin.isTTY) {
			throw new UserError('watch needs an interactive terminal', {
				hint: 'for a one-shot view use `blobforge dashboard` (or `--json`)',
				exitCode: exitCodes.usage,
			});
		}
		if (!Number.isFinite(argv.refresh) || argv.refresh <= 0)
			throw new UserError(`--refresh ${argv.refresh} is not a number of seconds above 0`, {exitCode: exitCodes.usage});
		const queue = await openQueue(argv);
		const floor = queue.remoteConfig.config.console_min_refresh;
		if (argv.refresh < floor)
			printError(`blobforge: --refresh ${argv.refresh} is below console_min_refresh; refreshing every ${floor} s`);
		const leaseRefresh = argv['lease-refresh'] ?? (queue.settings.store.kind === 's3' ? 20 : 0);
		if (!Number.isFinite(leaseRefresh) || leaseRefresh < 0)
			throw new UserError(`--lease-refresh ${leaseRefresh} is not a number of seconds`, {exitCode: exitCodes.usage});
		const feed = new InspectorFeed(queue.inspector, queue.storeLine, {
			minRefreshSeconds: floor,
			leaseSweepMs: leaseRefresh * 1000,
			isPriced: queue.settings.store.kind === 's3',
			remoteConfig: queue.remoteConfig,
		});
		const {runConsole} = await loadConsole();
		await runConsole(feed, {intervalMs: Math.max(floor, argv.refresh) * 1000, isReadOnly: argv['read-only']});
	},
};
