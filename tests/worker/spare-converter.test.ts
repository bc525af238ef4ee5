/**
The built-in converter's waiting child: the same child serves job after job (up to jobsPerChild),
a failed or crashed job takes its child with it, a spare is started when the running child will not
come back, the waiting child is dropped on dispose and never keeps the worker's process alive.
*/
import {execFile} from 'node:child_process';
import {mkdir, readFile, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {promisify} from 'node:util';
import test from 'ava';
import {jobsPerChild, runConversion, startConversionChild} from '../../source/worker/run-conversion.js';
import {SpareConverter} from '../../source/worker/spare-converter.js';
import {builtInConverter} from '../../source/worker/converters.js';
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

test('one child converts job after job; after a failed job it is replaced, so the failure reaches no other job', async t => {
	const dir = await tempDir('bf-spare-');
	const spare = new SpareConverter(startConversionChild, plentyOfMemory);
	t.teardown(() => spare.dispose());
	t.is(spare.pid, undefined, 'nothing is started before the first job');
	const pids: number[] = [];
	for (const name of ['first', 'second', 'third']) {
		const paths = await job(dir, name, `${name} document`);
		const outcome = await runConversion({...paths, spare, onStart: pid => pids.push(pid)});
		t.is(outcome.pages, 1);
		t.regex(await readFile(path.join(paths.output, 'content.md'), 'utf8'), new RegExp(`${name} document`));
		t.is(spare.pid, pids[0], 'the child waits for the next job, not a second one');
	}
	t.deepEqual(new Set(pids).size, 1, 'three jobs, one child (no start-up after the first)');

	// A corrupt PDF: the job fails for good, and its child goes with it.
	const bad = path.join(dir, 'bad.pdf');
	await writeFile(bad, '%PDF-1.4\nnot really');
	await mkdir(path.join(dir, 'bad-out'));
	await t.throwsAsync(runConversion({input: bad, output: path.join(dir, 'bad-out'), spare}), {message: /PDF/});
	await until("the failed job's child to end", () => !isProcessAlive(pids[0]!));
	const after = await job(dir, 'after', 'After the failure');
	let afterPid = 0;
	await runConversion({...after, spare, onStart: pid => (afterPid = pid)});
	t.not(afterPid, pids[0], 'a fresh child for the next job');
	t.regex(await readFile(path.join(after.output, 'content.md'), 'utf8'), /After the failure/);
	spare.dispose();
	t.is(spare.pid, undefined);
	await until('the disposed child to end', () => !isProcessAlive(afterPid));
});

test('a child that crashed mid-job fails only that job; the next gets a fresh child', async t => {
	const dir = await tempDir('bf-crash-');
	const spare = new SpareConverter(startConversionChild, plentyOfMemory);
	t.teardown(() => spare.dispose());
	const warm = await job(dir, 'warm', 'Warm-up');
	let pid = 0;
	await runConversion({...warm, spare, onStart: p => (pid = p)});
	const doomed = await job(dir, 'doomed', 'Doomed');
	const crashed = runConversion({
		...doomed,
		spare,
		onStart: p => {
			t.is(p, pid, 'the warm child took it');
			process.kill(p, 'SIGKILL');
		},
	});
	await t.throwsAsync(crashed, {message: /the converter was killed/});
	const next = await job(dir, 'next', 'Next one');
	let nextPid = 0;
	await runConversion({...next, spare, onStart: p => (nextPid = p)});
	t.not(nextPid, pid);
	t.regex(await readFile(path.join(next.output, 'content.md'), 'utf8'), /Next one/);
});

test(`a child is replaced after ${jobsPerChild} jobs`, async t => {
	const dir = await tempDir('bf-recycle-');
	const spare = new SpareConverter(startConversionChild, plentyOfMemory);
	t.teardown(() => spare.dispose());
	const paths = await job(dir, 'same', 'Same document');
	const pids = new Set<number>();
	for (let n = 0; n < jobsPerChild + 1; n++) await runConversion({...paths, spare, onStart: pid => pids.add(pid)});
	t.is(pids.size, 2, `${jobsPerChild} jobs in the first child, the next in another`);
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

test('no spare is started while the machine is short of memory; the child that converted still serves the next', async t => {
	const dir = await tempDir('bf-spare-');
	const spare = new SpareConverter(startConversionChild, {minFreeBytes: 1024 ** 3, freeMemory: () => 300 * 1024 ** 2});
	t.teardown(() => spare.dispose());
	spare.prepare();
	t.is(spare.pid, undefined, 'no spare started ahead');
	const one = await job(dir, 'short', 'Short of memory');
	let pid = 0;
	t.is((await runConversion({...one, spare, onStart: p => (pid = p)})).pages, 1);
	t.is(spare.pid, pid, 'the memory it holds is held already: it waits for the next job, no other is started');
});

test('two jobs at once (two slots): a crash in one child fails only its job; both children come back warm otherwise', async t => {
	const dir = await tempDir('bf-slots-');
	const converter = builtInConverter({spare: true});
	t.teardown(() => converter.dispose());
	const [a, b] = [await job(dir, 'a', 'First slot'), await job(dir, 'b', 'Second slot')];
	const firstPids: number[] = [];
	await Promise.all([
		converter.convert({...a, onStart: pid => firstPids.push(pid)}),
		converter.convert({...b, onStart: pid => firstPids.push(pid)}),
	]);
	t.is(new Set(firstPids).size, 2, 'a child each');
	const [c, d] = [await job(dir, 'c', 'Doomed'), await job(dir, 'd', 'Survivor')];
	const secondPids: number[] = [];
	const doomed = converter.convert({
		...c,
		onStart: pid => {
			secondPids.push(pid);
			process.kill(pid, 'SIGKILL');
		},
	});
	const survivor = converter.convert({...d, onStart: pid => secondPids.push(pid)});
	await t.throwsAsync(doomed, {message: /the converter was killed/});
	await survivor;
	t.regex(await readFile(path.join(d.output, 'content.md'), 'utf8'), /Survivor/);
	t.deepEqual(
		[...new Set(secondPids)].sort(),
		[...new Set(firstPids)].sort(),
		'both warm children were kept for the second pair',
	);
});
