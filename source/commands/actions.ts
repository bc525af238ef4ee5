/** Operator actions: retry, cancel, reprioritize, clear-dead, janitor. All through the inspector. */
import {createInterface} from 'node:readline/promises';
import type {Argv, CommandModule} from 'yargs';
import {mapLimit} from '../lib/concurrency.js';
import {safeText} from '../lib/format.js';
import {errorMatcher} from '../inspector/failure-groups.js';
import {UserError, exitCodes} from '../lib/errors.js';
import {type AdminOutcome, refuse} from '../queue/transitions/admin.js';
import type {GlobalArgs} from './context.js';
import {requireHashes} from './jobs.js';
import {printError, printJson, printLine} from './output.js';
import {openQueue, priorityArgument, resolveHashArgument, type OpenedQueue} from './queue-context.js';

/** Runs an action on each named job, keeps going past failures, reports each; exit 1 if any failed. */
async function eachJob(
	queue: OpenedQueue,
	inputs: string[],
	json: boolean | undefined,
	action: (hash: string) => Promise<AdminOutcome>,
): Promise<void> {
	const outcomes: AdminOutcome[] = [];
	for (const input of inputs) {
		const resolved = await queue.inspector.resolveHash(input);
		outcomes.push(resolved.ok ? await action(resolved.hash) : refuse(input, resolved.reason, 'not-found'));
	}
	report(outcomes, json);
}

/**
Asks before a bulk action: true with --yes, or when the answer on a terminal is y; off a terminal
without --yes it refuses (exit 2), saying how many jobs it would have touched.
*/
export async function confirmed(question: string, refused: string, yes: boolean | undefined): Promise<boolean> {
	if (yes) return true;
	if (!process.stdin.isTTY)
		throw new UserError(`${refused}; add --yes to confirm without a terminal`, {exitCode: exitCodes.usage});
	const rl = createInterface({input: process.stdin, output: process.stderr});
	const answer = await rl.question(`${question} Type y to confirm: `);
	rl.close();
	return answer.trim().toLowerCase() === 'y';
}

/**
`--error PATTERN`: the failed (and dead) jobs whose last error matches, listed with their count
first; undefined when nothing matched, the run is dry, or the operator said no.
*/
async function jobsWithError(
	queue: OpenedQueue,
	argv: {error?: string; yes?: boolean; dryRun?: boolean; json?: boolean},
	verb: string,
	states: Array<'failed' | 'dead'>,
): Promise<string[] | undefined> {
	let matches: (error: string) => boolean;
	try {
		matches = errorMatcher(argv.error!);
	} catch (error) {
		throw new UserError(`--error ${argv.error}: ${(error as Error).message}`, {exitCode: exitCodes.usage});
	}
	const rows = (await queue.inspector.failures()).filter(
		r => states.includes(r.state as 'failed') && matches(r.error ?? ''),
	);
	if (argv.json && (argv.dryRun || rows.length === 0)) {
		printJson({
			matched: rows.length,
			jobs: rows.map(r => ({hash: r.hash, state: r.state, name: r.name, error: r.error})),
		});
		return undefined;
	}
	printLine(`${rows.length} ${states.join(' or ')} job(s) whose error matches ${JSON.stringify(argv.error)}`);
	for (const row of rows.slice(0, 10))
		printLine(
			`  ${row.hash.slice(0, 12)}  ${safeText(row.name ?? '').slice(0, 40)}  ${safeText(row.error ?? '').slice(0, 60)}`,
		);
	if (rows.length > 10) printLine(`  … and ${rows.length - 10} more`);
	if (rows.length === 0 || argv.dryRun) return undefined;
	const sure = await confirmed(
		`${verb} these ${rows.length} job(s)?`,
		`${rows.length} job(s) would be affected`,
		argv.yes,
	);
	if (!sure) {
		printLine('nothing done');
		return undefined;
	}
	return rows.map(r => r.hash);
}

function report(outcomes: AdminOutcome[], json: boolean | undefined): void {
	if (json) printJson(outcomes);
	else
		for (const o of outcomes)
			(o.ok ? printLine : printError)(`${o.hash.slice(0, 12)}  ${o.ok ? o.message : `refused: ${o.reason}`}`);
	if (outcomes.some(o => !o.ok)) process.exitCode = exitCodes.failure;
}

type ErrorArgs = {error?: string; yes?: boolean; dryRun?: boolean};

type RetryArgs = GlobalArgs &
	ErrorArgs & {
		hashes?: string[];
		allFailed?: boolean;
		allDead?: boolean;
		priority?: string;
		resetRetries?: boolean;
	};

/** The options of a bulk action by error pattern: `blobforge failures` shows the groups to aim at. */
function errorOptions<T>(y: Argv<T>) {
	return y
		.option('error', {
			type: 'string',
			describe: 'every failed or dead job whose last error contains this (or matches /REGEX/); see `failures`',
		})
		.option('yes', {alias: 'y', type: 'boolean', describe: 'with --error: do not ask'})
		.option('dry-run', {type: 'boolean', describe: 'only say what would be done (with --error: list what matches)'});
}

export const retryCommand: CommandModule<GlobalArgs, RetryArgs> = {
	command: 'retry [hashes..]',
	describe: 'Queue failed or dead jobs again (or a job that has only its raw PDF)',
	builder: y =>
		errorOptions(y)
			.positional('hashes', {type: 'string', array: true})
			.option('all-failed', {type: 'boolean', describe: 'every failed job'})
			.option('all-dead', {type: 'boolean', describe: 'every dead-lettered job'})
			.option('priority', {type: 'string', describe: "queue at this priority (default: the job's own)"})
			.option('reset-retries', {type: 'boolean', describe: 'give the job a fresh retry budget'})
			.example('$0 retry 3fa9c2 --reset-retries', 'one job, fresh budget')
			.example('$0 retry --all-dead --priority low', 'the whole dead-letter queue')
			.example('$0 retry --error "timed out" --dry-run', 'a failure group: what would be retried'),
	async handler(argv) {
		const priority = priorityArgument(argv.priority);
		const from = [...(argv.allFailed ? ['failed' as const] : []), ...(argv.allDead ? ['dead' as const] : [])];
		if (from.length === 0 && argv.error === undefined) requireHashes(argv.hashes);
		const queue = await openQueue(argv);
		const options = {priority, resetRetries: argv.resetRetries};
		if (argv.error !== undefined) {
			const hashes = await jobsWithError(queue, argv, 'Retry', ['failed', 'dead']);
			if (hashes) report(await mapLimit(hashes, 8, async h => queue.inspector.retry(h, options)), argv.json);
		}
		if (from.length > 0) report(await queue.inspector.retryAll(from, options), argv.json);
		if (argv.hashes?.length) await eachJob(queue, argv.hashes, argv.json, hash => queue.inspector.retry(hash, options));
	},
};

export const cancelCommand: CommandModule<GlobalArgs, GlobalArgs & ErrorArgs & {hashes?: string[]}> = {
	command: 'cancel [hashes..]',
	describe:
		'Stop jobs and park them in dead-letter (a running one stops at its next heartbeat); `retry` brings them back',
	builder: y =>
		errorOptions(y)
			.positional('hashes', {type: 'string', array: true})
			.example('$0 cancel --error "password"', 'failed jobs of one group, no more retries'),
	async handler(argv) {
		if (argv.error === undefined) requireHashes(argv.hashes);
		const queue = await openQueue(argv);
		if (argv.error !== undefined) {
			const hashes = await jobsWithError(queue, argv, 'Cancel', ['failed']);
			if (hashes) report(await mapLimit(hashes, 8, async h => queue.inspector.cancel(h)), argv.json);
		}
		if (argv.hashes?.length) await eachJob(queue, argv.hashes, argv.json, hash => queue.inspector.cancel(hash));
	},
};

export const reprioritizeCommand: CommandModule<GlobalArgs, GlobalArgs & {hash: string; priority: string}> = {
	command: 'reprioritize <hash> <priority>',
	describe: 'Move a queued job to another priority',
	builder: y =>
		y
			.positional('hash', {type: 'string', demandOption: true})
			.positional('priority', {type: 'string', demandOption: true}),
	async handler(argv) {
		const priority = priorityArgument(argv.priority, 'priority')!;
		const queue = await openQueue(argv);
		const hash = await resolveHashArgument(queue, argv.hash);
		report([await queue.inspector.reprioritize(hash, priority)], argv.json);
	},
};

export const clearDeadCommand: CommandModule<GlobalArgs, GlobalArgs & {yes?: boolean; dryRun?: boolean}> = {
	command: 'clear-dead',
	describe: 'Delete every dead-lettered job record (shows the count and asks first)',
	builder: y =>
		y
			.option('yes', {alias: 'y', type: 'boolean', describe: 'do not ask'})
			.option('dry-run', {type: 'boolean', describe: 'only count'}),
	async handler(argv) {
		const queue = await openQueue(argv);
		const {count} = await queue.inspector.clearDead({dryRun: true});
		if (count === 0 || argv.dryRun) {
			if (argv.json) printJson({count, cleared: 0});
			else printLine(`${count} dead-lettered job(s)${argv.dryRun && count > 0 ? ' would be cleared' : ''}`);
			return;
		}
		if (
			!(await confirmed(
				`Clear ${count} dead-lettered job(s)?`,
				`${count} dead-lettered job(s) would be cleared`,
				argv.yes,
			))
		) {
			printLine('nothing cleared');
			return;
		}
		const cleared = await queue.inspector.clearDead();
		if (argv.json) printJson({count, cleared: cleared.count});
		else printLine(`cleared ${cleared.count} dead-lettered job(s)`);
	},
};

type JanitorArgs = GlobalArgs & {dryRun?: boolean; loop?: boolean; interval: number; reconcile?: boolean};

export const janitorCommand: CommandModule<GlobalArgs, JanitorArgs> = {
	command: 'janitor',
	describe: 'Recover stale leases, requeue failed jobs after their backoff, compact the read model',
	builder: y =>
		y
			.option('dry-run', {type: 'boolean', describe: 'report what would be done'})
			.option('loop', {type: 'boolean', describe: 'keep running'})
			.option('interval', {type: 'number', default: 60, describe: 'seconds between passes with --loop'})
			.option('reconcile', {
				type: 'boolean',
				describe: 'also rebuild the read model from a full listing (costs a LIST per 1,000 keys of history)',
			}),
	async handler(argv) {
		if (!(argv.interval >= 1)) throw new UserError('--interval must be at least 1 second', {exitCode: exitCodes.usage});
		const queue = await openQueue(argv);
		let stop = false;
		process.once('SIGINT', () => {
			stop = true;
		});
		process.once('SIGTERM', () => {
			stop = true;
		});
		let first = true;
		do {
			// A one-off pass reads every lease (what ended a moment ago is swept now); a loop's later
			// passes read only quiet ones, as workers' passes do: a GET per lease a minute would be O(W).
			const report = await queue.inspector.janitor({
				dryRun: argv.dryRun,
				reconcile: argv.reconcile,
				readAllLeases: first,
			});
			first = false;
			if (argv.json) printJson(report);
			else {
				const {malformed, ...counts} = report;
				printLine(
					`janitor${argv.dryRun ? ' (dry run)' : ''}: ${Object.entries(counts)
						.map(([k, v]) => `${k} ${v}`)
						.join(', ')}`,
				);
				for (const m of malformed) printError(`malformed: ${m.key}: ${m.reason}`);
			}
			if (!argv.loop || stop) break;
			for (let waited = 0; waited < argv.interval * 1000 && !stop; waited += 250)
				await new Promise(resolve => setTimeout(resolve, 250));
		} while (!stop);
	},
};

export const removeCommand: CommandModule<GlobalArgs, GlobalArgs & ErrorArgs & {hashes?: string[]; force?: boolean}> = {
	command: 'remove [hashes..]',
	describe:
		"Delete jobs entirely: queue records, raw PDF, logs, manifest entry (a done job's result only with --force)",
	builder: y =>
		errorOptions(y)
			.positional('hashes', {type: 'string', array: true})
			.option('force', {type: 'boolean', describe: 'also remove done jobs and their results'})
			.example('$0 remove --error "not a valid PDF" --dry-run', 'a failure group: what would go'),
	async handler(argv) {
		if (argv.error === undefined) requireHashes(argv.hashes);
		const queue = await openQueue(argv);
		const options = {force: argv.force, dryRun: argv.dryRun};
		if (argv.error !== undefined) {
			const hashes = await jobsWithError(queue, argv, 'Remove', ['failed', 'dead']);
			if (hashes) report(await mapLimit(hashes, 8, async h => queue.inspector.remove(h, options)), argv.json);
		}
		if (argv.hashes?.length)
			await eachJob(queue, argv.hashes, argv.json, hash => queue.inspector.remove(hash, options));
	},
};
