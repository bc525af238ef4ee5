/**
The built-in converter's spare child: started while a job converts, used by the next job, never
reused, dropped on dispose, and never keeping the worker's process alive.
*/
import {execFile} from 'node:child_process';
import {mkdir, readFile, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {promisify} from 'node:util';
import test from 'ava';
import {runConversion, startConversionChild} from '../../source/worker/run-conversion.js';
import {SpareConverter} from '../../source/worker/spare-converter.js';
import {makePdf} from '../support/pdfs.js';
import {tempDir} from '../support/temp.js';
import {isProcessAlive} from '../../source/lib/processes.js';

const run = promisify(execFile);
// These tests must not depend on the memory of the machine they run on.
const plentyOfMemory = {freeMemory: () => Number.POSITIVE_INFINITY};

async function until(what: string, check: () => boolean, timeoutMs = 15_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!check()) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise(resolve => setTimeout(resolve, 50));
	}
}

async function job(dir: string, name: string, text: string) {
	const input = path.join(dir, `${name}.pdf`);
	const output = path.join(dir, `${name}-out`);
	await writeFile(input, await makePdf([text]));
	await mkdir(output);
	return {input, output};
}

test('the next job converts in the child started during the previous one; each child serves one job', async t => {
	const dir = await tempDir('bf-spare-');
	const spare = new SpareConverter(startConversionChild, plentyOfMemory);
	t.teardown(() => spare.dispose());
	t.is(spare.pid, undefined, 'nothing is started before the first job');
	const first = await job(dir, 'first', 'First document');
	let firstPid = 0;
	const one = await runConversion({...first, spare, onStart: pid => (firstPid = pid)});
	t.is(one.pages, 1);
	t.regex(await readFile(path.join(first.output, 'content.md'), 'utf8'), /First document/);
	const waiting = spare.pid;
	t.truthy(waiting, 'a child waits for the next job');
	t.not(waiting, firstPid);
	await until('the first child to end', () => !isProcessAlive(firstPid));

	const second = await job(dir, 'second', 'Second document');
	let secondPid = 0;
	await runConversion({...second, spare, onStart: pid => (secondPid = pid)});
	t.is(secondPid, waiting ?? -1, 'the waiting child took the job');
	t.regex(await readFile(path.join(second.output, 'content.md'), 'utf8'), /Second document/);
	const next = spare.pid;
	t.truthy(next);
	t.not(next, waiting);
	spare.dispose();
	t.is(spare.pid, undefined);
	await until('the disposed spare to end', () => !isProcessAlive(next!));
});

test('a spare that died while waiting is passed over: the job gets a fresh child', async t => {
	const dir = await tempDir('bf-spare-');
	const spare = new SpareConverter(startConversionChild, plentyOfMemory);
	t.teardown(() => spare.dispose());
	await runConversion({...(await job(dir, 'a', 'Alpha')), spare});
	const b = await job(dir, 'b', 'Bravo');
	const dead = spare.pid!;
	process.kill(dead, 'SIGKILL');
	// Wait without yielding: Node has not yet learnt of the death (its exit code and connection still
	// look fine) when the job takes the spare, the race a worker meets when its spare is OOM-killed.
	const deadline = Date.now() + 10_000;
	while (isProcessAlive(dead) && Date.now() < deadline) {
		// Spin.
	}
	let used = 0;
	await runConversion({...b, spare, onStart: pid => (used = pid)});
	t.not(used, dead);
	t.regex(await readFile(path.join(b.output, 'content.md'), 'utf8'), /Bravo/);
});

test('a waiting spare neither keeps its worker process alive nor outlives it', async t => {
	const dir = await tempDir('bf-spare-');
	const script = path.join(dir, 'main.mjs');
	const modules = path.resolve('dist/source/worker');
	await writeFile(
		script,
		[
			`import {startConversionChild} from '${path.join(modules, 'run-conversion.js')}';`,
			`import {SpareConverter} from '${path.join(modules, 'spare-converter.js')}';`,
			'const spare = new SpareConverter(startConversionChild, {freeMemory: () => Number.POSITIVE_INFINITY});',
			'spare.prepare();',
			'console.log(spare.pid);',
		].join('\n'),
	);
	const started = Date.now();
	const {stdout} = await run(process.execPath, [script], {timeout: 30_000});
	t.true(Date.now() - started < 25_000, 'the process ended by itself');
	const pid = Number(stdout.trim());
	t.true(pid > 0);
	await until('the orphaned spare to end', () => !isProcessAlive(pid));
});

test('no spare is started while the machine is short of memory', async t => {
	const dir = await tempDir('bf-spare-');
	const spare = new SpareConverter(startConversionChild, {minFreeBytes: 1024 ** 3, freeMemory: () => 300 * 1024 ** 2});
	t.teardown(() => spare.dispose());
	const one = await job(dir, 'short', 'Short of memory');
	t.is((await runConversion({...one, spare})).pages, 1, 'the job converts in a child of its own');
	t.is(spare.pid, undefined, 'no child waits');
});
