/**
Random histories of enqueue, claim, heartbeat, complete, fail, shutdown, crashes (also half-way
through a transition), completions paused half-way while the others go on, janitor passes, clock jumps and operator actions, for several simulated
workers on the local store. After every step: the invariants of the queue, and the read model
equal to a full listing, job by job.
*/
import test from 'ava';
import fc from 'fast-check';
import {command, commandOf, noneExercised, runHistory} from '../support/queue-model.js';

const histories = fc.array(command, {minLength: 5, maxLength: 50});

// One after the other: both are CPU-bound on one event loop, so running them together saves nothing,
// and each finishing on its own keeps ava's inactivity timer from running out on a loaded machine.

test.serial('fixed seed: every kind of transition is reached, and every step keeps the invariants', async t => {
	const exercised = noneExercised();
	let steps = 0;
	// A fixed seed makes the coverage below certain; the next test explores new histories every run.
	await fc.assert(
		fc.asyncProperty(histories, async commands => {
			steps += await runHistory(commands, exercised);
		}),
		{numRuns: 200, seed: 20_261_129},
	);
	t.log(`${steps} steps checked; exercised: ${JSON.stringify(exercised)}`);
	// Paused completions are counted by their own test below, which makes them often.
	const {pausedMidway: _paused, lostAfterPause: _lost, ...kinds} = exercised;
	for (const [name, count] of Object.entries(kinds)) t.true(count > 0, `${name} never happened`);
});

test.serial('random seed: new histories on every run keep the invariants', async t => {
	let steps = 0;
	await fc.assert(
		fc.asyncProperty(histories, async commands => {
			steps += await runHistory(commands);
		}),
		{numRuns: 200},
	);
	t.log(`${steps} steps checked`);
	t.pass();
});

test.serial('paused completions: a result stands only for the attempt that completed, and a cancel holds', async t => {
	const exercised = noneExercised();
	await fc.assert(
		fc.asyncProperty(fc.array(commandOf(5), {minLength: 20, maxLength: 80}), async commands => {
			await runHistory(commands, exercised);
		}),
		{numRuns: 250, seed: 20_261_202},
	);
	t.log(`exercised: ${JSON.stringify(exercised)}`);
	t.true(exercised.pausedMidway >= 50, `${exercised.pausedMidway} paused completions`);
	t.true(exercised.lostAfterPause >= 5, `${exercised.lostAfterPause} paused completions that lost their lease`);
});
