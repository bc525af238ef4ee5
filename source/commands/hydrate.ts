/** `blobforge hydrate PATHS…`: each converted PDF's Markdown and assets beside it. */
import type {CommandModule} from 'yargs';
import {exitCodes} from '../lib/errors.js';
import {safeText} from '../lib/format.js';
import {hydrate} from '../ingest/hydrate.js';
import type {GlobalArgs} from './context.js';
import {printError, printJson, printLine} from './output.js';
import {openQueue} from './queue-context.js';

type Args = GlobalArgs & {paths: string[]; 'dry-run'?: boolean; force?: boolean};

export const hydrateCommand: CommandModule<GlobalArgs, Args> = {
	command: 'hydrate <paths..>',
	describe: 'Write <stem>.md and <stem>.assets/ beside each local PDF that has been converted',
	builder: y =>
		y
			.positional('paths', {type: 'string', array: true, demandOption: true, describe: 'PDF files or folders'})
			.option('dry-run', {type: 'boolean', describe: 'say what would be written; write nothing'})
			.option('force', {type: 'boolean', describe: 'replace Markdown files newer than their result'})
			.example('$0 hydrate ~/papers', 'the Markdown of every converted PDF under ~/papers, beside it'),
	async handler(argv) {
		const queue = await openQueue(argv);
		const {outcomes, problems} = await hydrate(queue.queue, argv.paths.map(String), {
			...(argv['dry-run'] ? {dryRun: true} : {}),
			...(argv.force ? {force: true} : {}),
		});
		const count = (kind: string) => outcomes.filter(o => o.kind === kind).length;
		if (argv.json) printJson({outcomes, problems});
		else {
			for (const o of outcomes) {
				const name = safeText(o.file);
				if ('assets' in o)
					printLine(
						`${o.kind === 'written' ? 'wrote' : 'would write'}  ${safeText(o.markdown)}${o.assets ? ` (+${o.assets} asset(s))` : ''}`,
					);
				else if ('markdown' in o) printLine(`kept   ${safeText(o.markdown)}: ${o.reason}`);
				else printLine(`${o.kind === 'failed' ? 'failed' : 'skipped'} ${name}: ${o.reason}`);
			}
			for (const p of problems) printError(`problem: ${safeText(p.path)}: ${p.reason}`);
			const written = argv['dry-run'] ? `${count('would-write')} would be written` : `${count('written')} written`;
			printLine(
				`hydrate: ${outcomes.length} PDF(s), ${written}, ${count('kept')} kept, ${count('not-converted')} not converted yet, ` +
					`${count('failed')} failed`,
			);
		}
		if (count('failed') > 0 || problems.length > 0) process.exitCode = exitCodes.failure;
	},
};
