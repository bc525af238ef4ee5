/** `blobforge metrics`: the queue as Prometheus metrics, printed once or served over HTTP. */
import process from 'node:process';
import type {CommandModule} from 'yargs';
import {QueueMetrics} from '../inspector/metrics.js';
import type {GlobalArgs} from './context.js';
import {leaseRefreshOption, openFeed} from './feed.js';
import {serveMetrics} from './metrics-server.js';
import {printError, printLine} from './output.js';
import {openQueue} from './queue-context.js';

type Args = GlobalArgs & {listen?: string; 'lease-refresh'?: number};

export const metricsCommand: CommandModule<GlobalArgs, Args> = {
	command: 'metrics',
	describe: 'Prometheus metrics of the queue: printed once, or served at HOST:PORT/metrics with --listen',
	builder: y =>
		y
			.option('listen', {type: 'string', describe: 'serve at HOST:PORT/metrics until stopped (e.g. 127.0.0.1:9464)'})
			.option('lease-refresh', leaseRefreshOption)
			.example('$0 metrics', 'print the metrics once (Prometheus text format)')
			.example('$0 metrics --listen 127.0.0.1:9464', 'an exporter for Prometheus to scrape'),
	async handler(argv) {
		const queue = await openQueue(argv);
		const isPriced = queue.settings.store.kind === 's3';
		const metrics = new QueueMetrics(openFeed(queue, argv['lease-refresh']), {stats: queue.stats, isPriced});
		if (!argv.listen) {
			process.stdout.write(await metrics.scrape());
			return;
		}
		const server = await serveMetrics(argv.listen, () => metrics.scrape());
		if (argv.headless) printLine(JSON.stringify({event: 'metrics-listening', url: server.url, store: queue.storeLine}));
		else printError(`serving ${queue.storeLine} metrics at ${server.url} (Ctrl-C stops)`);
		await new Promise<void>(resolve => {
			for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => resolve());
		});
		await server.close();
	},
};
