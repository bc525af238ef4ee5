/** `blobforge watch`: the full-screen console. Ink is loaded only here, so other commands start without it. */
import type {CommandModule} from 'yargs';
import {UserError, exitCodes} from '../lib/errors.js';
import {QueueMetrics} from '../inspector/metrics.js';
import {queueWriteAccess} from '../queue/access.js';
import {leaseRefreshOption, openFeed} from './feed.js';
import {serveMetrics} from './metrics-server.js';
import type {GlobalArgs} from './context.js';
import {printError} from './output.js';
import {openQueue} from './queue-context.js';
import {loadConsole} from './load-console.js';

export const watchCommand: CommandModule<
	GlobalArgs,
	GlobalArgs & {refresh: number; 'read-only': boolean; 'lease-refresh'?: number; 'metrics-listen'?: string}
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
			.option('lease-refresh', leaseRefreshOption)
			.option('metrics-listen', {
				type: 'string',
				describe: 'also serve Prometheus metrics from what the console reads, at HOST:PORT/metrics',
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
		// Credentials that cannot write the queue make a read-only console by themselves, and it says why.
		const denied = !argv['read-only'] && (await queueWriteAccess(queue.queue)) === 'denied';
		const readOnly = argv['read-only'] || denied;
		const why = 'read-only: these credentials may not write the queue (a PUT to queue/ was refused with 403)';
		const metrics = new QueueMetrics(undefined, {stats: queue.stats, isPriced: queue.settings.store.kind === 's3'});
		const feed = openFeed(queue, argv['lease-refresh'], {
			onSnapshot: snapshot => metrics.observe(snapshot),
			...(denied ? {notices: () => [why]} : {}),
		});
		// The console's own refreshes feed the exporter: a scrape makes no request.
		const server = argv['metrics-listen']
			? await serveMetrics(argv['metrics-listen'], () => metrics.scrape())
			: undefined;
		const {runConsole} = await loadConsole();
		try {
			await runConsole(feed, {intervalMs: Math.max(floor, argv.refresh) * 1000, isReadOnly: readOnly});
		} finally {
			await server?.close();
		}
	},
};
