/** The local store's lock files: exclusion, takeover of abandoned locks, and no stealing of live ones. */
import {spawnSync} from 'node:child_process';
import {readFile, unlink, utimes, writeFile} from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import {withFileLock} from '../../source/storage/file-lock.js';
import {processStartTime} from '../../source/lib/processes.js';
import {tempDir} from '../support/temp.js';

const sleep = async (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

async function lockPath(): Promise<string> {
	return path.join(await tempDir('bf-lock-'), 'lock');
}

/** A pid that is certainly not running: a child that has already exited. */
function deadPid(): number {
	const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {encoding: 'utf8'});
	return Number(child.stdout);
}

test('holders run one at a time, also when a holder outlives the stale age (it touches its lock)', async t => {
	const lock = await lockPath();
	const inside: string[] = [];
	const order: string[] = [];
	const hold = async (name: string, ms: number) =>
		withFileLock(
			lock,
			async () => {
				inside.push(name);
				t.is(inside.length, 1, `${name} shares the lock with ${inside.join(', ')}`);
				order.push(name);
				await sleep(ms);
				inside.splice(inside.indexOf(name), 1);
			},
			{staleMs: 300, touchMs: 50},
		);
	await Promise.all([
		hold('long', 900),
		sleep(20).then(async () => hold('second', 10)),
		sleep(40).then(async () => hold('third', 10)),
	]);
	t.is(order[0], 'long');
	t.deepEqual([...order].sort(), ['long', 'second', 'third']);
});

test('a lock left by a process that died is taken over at once', async t => {
	const lock = await lockPath();
	await writeFile(lock, `${deadPid()} abc123`);
	const started = Date.now();
	const ran = await withFileLock(lock, async () => 'ran', {staleMs: 60_000});
	t.is(ran, 'ran');
	t.true(Date.now() - started < 5000, 'no wait for the stale age');
});

test('a lock nobody touched for the stale age is taken over even if its pid answers (a reused pid)', async t => {
	const lock = await lockPath();
	await writeFile(lock, `${process.ppid} abc123`);
	const old = new Date(Date.now() - 10_000);
	await utimes(lock, old, old);
	t.is(await withFileLock(lock, async () => 'ran', {staleMs: 1000}), 'ran');
});

test('a lock of a live process with its start time is never taken over, however long untouched (a paused writer)', async t => {
	const lock = await lockPath();
	await writeFile(lock, `${process.ppid} ${processStartTime(process.ppid)} paused-holder`);
	const old = new Date(Date.now() - 600_000);
	await utimes(lock, old, old);
	let ran = false;
	const waiting = withFileLock(
		lock,
		async () => {
			ran = true;
		},
		{staleMs: 200},
	);
	await sleep(800);
	t.false(ran, 'untouched for ten minutes, and still its holder');
	await unlink(lock);
	await waiting;
	t.true(ran);
});

test('a lock whose pid now belongs to another process (another start time) is taken over at once', async t => {
	const lock = await lockPath();
	await writeFile(lock, `${process.ppid} 1 holder-long-gone`);
	const started = Date.now();
	t.is(await withFileLock(lock, async () => 'ran', {staleMs: 60_000}), 'ran');
	t.true(Date.now() - started < 5000);
});

test('a live lock is waited for, and release leaves a lock that is no longer ours in place', async t => {
	const lock = await lockPath();
	await writeFile(lock, `${process.ppid} live-holder`);
	let ran = false;
	const waiting = withFileLock(lock, async () => {
		ran = true;
	});
	await sleep(300);
	t.false(ran, 'the live holder keeps its lock');
	await unlink(lock); // the holder releases it
	await waiting;
	t.true(ran);
	// A holder whose lock was taken over (it stalled past the stale age) must not remove the new holder's lock.
	await withFileLock(lock, async () => {
		await writeFile(lock, `${process.ppid} the-next-holder`);
	});
	t.is(await readFile(lock, 'utf8'), `${process.ppid} the-next-holder`);
});

test('an empty lock (its creator died between creating and writing it) is waited for while fresh and taken over once stale', async t => {
	const lock = await lockPath();
	await writeFile(lock, '');
	let ran = false;
	const waiting = withFileLock(
		lock,
		async () => {
			ran = true;
		},
		{staleMs: 1500},
	);
	await sleep(300);
	t.false(ran, 'a fresh empty lock may be a holder about to write its token');
	await waiting;
	t.true(ran, 'once stale, the empty lock is broken');
});
