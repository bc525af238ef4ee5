/**
`blobforge demo`: the whole pipeline on one machine, no S3. It makes a demo directory with an
embedded store and sample PDFs (written by the package), queues them in waves, starts two
workers in the background and opens `watch` on the store. Quitting the console stops the workers
it started. Without a terminal it prints progress lines instead and stops when the queue is empty.
*/
import {spawn, type ChildProcess} from 'node:child_process';
import {existsSync, openSync} from 'node:fs';
import {appendFile, mkdir, readdir, rm, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import type {CommandModule} from 'yargs';
import {samplePdfs} from '../demo/sample-pdfs.js';
import {InspectorFeed} from '../inspector/console-feed.js';
import {Inspector} from '../inspector/inspector.js';
import {ingest} from '../ingest/ingest.js';
import {systemClock} from '../lib/clock.js';
import {UserError, exitCodes} from '../lib/errors.js';
import type {Counts} from '../queue/read-model/event-fold.js';
import type {Priority} from '../queue/keys.js';
import {Keys} from '../queue/keys.js';
import {openQueueContext, type QueueContext} from '../queue/queue-context.js';
import {RemoteConfigCache, setRemoteConfig} from '../queue/remote-config.js';
import {openStore} from '../storage/open-store.js';
import type {GlobalArgs} from './context.js';
import {printLine} from './output.js';
import {loadConsole} from './load-console.js';

const marker = '.blobforge-demo';
const cliPath = path.join(path.dirname(fileURLToPath(import.meta.url)), '../cli.js');

type DemoArgs = GlobalArgs & {dir: string; keep: boolean; workers: number};

/** How often the demo tries a wave of samples the store refused (5 s apart). */
const waveAttempts = 6;
/** Waves of files, so the queue fills while the workers drain it: [seconds after start, priority, files]. */
const waves: Array<[number, Priority, string[]]> = [
	[0, 'normal', ['operations-handbook.pdf', 'storage-guide.pdf', 'field-notes.pdf', 'glossary.pdf']],
	[6, 'high', ['incident-review.pdf', 'runbook.pdf', 'damaged-scan.pdf']],
	[12, 'normal', ['queue-internals.pdf', 'onboarding.pdf']],
	[18, 'background', ['cost-report.pdf', 'release-notes.pdf']],
];

/** Makes (or with --keep reuses) the demo directory; refuses to delete one that is not ours. */
async function prepareDirectory(dir: string, keep: boolean): Promise<{reused: boolean}> {
	if (existsSync(dir)) {
		const entries = await readdir(dir);
		if (entries.length > 0 && !entries.includes(marker))
			throw new UserError(`${dir} exists and is not a BlobForge demo directory; nothing was changed`, {
				hint: 'name another one with --dir',
				exitCode: exitCodes.usage,
			});
		if (keep && entries.includes(marker)) return {reused: true};
		await rm(dir, {recursive: true, force: true});
	}
	await mkdir(path.join(dir, 'samples'), {recursive: true});
	await writeFile(
		path.join(dir, marker),
		'A BlobForge demo directory: `blobforge demo` recreates it on each run (unless --keep).\n',
	);
	for (const sample of samplePdfs()) await writeFile(path.join(dir, 'samples', sample.name), sample.bytes);
	return {reused: false};
}

function startWorker(dir: string, store: string, n: number): ChildProcess {
	const log = openSync(path.join(dir, `worker-${n}.log`), 'a');
	return spawn(
		process.execPath,
		[
			cliPath,
			'--store-dir',
			store,
			'--prefix',
			'pdf/',
			'--worker-id',
			`demo-${n}`,
			'--headless',
			'worker',
			'--idle-poll',
			'1',
		],
		// The demo's own store and prefix, whatever the shell exports (a BLOBFORGE_S3_PREFIX stalled it).
		{stdio: ['ignore', log, log], env: {...demoEnvironment(), BLOBFORGE_LOG_LEVEL: 'info'}},
	);
}

/** This process's environment without BlobForge's store settings, so the workers use the demo's. */
function demoEnvironment(): NodeJS.ProcessEnv {
	return Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^BLOBFORGE_(S3_|STORE_)/.test(k)));
}

async function stopWorkers(workers: ChildProcess[]): Promise<void> {
	await Promise.all(
		workers.map(
			async worker =>
				new Promise<void>(resolve => {
					if (worker.exitCode !== null || worker.signalCode !== null) {
						resolve();
						return;
					}
					const timer = setTimeout(() => worker.kill('SIGKILL'), 10_000);
					worker.once('exit', () => {
						clearTimeout(timer);
						resolve();
					});
					worker.kill('SIGTERM');
				}),
		),
	);
}

export const demoCommand: CommandModule<GlobalArgs, DemoArgs> = {
	command: 'demo',
	describe: 'The pipeline on this machine, no S3: sample PDFs, two background workers and the watch console',
	builder: y =>
		y
			.option('dir', {
				type: 'string',
				default: 'blobforge-demo',
				describe: 'the demo directory (store, samples, worker logs); recreated on each run',
			})
			.option('keep', {
				type: 'boolean',
				default: false,
				describe: 'reuse the demo directory and its store instead of starting afresh',
			})
			.option('workers', {type: 'number', default: 2, describe: 'background workers to start'})
			.example('$0 demo', 'a fresh demo in ./blobforge-demo')
			.example('$0 demo --keep', 'open the last demo again'),
	async handler(argv) {
		if (!Number.isInteger(argv.workers) || argv.workers < 0 || argv.workers > 16)
			throw new UserError('--workers takes a whole number from 0 to 16', {exitCode: exitCodes.usage});
		const dir = path.resolve(argv.dir);
		const storeDir = path.join(dir, 'store');
		const {reused} = await prepareDirectory(dir, argv.keep);
		const opened = openStore({kind: 'local', dir: storeDir});
		const keys = new Keys('pdf/');
		const remoteConfig = new RemoteConfigCache({store: opened.store, keys, clock: systemClock});
		// Heartbeats every second so page progress shows at once; a quick retry and stale timeout so
		// recoveries happen while you watch. This store's settings only.
		await setRemoteConfig(
			{store: opened.store, keys},
			{heartbeat_interval: 1, retry_backoff: 5, max_retries: 1, stale_timeout_minutes: 1},
		);
		await remoteConfig.get();
		const context: QueueContext = openQueueContext(opened.store, {
			prefix: keys.prefix,
			config: () => remoteConfig.config,
		});
		const isInteractive = Boolean(process.stdout.isTTY && process.stdin.isTTY);
		const say = (text: string) => printLine(text);
		say(`BlobForge demo in ${dir}`);
		say(
			reused
				? '  reusing the store of the last demo (--keep)'
				: '  a fresh store (the directory is recreated on each run; --keep reuses it)',
		);
		say(
			`  ${argv.workers} workers in the background; their logs: ${path.join(dir, 'worker-N.log')}, the demo's: ${path.join(dir, 'demo.log')}`,
		);

		const workers = Array.from({length: argv.workers}, (_, i) => startWorker(dir, storeDir, i + 1));
		// Whatever ends this process, the workers it started end too (they hand their jobs back).
		const killWorkers = () => {
			for (const worker of workers) if (worker.exitCode === null) worker.kill('SIGTERM');
		};
		process.on('exit', killWorkers);
		// What the demo's own ingest did, a JSON line per file (the workers log beside it).
		const demoLog = path.join(dir, 'demo.log');
		const logDemo = (fields: Record<string, unknown>) =>
			void appendFile(demoLog, `${JSON.stringify({time: new Date().toISOString(), ...fields})}\n`).catch(
				() => undefined,
			);
		const timers: NodeJS.Timeout[] = [];
		const problems: string[] = [];
		let wavesLeft = reused ? 0 : waves.length;
		// A wave the store refuses (a full disk) is tried again a few times, 5 s apart: files already
		// queued are skipped on the next try, so a retry only adds what is missing.
		const ingestWave = async (priority: Priority, files: string[], attempt: number): Promise<void> => {
			try {
				const summary = await ingest(
					context,
					files.map(f => path.join(dir, 'samples', f)),
					{priority, tags: ['demo']},
				);
				for (const result of summary.results) {
					const file = path.basename(result.path);
					logDemo({event: 'ingested', file, outcome: result.outcome, reason: result.reason});
					if (result.outcome === 'failed') problems.push(`ingest of ${file} failed: ${result.reason}`);
				}
			} catch (error) {
				const message = (error as Error).message;
				logDemo({event: 'ingest-failed', files, attempt, error: message});
				if (attempt >= waveAttempts) {
					problems.push(`ingest of ${files.join(', ')} failed: ${message}`);
					return;
				}
				await new Promise(resolve => {
					timers.push(setTimeout(resolve, 5000));
				});
				return ingestWave(priority, files, attempt + 1);
			}
		};
		if (!reused) {
			for (const [seconds, priority, files] of waves) {
				timers.push(
					setTimeout(() => {
						void ingestWave(priority, files, 1).finally(() => {
							wavesLeft--;
						});
					}, seconds * 1000),
				);
			}
		}
		const inspector = new Inspector(context, opened.stats);
		try {
			if (isInteractive) {
				say(
					'  opening the console: watch the jobs move; 4 shows dead-letter, r retries, l shows logs, p previews, ? lists every key, q quits',
				);
				await new Promise(resolve => setTimeout(resolve, 1500));
				const {runConsole} = await loadConsole();
				await runConsole(
					new InspectorFeed(inspector, `local:${storeDir} prefix pdf/ (demo)`, {
						minRefreshSeconds: 1,
						leaseSweepMs: 0,
						isPriced: false,
						notices: () => problems,
					}),
					{intervalMs: 1000, isReadOnly: false},
				);
			} else {
				await followWithoutTerminal(
					async () => (await inspector.overview()).counts.total,
					() => wavesLeft,
					say,
				);
			}
		} finally {
			for (const timer of timers) clearTimeout(timer);
			say(`stopping ${workers.length} demo worker(s)…`);
			await stopWorkers(workers);
			process.off('exit', killWorkers);
		}
		const view = await inspector.overview();
		const total = view.counts.total;
		say(
			`done ${total.done}, dead ${total.dead}, failed ${total.failed}, queued ${total.todo}, running ${total.processing}`,
		);
		for (const problem of problems) say(`problem: ${problem}`);
		say(`The store stays in ${storeDir}. Try:`);
		const store = path.relative(process.cwd(), storeDir) || storeDir;
		// Run through npm (npx, npm run, the readme's first command) the command is not on PATH: say npx.
		const me = process.env['npm_command'] ? 'npx blobforge' : 'blobforge';
		// An exported prefix would point the suggested commands elsewhere: they name the demo's.
		const prefix = (process.env['BLOBFORGE_S3_PREFIX'] ?? 'pdf/') === 'pdf/' ? '' : ' --prefix pdf/';
		say(`  ${me} --store-dir ${store}${prefix} list -v`);
		say(`  ${me} --store-dir ${store}${prefix} watch`);
		say(`  ${me} demo --keep      (this store again)`);
	},
};

/**
Without a terminal: a line per change until every wave is in and nothing is queued or running, or nothing has
moved for 3 minutes (a slow machine still moves; a stuck pipeline does not).
*/
export async function followWithoutTerminal(
	totals: () => Promise<Counts['total']>,
	wavesLeft: () => number,
	say: (text: string) => void,
	{pollMs = 1000, stuckAfterMs = 180_000}: {pollMs?: number; stuckAfterMs?: number} = {},
): Promise<'drained' | 'stuck'> {
	let last = '';
	let changedAt = Date.now();
	for (;;) {
		const t = await totals();
		const line = `  queued ${t.todo} · running ${t.processing} · done ${t.done} · failed ${t.failed} · dead ${t.dead}`;
		if (line !== last) {
			say(line);
			changedAt = Date.now();
		}
		last = line;
		if (wavesLeft() === 0 && t.todo + t.processing + t.failed === 0) return 'drained';
		if (Date.now() - changedAt > stuckAfterMs) {
			say(`  nothing has moved for ${Math.round(stuckAfterMs / 1000)} s: stopping (the worker logs may say why)`);
			return 'stuck';
		}
		await new Promise(resolve => setTimeout(resolve, pollMs));
	}
}
