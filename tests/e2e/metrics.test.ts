/** `blobforge metrics` and `worker --metrics-listen` as a user runs them, on the local store. */
import {spawn} from 'node:child_process';
import {createInterface} from 'node:readline';
import test from 'ava';
import {cleanEnvironment, cliPath, runCli} from '../support/cli.js';
import {makePdf, writeFiles} from '../support/pdfs.js';
import {tempDir} from '../support/temp.js';

/** Starts the command and waits for the JSON line that says where it serves. */
async function serving(args: string[], environment: NodeJS.ProcessEnv, event: string) {
	const child = spawn(process.execPath, [cliPath, '--headless', ...args], {
		env: environment,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	const lines = createInterface({input: child.stdout});
	const exited = new Promise<number | null>(resolve => child.once('exit', code => resolve(code)));
	const url = await new Promise<string>((resolve, reject) => {
		lines.on('line', line => {
			try {
				const parsed = JSON.parse(line) as {event?: string; url?: string};
				if (parsed.event === event && parsed.url) resolve(parsed.url);
			} catch {}
		});
		void exited.then(code => reject(new Error(`exited ${code} before serving`)));
	});
	return {url, child, exited};
}

test('metrics: printed once, then served over HTTP until SIGTERM; a worker serves its own', async t => {
	const store = await tempDir('bf-metrics-');
	const library = await tempDir('bf-metrics-lib-');
	await writeFiles(library, {'a.pdf': await makePdf(['alpha']), 'b.pdf': await makePdf(['beta'])});
	const environment = cleanEnvironment({BLOBFORGE_STORE_DIR: store});
	t.is((await runCli(['ingest', library], environment)).code, 0);
	const once = await runCli(['metrics'], environment);
	t.is(once.code, 0, once.stderr);
	t.regex(once.stdout, /^blobforge_jobs\{state="todo",priority="normal"\} 2$/m);
	t.regex(once.stdout, /^# TYPE blobforge_job_duration_seconds histogram$/m);

	const exporter = await serving(['metrics', '--listen', '127.0.0.1:0'], environment, 'metrics-listening');
	const worker = await serving(
		['worker', '--metrics-listen', '127.0.0.1:0', '--idle-poll', '1'],
		environment,
		'metrics-listening',
	);
	t.teardown(() => {
		exporter.child.kill('SIGKILL');
		worker.child.kill('SIGKILL');
	});
	// The worker converts both; the exporter sees them done.
	let text = '';
	for (let i = 0; i < 120 && !/^blobforge_jobs\{state="done",priority="normal"\} 2$/m.test(text); i++) {
		await new Promise(resolve => setTimeout(resolve, 500));
		text = await (await fetch(exporter.url)).text();
	}
	t.regex(text, /^blobforge_jobs\{state="done",priority="normal"\} 2$/m);
	t.regex(text, /^blobforge_jobs_completed_total 2$/m);
	const own = await (await fetch(worker.url)).text();
	t.regex(own, /^blobforge_worker_jobs_completed_total\{worker="[^"]+"\} 2$/m);
	t.regex(own, /^blobforge_worker_pages_total\{worker="[^"]+"\} 2$/m);
	exporter.child.kill('SIGTERM');
	worker.child.kill('SIGTERM');
	t.is(await exporter.exited, 0);
	t.is(await worker.exited, 0);
});

test('metrics --listen on a bad address: one clear line, exit 2', async t => {
	const environment = cleanEnvironment({BLOBFORGE_STORE_DIR: await tempDir('bf-metrics-')});
	const bad = await runCli(['metrics', '--listen', 'nowhere'], environment);
	t.is(bad.code, 2);
	t.regex(bad.stderr, /--listen "nowhere" is not HOST:PORT/);
});
