/**
The demo without a terminal follows the queue until it drains: a slow machine that keeps moving is
followed to the end however long it takes; a pipeline where nothing moves is given up on.
*/
import test from 'ava';
import {followWithoutTerminal} from '../../source/commands/demo.js';
import type {Counts} from '../../source/queue/read-model/event-fold.js';

const totals = (todo: number, processing: number, done: number): Counts['total'] => ({
	todo,
	processing,
	done,
	failed: 0,
	dead: 0,
});

test('a queue that drains slowly, longer than the give-up time in all, is followed to the end', async t => {
	const lines: string[] = [];
	const started = Date.now();
	// One job done every 60 ms, 12 jobs: 720 ms in all, with at most 60 ms between changes.
	const result = await followWithoutTerminal(
		async () => {
			const done = Math.min(12, Math.floor((Date.now() - started) / 60));
			return totals(12 - done, 0, done);
		},
		() => 0,
		line => lines.push(line),
		{pollMs: 5, stuckAfterMs: 300},
	);
	t.is(result, 'drained');
	t.true(Date.now() - started >= 700);
	t.is(lines.at(-1), '  queued 0 · running 0 · done 12 · failed 0 · dead 0');
	t.false(lines.some(line => line.includes('nothing has moved')));
});

test('a queue where nothing moves is given up on, saying so', async t => {
	const lines: string[] = [];
	const started = Date.now();
	const result = await followWithoutTerminal(
		async () => totals(3, 1, 2),
		() => 0,
		line => lines.push(line),
		{pollMs: 5, stuckAfterMs: 200},
	);
	t.is(result, 'stuck');
	t.true(Date.now() - started >= 200);
	t.deepEqual(lines, [
		'  queued 3 · running 1 · done 2 · failed 0 · dead 0',
		'  nothing has moved for 0 s: stopping (the worker logs may say why)',
	]);
});

test('waves still to come keep it following an empty queue', async t => {
	let waves = 2;
	let polls = 0;
	const result = await followWithoutTerminal(
		async () => {
			polls++;
			if (polls % 5 === 0 && waves > 0) waves--;
			return totals(0, 0, 0);
		},
		() => waves,
		() => undefined,
		{pollMs: 1, stuckAfterMs: 10_000},
	);
	t.is(result, 'drained');
	t.is(waves, 0);
	t.true(polls >= 10);
});
