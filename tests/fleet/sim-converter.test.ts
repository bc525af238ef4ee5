/**
The fleet simulator's converter and its ideal twin: the twin replays a worker's stream of attempts
back to back, so it must count exactly what the converter, run back to back, finishes.
*/
import {mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import {seeded} from '../../bench/fleet/scenario.js';
import {idealBacklog, idealDrainEnd} from '../../bench/fleet/ideal-fleet.js';
import {simConverter} from '../../bench/fleet/sim-converter.js';
import {VirtualClock} from '../../bench/fleet/virtual-time.js';

const draws = (seed: number) => ({
	duration: {medianSeconds: 300, p99Seconds: 900},
	random: seeded(seed),
	failureRate: 0.2,
	permanentRate: 0.05,
});

test('the ideal twin finishes in a window what the converter run back to back finishes', async t => {
	const scratch = mkdtempSync(path.join(os.tmpdir(), 'bf-sim-converter-'));
	t.teardown(() => rmSync(scratch, {recursive: true, force: true}));
	const clock = new VirtualClock();
	const converter = simConverter({...draws(42), clock, onConverting() {}});
	const startMs = clock.now();
	const window = {startMs, fromMs: startMs + 1800_000, toMs: startMs + 7200_000};
	let completed = 0;
	let attempts = 0;
	let running = true;
	const run = (async () => {
		for (let i = 0; running; i++) {
			let done = false;
			try {
				await converter.convert({input: 'in.pdf', output: path.join(scratch, String(i))});
				done = true;
			} catch {}
			const at = clock.now();
			if (at > window.toMs) break;
			if (at <= window.fromMs) continue;
			attempts++;
			if (done) completed++;
		}
	})();
	await clock.runUntil(window.toMs + 3600_000);
	running = false;
	await run;
	const twin = idealBacklog(new Map([['m', startMs]]), () => draws(42), window.fromMs, window.toMs);
	t.true(attempts > 10, `${attempts} attempts in the window`);
	t.true(completed < attempts, 'some attempts failed (a fifth are drawn to)');
	t.deepEqual(twin, {completed, attempts});
	// Another stream draws other durations: the twin follows its worker's stream, not the mean.
	t.notDeepEqual(
		idealBacklog(new Map([['m', startMs]]), () => draws(43), window.fromMs, window.toMs),
		twin,
	);
});

const everyMinute = (failureRate: number) => () => ({
	// A 99th percentile equal to the median: every attempt takes exactly a minute.
	duration: {medianSeconds: 60, p99Seconds: 60},
	random: seeded(1),
	failureRate,
	permanentRate: 0,
});
const retry = {retry_backoff: 30, max_retries: 3};

test('an ideal drain: the machine free first takes the next job, as soon as it starts', t => {
	const machines = new Map([
		['a', 0],
		['b', 100_000],
	]);
	// a: 0–60 s and 60–120 s; b starts at 100 s and takes the third, 100–160 s.
	t.is(idealDrainEnd(machines, everyMinute(0), 3, retry), 160_000);
	t.is(idealDrainEnd(new Map([['a', 0]]), everyMinute(0), 5, retry), 300_000);
});

test('an ideal drain waits out each retry backoff, doubling, and gives up past max_retries', t => {
	// Attempts at 0, 90 (60 + 30), 210 (150 + 60) and 390 s (270 + 120); the fourth fails past 3 retries.
	t.is(idealDrainEnd(new Map([['a', 0]]), everyMinute(1), 1, retry), 450_000);
	// Three jobs on one machine, first in first out: each job's first attempt (0–180 s), then the
	// retries as each became claimable (A at 90 s, B at 150, C at 210, A again at 300, …), to 720 s.
	t.is(idealDrainEnd(new Map([['a', 0]]), everyMinute(1), 3, retry), 720_000);
	// A second machine changes nothing: the one job's attempts wait on the backoff, not on a machine.
	t.is(
		idealDrainEnd(
			new Map([
				['a', 0],
				['b', 0],
			]),
			everyMinute(1),
			1,
			retry,
		),
		450_000,
	);
});
