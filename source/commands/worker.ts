import {readFileSync} from 'node:fs';
import type {CommandModule} from 'yargs';
import {systemClock} from '../lib/clock.js';
import {createLogger} from '../lib/log.js';
import {defaultWorkerId} from '../worker/identity.js';
import {Worker} from '../worker/worker.js';
import type {GlobalArgs} from './context.js';
import {openQueue} from './queue-context.js';

type Args = GlobalArgs & {runOnce?: boolean; converter?: string; idlePoll?: number};

export function softwareVersion(): string {
	try {
		return (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {version: string}).version;
	} catch {
		return 'unknown';
	}
}

export const workerCommand: CommandModule<GlobalArgs, Args> = {
	command: 'worker',
	describe: 'Claim and convert jobs until stopped (SIGTERM hands the running job back)',
	builder: y =>
		y
			.option('run-once', {type: 'boolean', describe: 'process at most one job, then exit'})
			.option('converter', {type: 'string', describe: 'external converter command, e.g. "marker_single {input} --output_dir {output}"'})
			.option('idle-poll', {type: 'number', default: 10, describe: 'seconds between idle polls'})
			.example('$0 --headless worker', 'under systemd: JSON log lines on stdout'),
	async handler(argv) {
		const queue = await openQueue(argv);
		const workerId = queue.settings.workerId ?? defaultWorkerId();
		const logger = createLogger({level: queue.settings.logLevel, json: Boolean(argv.headless) || !process.stdout.isTTY, base: {worker: workerId}});
		const worker = new Worker({
			context: queue.queue,
			remoteConfig: queue.remoteConfig,
			workerId,
			logger,
			clock: systemClock,
			storeLine: queue.storeLine,
			softwareVersion: softwareVersion(),
			runOnce: argv.runOnce,
			converterCommand: argv.converter,
			idlePollSeconds: argv.idlePoll,
		});
		for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'] as const) process.on(signal, () => worker.stop(signal));
		try {
			await worker.run();
		} catch (error) {
			// An unexpected error takes the same path as a signal: the job is handed back first.
			logger.error('worker-crashed', {error: (error as Error).message});
			worker.stop('unexpected error');
			process.exitCode = 1;
		}
	},
};
