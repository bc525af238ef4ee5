/** Read-only job commands: status, list, dashboard. All read through the inspector. */
import type {CommandModule} from 'yargs';
import {UserError, exitCodes} from '../lib/errors.js';
import {formatBytes, formatDuration, safeText, textTable} from '../lib/format.js';
import {jobName, type JobRow} from '../inspector/inspector.js';
import {historyOf, throughput} from '../inspector/console-feed.js';
import {historyLines} from '../ui/state/text-views.js';
import {priorities} from '../queue/keys.js';
import type {JobState} from '../queue/records.js';
import type {QueueView} from '../queue/read-model/read-model.js';
import type {GlobalArgs} from './context.js';
import {printJson, printLine} from './output.js';
import {openQueue, priorityArgument, resolveHashArgument, type OpenedQueue} from './queue-context.js';
import {pausedText} from './pause.js';

const states: JobState[] = ['todo', 'processing', 'failed', 'dead', 'done'];

export const statusCommand: CommandModule<GlobalArgs, GlobalArgs & {hash: string}> = {
	command: 'status <hash>',
	describe: 'Every record of one job and why it is where it is (a unique hash prefix works)',
	builder: y => y.positional('hash', {type: 'string', demandOption: true}).example('$0 status 3fa9c2', 'by prefix'),
	async handler(argv) {
		const queue = await openQueue(argv);
		const hash = await resolveHashArgument(queue, argv.hash);
		const job = await queue.inspector.job(hash, {manifest: 'load'});
		const {lease} = job;
		if (argv.json) {
			printJson(job);
		} else {
			printLine(`job      ${hash}`);
			printLine(`state    ${job.state}`);
			printLine(`why      ${job.explanation}`);
			const name = jobName(job);
			if (name) printLine(`file     ${safeText(name)}${job.raw ? ` (${formatBytes(job.raw.size)})` : ''}`);
			for (const path of job.manifest?.paths ?? []) printLine(`path     ${safeText(path)}`);
			if (job.manifest?.tags.length) printLine(`tags     ${safeText(job.manifest.tags.join(', '))}`);
			if (lease) {
				const l = lease.lease;
				const state = l.ending ? `ended: ${l.ending}` : `stage ${l.progress?.stage ?? 'claimed'}`;
				const pages = l.progress?.pagesTotal ? `, page ${l.progress.pagesDone ?? 0}/${l.progress.pagesTotal}` : '';
				printLine(`lease    worker ${l.worker}, attempt ${l.attempt || '?'}, ${state}${pages}`);
			}
			for (const {entry} of job.todo)
				printLine(`queued   ${entry.priority}, ${entry.attempts} attempt(s) used, reason ${entry.reason}`);
			for (const record of [job.failed, job.dead].filter(r => r !== undefined)) {
				printLine(
					`${record === job.dead ? 'dead' : 'failed'}     ${record.reason}, ${record.attempts} ` +
						`attempt(s)${record.retryAt ? `, retry at ${new Date(record.retryAt).toISOString()}` : ''}`,
				);
			}
			const history = job.dead?.history ?? job.failed?.history ?? job.todo[0]?.entry.history ?? [];
			for (const failure of history)
				printLine(
					`attempt  ${failure.attempt} on ${failure.worker} at ${new Date(failure.at).toISOString()}: ` +
						`${safeText(failure.error)}${failure.counted === false ? ' (not counted)' : ''}`,
				);
			if (job.result) printLine(`result   ${queue.queue.keys.result(hash)} (${formatBytes(job.result.size)})`);
			for (const problem of job.problems) printLine(`problem  ${problem}`);
		}
		process.exitCode = job.state === 'unknown' ? exitCodes.failure : exitCodes.ok;
	},
};

/** A line when an operator paused the queue (one GET of queue/todo/0_paused.json); nothing otherwise. */
async function printPause(queue: OpenedQueue): Promise<void> {
	const pause = await queue.inspector.pauseState();
	if (pause.problem) printLine(`problem: ${safeText(pause.problem)}`);
	if (pause.priorities.length > 0)
		printLine(`${pausedText(pause.priorities)}${pause.by ? ` by ${safeText(pause.by)}` : ''} (\`blobforge resume\`)`);
}

export function rowCells(row: JobRow, now: number): string[] {
	return [
		row.hash.slice(0, 12),
		row.state,
		row.priority,
		safeText(row.name ?? '').slice(0, 40),
		row.size === undefined ? '' : formatBytes(row.size),
		// Tries made: the failed ones, plus the one that ran (done) or runs (processing), as the console counts.
		String(row.state === 'done' || row.state === 'processing' ? row.attempts + 1 : row.attempts),
		row.worker ?? '',
		formatDuration(now - row.at),
		safeText(row.error ?? '').slice(0, 50),
	];
}

export const listCommand: CommandModule<
	GlobalArgs,
	GlobalArgs & {state?: string; priority?: string; v?: boolean; limit: number}
> = {
	command: 'list',
	describe: 'Counts per state and priority; with -v the jobs themselves',
	builder: y =>
		y
			.option('state', {type: 'string', choices: states, describe: 'only this state'})
			.option('priority', {type: 'string', describe: 'only this priority'})
			.option('v', {alias: 'verbose-list', type: 'boolean', describe: 'list the jobs'})
			.option('limit', {type: 'string', default: '50', describe: 'rows with -v', coerce: limitArgument})
			.example('$0 list', 'counts')
			.example('$0 list --state dead -v', 'the dead-letter queue with errors'),
	async handler(argv) {
		const priority = priorityArgument(argv.priority);
		const queue = await openQueue(argv);
		// Listing the jobs themselves needs every one, not the newest the snapshot's head carries.
		const view = argv.v || argv.json ? await queue.inspector.fullOverview() : await queue.inspector.overview();
		const rows =
			argv.v || argv.json
				? await queue.inspector.jobs({state: argv.state as JobState | undefined, priority}, view)
				: [];
		if (argv.json) {
			printJson({counts: view.counts, jobs: rows.slice(0, argv.limit)});
			return;
		}
		printLine(countsTable(view, argv.state as JobState | undefined));
		await printPause(queue);
		for (const problem of view.problems) printLine(`problem: ${safeText(problem)}`);
		if (argv.v) {
			printLine();
			printLine(
				rows.length === 0
					? 'no jobs'
					: textTable(
							['hash', 'state', 'priority', 'file', 'size', 'tries', 'worker', 'age', 'last error'],
							rows.slice(0, argv.limit).map(r => rowCells(r, view.serverNow)),
						),
			);
			if (rows.length > argv.limit) printLine(`… ${rows.length - argv.limit} more (--limit)`);
		}
	},
};

export function countsTable(view: QueueView, only?: JobState): string {
	const shown = only ? [only] : states;
	return textTable(
		['state', ...priorities, 'total'],
		shown.map(s => [s, ...priorities.map(p => String(view.counts[s][p])), String(view.counts.total[s])]),
	);
}

export const dashboardCommand: CommandModule<GlobalArgs, GlobalArgs & {history?: boolean}> = {
	command: 'dashboard',
	describe: "One-shot overview: counts, active jobs with progress, recent failures (the console's numbers)",
	builder: y =>
		y.option('history', {
			type: 'boolean',
			describe: "completed and failed per hour for the last day and per day for the last month (the console's H)",
		}),
	async handler(argv) {
		const queue = await openQueue(argv);
		const view = await queue.inspector.overview();
		if (argv.history) {
			const history = historyOf(view);
			if (argv.json) printJson({store: queue.storeLine, history});
			else for (const line of historyLines(history, view.serverNow)) printLine(line);
			return;
		}
		if (argv.json) {
			printJson({
				store: queue.storeLine,
				counts: view.counts,
				active: view.active,
				completionsByMinute: view.completionsByMinute,
				history: historyOf(view),
			});
			return;
		}
		printLine(`store  ${queue.storeLine}`);
		printLine();
		printLine(countsTable(view));
		await printPause(queue);
		const flow = throughput(view);
		const lastHalfHour = flow.perMinute.reduce((a, b) => a + b, 0);
		printLine();
		const backlog = view.counts.total.todo + view.counts.total.processing;
		const eta =
			flow.backlogEtaMs === undefined
				? ''
				: `; backlog of ${backlog} at this rate: ${formatDuration(flow.backlogEtaMs)}`;
		printLine(
			`completed in the last 30 minutes: ${lastHalfHour}; ${flow.ratePerMinute.toFixed(1)} per minute recently${eta}`,
		);
		printLine();
		const stale = queue.queue.config().stale_timeout_minutes * 60_000;
		printLine(
			view.active.length === 0
				? 'no active jobs'
				: textTable(
						['hash', 'file', 'worker', 'stage', 'pages', 'elapsed', 'heartbeat'],
						view.active.map(a => [
							a.lease.hash.slice(0, 12),
							safeText(a.lease.name ?? '').slice(0, 40),
							a.lease.worker,
							a.lease.progress?.stage ?? 'claimed',
							a.lease.progress?.pagesTotal ? `${a.lease.progress.pagesDone ?? 0}/${a.lease.progress.pagesTotal}` : '',
							formatDuration(view.serverNow - a.lease.claimedAt),
							`${formatDuration(a.heartbeatAgeMs)}${a.heartbeatAgeMs > stale ? ' STALE' : ''}`,
						]),
					),
		);
		for (const problem of view.problems) printLine(`problem: ${safeText(problem)}`);
	},
};

export function requireHashes(hashes: string[] | undefined): string[] {
	if (!hashes || hashes.length === 0)
		throw new UserError('name at least one job hash (or prefix)', {exitCode: exitCodes.usage});
	return hashes;
}

export const searchQueueCommand: CommandModule<GlobalArgs, GlobalArgs & {query: string; limit: number}> = {
	command: 'search-queue <query>',
	describe:
		'Queued and running jobs whose file name contains the query (no extra requests: the read model has the names)',
	builder: y =>
		y
			.positional('query', {type: 'string', demandOption: true})
			.option('limit', {type: 'string', default: '20', coerce: limitArgument}),
	async handler(argv) {
		const queue = await openQueue(argv);
		const view = await queue.inspector.overview();
		const rows = await queue.inspector.searchQueue(argv.query);
		if (argv.json) printJson(rows.slice(0, argv.limit));
		else
			printLine(
				rows.length === 0
					? `no queued or running job matches "${safeText(argv.query)}"`
					: textTable(
							['hash', 'state', 'priority', 'file', 'size', 'tries', 'worker', 'age', 'last error'],
							rows.slice(0, argv.limit).map(r => rowCells(r, view.serverNow)),
						),
			);
		process.exitCode = rows.length === 0 ? exitCodes.failure : exitCodes.ok;
	},
};

/** A --limit that is a whole number of rows ≥ 1; anything else is a usage error, not an empty or odd table. */
function limitArgument(value: unknown): number {
	const n = Number(value);
	if (!Number.isInteger(n) || n < 1)
		throw new UserError(`--limit ${String(value)} is not a number of rows (a whole number from 1)`, {
			exitCode: exitCodes.usage,
		});
	return n;
}
