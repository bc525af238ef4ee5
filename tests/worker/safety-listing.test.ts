/** The idle worker's safety listing: when it comes, and what resets it. */
import test from 'ava';
import {SafetyListing} from '../../source/worker/safety-listing.js';

const minute = 60_000;

test('a safety listing that finds nothing doubles the wait for the next, up to 30 minutes; a claim brings it back to 5', t => {
	const safety = new SafetyListing();
	const waits: number[] = [];
	for (let i = 0; i < 5; i++) {
		waits.push(safety.untilAfter(0) / minute);
		safety.waited('due');
		t.false(safety.claimed(false));
	}
	t.deepEqual(waits, [5, 10, 20, 30, 30]);
	safety.waited('due');
	t.true(safety.claimed(true), 'found a job no signal named');
	t.is(safety.untilAfter(0) / minute, 5);
});

test('a wait the signal ended is no safety listing: finding nothing after it keeps the wait, finding a job is no news', t => {
	const safety = new SafetyListing();
	safety.waited('due');
	safety.claimed(false);
	safety.waited('changed');
	t.false(safety.claimed(false));
	t.is(safety.untilAfter(0) / minute, 10);
	safety.waited('changed');
	t.false(safety.claimed(true), 'the signal named it');
	t.is(safety.untilAfter(0) / minute, 5);
});
