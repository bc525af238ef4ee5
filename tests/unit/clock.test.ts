/** Both clocks: sleeps end when due or when their signal aborts, and leave no listener on the signal. */
import {getEventListeners} from 'node:events';
import test from 'ava';
import {ManualClock, systemClock} from '../../source/lib/clock.js';

test('system clock: sleeps on one signal leave no abort listener behind; an abort rejects', async t => {
	const controller = new AbortController();
	for (let i = 0; i < 20; i++) await systemClock.sleep(1, controller.signal);
	t.is(getEventListeners(controller.signal, 'abort').length, 0);
	const sleeping = systemClock.sleep(60_000, controller.signal);
	controller.abort();
	await t.throwsAsync(sleeping, {name: 'AbortError'});
});

test('manual clock: sleepers woken by advance leave no abort listener behind; an abort rejects and drops the sleeper', async t => {
	const clock = new ManualClock();
	const controller = new AbortController();
	for (let i = 0; i < 20; i++) {
		const sleeping = clock.sleep(1000, controller.signal);
		clock.advance(1000);
		await sleeping;
	}
	t.is(getEventListeners(controller.signal, 'abort').length, 0);
	const sleeping = clock.sleep(1000, controller.signal);
	t.is(clock.pendingSleepers, 1);
	controller.abort();
	await t.throwsAsync(sleeping, {name: 'AbortError'});
	t.is(clock.pendingSleepers, 0);
});
