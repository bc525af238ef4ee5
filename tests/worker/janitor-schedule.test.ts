/**
When a worker offers to run the janitor for the jobs it failed: at each one's retry time, 15 s
after any pass at the soonest (janitor-turn.ts), and never forgetting a later retry because a pass
ran for an earlier one.
*/
import test from 'ava';
import type {ObjectStore} from '../../source/storage/object-store.js';
import {WorkerEmitter} from '../../source/worker/events.js';
import {JanitorSchedule} from '../../source/worker/janitor-schedule.js';
import {makeQueue} from '../support/queue.js';

test('two retries due a minute apart get a pass each; the first pass does not drop the second', async t => {
	const queue = await makeQueue();
	const {clock, keys} = queue;
	const takenAt: number[] = [];
	const store: ObjectStore = {
		...queue.context.store,
		async listPage(prefix, options) {
			// Every pass lists the failed jobs first.
			if (prefix === keys.failedFolder()) takenAt.push(clock.now());
			return queue.context.store.listPage(prefix, options);
		},
	};
	const schedule = new JanitorSchedule({...queue.context, store}, clock, new WorkerEmitter(), 'w-retries', () => 0.5);
	const startedAt = clock.now();
	const at = (seconds: number) => clock.set(startedAt + seconds * 1000);
	await schedule.run();
	t.is(takenAt.length, 1, 'the start-up pass');
	// Two jobs failed now: one due for its retry in 5 s, the other (a second attempt) in 60 s.
	schedule.retryDueIn(5000);
	schedule.retryDueIn(60_000);
	at(3);
	t.false(schedule.isDue);
	at(6);
	t.true(schedule.isDue, 'the first retry is due');
	await schedule.runIfDue();
	t.is(takenAt.length, 1, 'a retry pass waits 15 s after any pass');
	at(17);
	await schedule.runIfDue();
	t.is(takenAt.length, 2, 'the pass for the first retry');
	at(50);
	t.false(schedule.isDue, 'nothing due before the second retry');
	at(62);
	t.true(schedule.isDue, 'the second retry is still remembered');
	await schedule.runIfDue();
	t.is(takenAt.length, 3, 'and gets its own pass');
});
