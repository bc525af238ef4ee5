/** `blobforge purge --prefix-part queue|registry|all`: the count first, then a typed confirmation. */
import {createInterface} from 'node:readline/promises';
import type {CommandModule} from 'yargs';
import {UserError, exitCodes} from '../lib/errors.js';
import {purge, purgeParts, purgePlan, purgePrefix, type PurgePart} from '../queue/transitions/purge.js';
import type {GlobalArgs} from './context.js';
import {printError, printJson, printLine} from './output.js';
import {openQueue} from './queue-context.js';

type Args = GlobalArgs & {'prefix-part': PurgePart; 'dry-run'?: boolean; yes?: boolean};

const what: Record<PurgePart, string> = {
	queue: 'every queued, running, failed and dead job record and the read model',
	registry: 'the manifest, remote config, capabilities, worker registrations and job logs',
	all: 'everything under the prefix: raw PDFs, results, queue and registry',
};

export const purgeCommand: CommandModule<GlobalArgs, Args> = {
	command: 'purge',
	describe: 'Delete one part of the prefix (queue, registry or all), what a test run or an old layout left',
	builder: y =>
		y
			.option('prefix-part', {choices: purgeParts, demandOption: true, describe: 'what to delete'})
			.option('dry-run', {type: 'boolean', describe: 'only count'})
			.option('yes', {type: 'boolean', describe: 'do not ask (for scripts; the count is still printed)'})
			.example('$0 purge --prefix-part queue --dry-run', 'how many queue objects there are'),
	async handler(argv) {
		const part = argv['prefix-part'];
		const queue = await openQueue(argv);
		const context = queue.queue;
		// `all` under an empty prefix is the whole bucket, which may hold what is not ours.
		if (part === 'all' && context.keys.prefix === '')
			throw new UserError('refusing to purge a whole bucket: the prefix is empty', {
				hint: 'name the prefix to purge with --prefix (or BLOBFORGE_S3_PREFIX)',
				exitCode: exitCodes.usage,
			});
		const prefix = purgePrefix(context, part);
		const plan = await purgePlan(context, part);
		const count = plan.keys.length;
		if (argv.json && (argv['dry-run'] || count === 0)) {
			printJson({part, prefix, count, leases: plan.leases, deleted: 0});
			return;
		}
		printLine(`${queue.storeLine}: ${count} object(s) under ${prefix} (${what[part]})`);
		if (plan.leases > 0)
			printError(`warning: ${plan.leases} of them are leases of running jobs; stop the workers first`);
		if (count === 0 || argv['dry-run']) return;
		if (!argv.yes) {
			if (!process.stdin.isTTY)
				throw new UserError(`${count} object(s) would be deleted; add --yes to confirm without a terminal`, {
					exitCode: exitCodes.usage,
				});
			const rl = createInterface({input: process.stdin, output: process.stderr});
			const answer = await rl.question(`Delete them? This cannot be undone. Type "purge ${part}" to confirm: `);
			rl.close();
			if (answer.trim() !== `purge ${part}`) {
				printLine('nothing deleted');
				return;
			}
		}
		const deleted = await purge(context, plan.keys);
		if (argv.json) printJson({part, prefix, count, leases: plan.leases, deleted});
		else printLine(`deleted ${deleted} object(s) under ${prefix}`);
	},
};
