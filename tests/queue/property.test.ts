/**
Random histories of enqueue, claim, heartbeat, complete, fail, shutdown, crashes (also half-way
through a transition), janitor passes, clock jumps and operator actions, for several simulated
workers on the local store. After every step: the invariants of the queue, and the read model
equal to a full listing, job by job.
*/
import test from 'ava';
import fc from 'fast-check';
import {command, noneExercised, runHistory} from '../support/queue-model.js';

test('random histories keep the queue\'s invariants, and the read model equals a full listing after every step', async t => {
	let runs = 0;
	let steps = 0;
	const exercised = noneExercised();
	await fc.assert(
		fc.asyncProperty(fc.array(command, {minLength: 5, maxLength: 50}), async commands => {
			runs++;
			steps += await runHistory(commands, exercised);
		}),
		{numRuns: 200},
	);
	t.log(`${runs} random histories, ${steps} steps checked; exercised: ${JSON.stringify(exercised)}`);
	// The histories must reach every transition, or the property proves little.
	for (const [name, count] of Object.entries(exercised)) t.true(count > 0, `${name} never happened`);
});
