/** `blobforge failures`: failed and dead jobs grouped by error signature, with counts, for `--error` actions. */
import type {CommandModule} from 'yargs';
import {safeText, textTable} from '../lib/format.js';
import type {GlobalArgs} from './context.js';
import {printJson, printLine} from './output.js';
import {openQueue} from './queue-context.js';

export const failuresCommand: CommandModule<GlobalArgs, GlobalArgs & {limit: number}> = {
	command: 'failures',
	describe: 'Failed and dead jobs grouped by error (numbers, names and paths set aside), the largest group first',
	builder: y =>
		y
			.option('limit', {type: 'number', default: 30, describe: 'groups shown'})
			.example('$0 failures', 'then: blobforge retry --error "timed out" --dry-run'),
	async handler(argv) {
		const queue = await openQueue(argv);
		const groups = await queue.inspector.failureGroups();
		if (argv.json) {
			printJson(
				groups.slice(0, argv.limit).map(({hashes, example, ...group}) => ({...group, example: example.name, hashes})),
			);
			return;
		}
		if (groups.length === 0) {
			printLine('no failed or dead jobs');
			return;
		}
		printLine(
			textTable(
				['jobs', 'failed', 'dead', 'error', 'e.g.'],
				groups
					.slice(0, argv.limit)
					.map(g => [
						String(g.count),
						String(g.failed),
						String(g.dead),
						safeText(g.signature).slice(0, 70),
						safeText(g.example.name ?? g.example.hash.slice(0, 12)).slice(0, 30),
					]),
			),
		);
		if (groups.length > argv.limit) printLine(`… and ${groups.length - argv.limit} more group(s)`);
		printLine(
			'act on a group with `retry`, `cancel` or `remove --error PATTERN` (a part of its error; --dry-run first)',
		);
	},
};
