import type {CommandModule} from 'yargs';
import {UserError, exitCodes} from '../lib/errors.js';
import {safeText} from '../lib/format.js';
import {ingest, type IngestSummary} from '../ingest/ingest.js';
import type {GlobalArgs} from './context.js';
import {printError, printJson, printLine} from './output.js';
import {openQueue, priorityArgument} from './queue-context.js';

type Args = GlobalArgs & {paths: string[]; priority?: string; tag?: string[]; dryRun?: boolean; concurrency: number};

function summaryLine(summary: IngestSummary, dryRun: boolean): string {
	const skipped = Object.entries(summary.skipped)
		.map(([reason, n]) => `${n} ${reason}`)
		.join(', ');
	const wouldQueue = summary.results.filter(r => r.outcome === 'would-queue').length;
	const parts = [
		`${summary.found} PDF file(s) found`,
		dryRun ? `${wouldQueue} would be queued` : `${summary.queued} queued (${summary.uploaded} uploaded)`,
		`${Object.values(summary.skipped).reduce((a, b) => a + b, 0)} skipped${skipped ? ` (${skipped})` : ''}`,
		`${summary.failed} failed`,
	];
	return (
		`ingest${dryRun ? ' (dry run, nothing written)' : ''}: ` +
		`${parts.join(', ')}${summary.interrupted ? '; INTERRUPTED: the rest was not queued, run again to finish' : ''}`
	);
}

export const ingestCommand: CommandModule<GlobalArgs, Args> = {
	command: 'ingest <paths..>',
	describe: 'Upload PDFs (files, directories, Git LFS pointers) and queue them for conversion',
	builder: y =>
		y
			.positional('paths', {
				type: 'string',
				array: true,
				demandOption: true,
				describe: 'files or directories (searched recursively for .pdf)',
			})
			.option('priority', {
				alias: 'p',
				type: 'string',
				describe: 'critical, high, normal, low or background (default normal)',
			})
			.option('tag', {alias: 't', type: 'string', array: true, describe: 'extra tag for every file (repeatable)'})
			.option('dry-run', {type: 'boolean', describe: 'say what would happen, write nothing'})
			.option('concurrency', {type: 'number', default: 8, describe: 'uploads at once'})
			.example('$0 ingest ~/papers', 'queue every PDF under ~/papers')
			.example('$0 ingest a.pdf b.pdf --priority high --tag urgent', 'two files, high priority')
			.example('$0 ingest ~/papers --dry-run --json', 'what would happen, per file'),
	async handler(argv) {
		const priority = priorityArgument(argv.priority);
		if (!(argv.concurrency >= 1 && argv.concurrency <= 64))
			throw new UserError('--concurrency must be between 1 and 64', {exitCode: exitCodes.usage});
		const queue = await openQueue(argv);
		if (!argv.json) printError(`store  ${queue.storeLine}`);
		const controller = new AbortController();
		const onSignal = () => {
			if (controller.signal.aborted) process.exit(130);
			printError('\ninterrupted: finishing the current batch, then stopping (press Ctrl-C again to quit now)');
			controller.abort();
		};
		process.on('SIGINT', onSignal);
		const showProgress = process.stderr.isTTY && !argv.json;
		const summary = await ingest(queue.queue, argv.paths, {
			priority,
			tags: argv.tag,
			dryRun: argv.dryRun,
			concurrency: argv.concurrency,
			signal: controller.signal,
			onProgress: showProgress
				? (phase, done, total) => {
						const width = 30;
						const filled = total === 0 ? width : Math.round((done / total) * width);
						process.stderr.write(
							`\r${phase.padEnd(9)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`,
						);
						if (done === total) process.stderr.write('\n');
					}
				: undefined,
		});
		process.off('SIGINT', onSignal);
		if (argv.json) {
			printJson(summary);
		} else {
			for (const result of summary.results) {
				if (result.outcome === 'queued' && !argv.verbose) continue;
				printLine(
					`${result.outcome.padEnd(11)} ${result.hash ? `${result.hash.slice(0, 12)}  ` : ''}${safeText(result.path)}: ${result.reason}`,
				);
			}
			printLine(summaryLine(summary, Boolean(argv.dryRun)));
		}
		process.exitCode = summary.interrupted ? 130 : summary.failed > 0 ? exitCodes.failure : exitCodes.ok;
	},
};
