/** logs and workers: what workers recorded. */
import type {CommandModule} from 'yargs';
import {exitCodes} from '../lib/errors.js';
import {formatBytes, formatDuration, formatWakeTime, safeText, textTable} from '../lib/format.js';
import type {GlobalArgs} from './context.js';
import {printError, printJson, printLine} from './output.js';
import {openQueue, resolveHashArgument} from './queue-context.js';

export const logsCommand: CommandModule<GlobalArgs, GlobalArgs & {hash: string; attempt?: number}> = {
	command: 'logs <hash>',
	describe: "Each attempt's log for a job (outcome, error, timings, converter output), newest first",
	builder: y =>
		y
			.positional('hash', {type: 'string', demandOption: true})
			.option('attempt', {type: 'number', describe: 'only this attempt'}),
	async handler(argv) {
		const queue = await openQueue(argv);
		const hash = await resolveHashArgument(queue, argv.hash);
		const {logs, problems} = await queue.inspector.logs(hash);
		const shown = argv.attempt === undefined ? logs : logs.filter(l => l.attempt === argv.attempt);
		if (argv.json) printJson({logs: shown, problems});
		else if (shown.length === 0)
			printLine(`no logs for ${hash.slice(0, 12)}${argv.attempt ? ` attempt ${argv.attempt}` : ''}`);
		for (const log of argv.json ? [] : shown) {
			printLine(
				`── attempt ${log.attempt} on ${log.worker}: ${log.outcome}, ${new Date(log.startedAt).toISOString()}, ` +
					`${formatDuration(log.endedAt - log.startedAt)}`,
			);
			if (log.error) printLine(`error      ${safeText(log.error)}`);
			if (log.converter) printLine(`converter  ${log.converter}${log.pages ? `, ${log.pages} pages` : ''}`);
			printLine(
				`timings    download ${log.timings.downloadMs ?? '-'} ms, convert ${log.timings.convertMs ?? '-'} ms, upload ` +
					`${log.timings.uploadMs ?? '-'} ms`,
			);
			if (log.output.trim())
				printLine(
					log.output
						.trimEnd()
						.split('\n')
						.map(line => `  │ ${safeText(line)}`)
						.join('\n'),
				);
		}
		for (const problem of problems) printError(`problem: ${problem}`);
		process.exitCode = shown.length === 0 ? exitCodes.failure : exitCodes.ok;
	},
};

export const workersCommand: CommandModule<
	GlobalArgs,
	GlobalArgs & {active?: boolean; prune?: boolean; dryRun?: boolean; drain?: string; stop?: string}
> = {
	command: 'workers',
	describe: 'Registered workers: status, current job, jobs done, average time per job and per page, last seen',
	builder: y =>
		y
			.option('active', {type: 'boolean', describe: 'only workers seen recently and not stopped'})
			.option('prune', {type: 'boolean', describe: 'forget workers that are gone or stopped (their registrations)'})
			.option('dry-run', {type: 'boolean', describe: 'with --prune: only say which'})
			.option('drain', {
				type: 'string',
				describe: 'ask this worker to finish its job, claim no other and exit (through the bucket)',
			})
			.option('stop', {type: 'string', describe: 'ask this worker to hand its job back now and exit'})
			.conflicts('drain', 'stop'),
	async handler(argv) {
		const queue = await openQueue(argv);
		const commanded = argv.drain ?? argv.stop;
		if (commanded !== undefined) {
			const answer = await queue.inspector.commandWorker(commanded, argv.drain === undefined ? 'stop' : 'drain');
			if (argv.json) printJson(answer);
			else if (answer.ok) printLine(answer.message);
			else printError(answer.reason);
			process.exitCode = answer.ok ? exitCodes.ok : exitCodes.failure;
			return;
		}
		if (argv.prune) {
			const ids = await queue.inspector.pruneWorkers({dryRun: argv.dryRun});
			if (argv.json) printJson({pruned: argv.dryRun ? [] : ids, wouldPrune: argv.dryRun ? ids : []});
			else {
				for (const id of ids) printLine(`${argv.dryRun ? 'would forget' : 'forgot'} ${id}`);
				printLine(`${ids.length} gone or stopped worker(s) ${argv.dryRun ? 'would be forgotten' : 'forgotten'}`);
			}
			return;
		}
		const {workers, problems} = await queue.inspector.workers();
		const shown = argv.active ? workers.filter(w => w.alive) : workers;
		if (argv.json) {
			printJson({workers: shown, problems});
			return;
		}
		printLine(
			shown.length === 0
				? 'no workers registered'
				: textTable(
						[
							'worker',
							'host',
							'status',
							'slots',
							'current job',
							'done',
							'failed',
							'avg/job',
							'avg/page',
							'pages',
							'bytes',
							'last seen',
						],
						shown.map(w => [
							w.worker,
							safeText(w.host),
							w.command && w.status !== 'stopped'
								? `${w.command.command === 'drain' ? 'draining' : 'stopping'} (${w.status})`
								: w.alive && w.sleepingUntil !== undefined && w.status === 'idle'
									? `sleeping until ${formatWakeTime(w.sleepingUntil)}`
									: w.alive
										? w.status
										: w.status === 'stopped'
											? w.command
												? `${w.command.command === 'drain' ? 'drained' : 'stopped'} by ${safeText(w.command.by)}`
												: 'stopped'
											: `${w.status} (silent)`,
							// Busy of all: a worker of 4 slots running 3 jobs shows 3/4.
							`${w.runningJobs}/${w.slots ?? 1}`,
							w.currentJob ? `${w.currentJob.hash.slice(0, 12)} ${safeText(w.currentJob.name ?? '')}`.trim() : '',
							String(w.jobsCompleted),
							String(w.jobsFailed),
							w.jobsCompleted + w.jobsFailed > 0 ? formatDuration(w.busyMs / (w.jobsCompleted + w.jobsFailed)) : '',
							w.pagesProcessed > 0 ? `${(w.busyMs / w.pagesProcessed / 1000).toFixed(2)}s` : '',
							String(w.pagesProcessed),
							formatBytes(w.bytesProcessed),
							`${formatDuration(w.lastSeenAgoMs)} ago`,
						]),
					),
		);
		for (const problem of problems) printError(`problem: ${problem}`);
	},
};
