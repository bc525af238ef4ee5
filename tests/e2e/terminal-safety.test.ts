/**
Everything a command prints on a terminal is shown, never obeyed: hostile strings in a lease (its
worker and stage), a registration, a job log (worker and converter output) and a file name reach
stdout with their escape sequences and control characters made visible.
*/
import path from 'node:path';
import test from 'ava';
import {openQueueContext} from '../../source/queue/queue-context.js';
import {claim} from '../../source/queue/transitions/claim.js';
import {enqueue} from '../../source/queue/transitions/enqueue.js';
import {heartbeat} from '../../source/queue/transitions/heartbeat.js';
import {LocalStore} from '../../source/storage/local-store.js';
import {cleanEnvironment, runCli} from '../support/cli.js';
import {makePdf} from '../support/pdfs.js';
import {hashOf} from '../support/queue.js';
import {tempDir} from '../support/temp.js';

const retitle = '\u001B]0;pwned\u0007';
const clear = '\u001B[2J\u009B2J';
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is looked for
const controls = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/;

test('status, logs, list, dashboard and workers print hostile bucket strings safely', async t => {
	const dir = await tempDir('bf-tty-');
	const store = path.join(dir, 'store');
	const context = openQueueContext(new LocalStore({root: store}));
	const hash = hashOf(77);
	await context.store.put(context.keys.raw(hash), await makePdf(['hostile']), {contentType: 'application/pdf'});
	await enqueue(context, {hash, priority: 'normal', name: `${retitle}report.pdf`, size: 100});
	const worker = `w-${retitle}`;
	const claimed = await claim(context, worker, {hash, priority: 'normal'});
	t.is(claimed.kind, 'claimed');
	if (claimed.kind !== 'claimed') return;
	await heartbeat(context, claimed.held, {stage: 'converting', pagesDone: 1, pagesTotal: 2, elapsedMs: 10});
	await context.store.put(
		context.keys.jobLog(hash, 1),
		JSON.stringify({
			version: 1,
			hash,
			attempt: 1,
			worker,
			name: `${retitle}report.pdf`,
			startedAt: Date.now() - 1000,
			endedAt: Date.now(),
			outcome: 'failed',
			error: `boom${clear}`,
			timings: {},
			output: `converter says ${retitle}\nand ${clear}`,
		}),
	);
	await context.store.put(
		context.keys.worker('w-evil'),
		JSON.stringify({
			version: 1,
			worker: worker,
			host: `host${retitle}`,
			pid: 1,
			softwareVersion: `1${clear}`,
			status: 'processing',
			store: 'local',
			startedAt: Date.now() - 60_000,
			lastSeen: Date.now(),
			jobsCompleted: 0,
			jobsFailed: 0,
			pagesProcessed: 0,
			bytesProcessed: 0,
			busyMs: 0,
			currentJob: {hash, name: `${retitle}report.pdf`, startedAt: Date.now()},
		}),
	);
	const environment = cleanEnvironment({BLOBFORGE_STORE_DIR: store});
	for (const args of [['status', hash], ['logs', hash], ['list', '-v'], ['dashboard'], ['workers']]) {
		const result = await runCli(args, environment);
		t.is(result.code, 0, `${args.join(' ')}: ${result.stderr}`);
		t.notRegex(result.stdout + result.stderr, controls, `blobforge ${args.join(' ')} printed a control character`);
	}
	const logs = await runCli(['logs', hash], environment);
	t.regex(logs.stdout, /converter says ␛\]0;pwned/, 'the converter output is shown, made visible');
});
