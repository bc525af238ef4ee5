import test from 'ava';
import {ManualClock} from '../../source/lib/clock.js';
import {HeartbeatLoop} from '../../source/worker/heartbeat-loop.js';

const tick = async () => new Promise(resolve => setImmediate(resolve));

test('heartbeats never overlap: a slow beat delays the next one instead of racing it', async t => {
	const clock = new ManualClock();
	let running = 0;
	let most = 0;
	let beats = 0;
	let release: (() => void) | undefined;
	const loop = new HeartbeatLoop(
		clock,
		1000,
		async () => {
			running++;
			most = Math.max(most, running);
			beats++;
			await new Promise<void>(resolve => {
				release = resolve;
			});
			running--;
		},
		() => t.fail('no error expected'),
	);
	await tick();
	clock.advance(1000);
	await tick();
	t.is(beats, 1, 'the first beat runs after one interval');
	clock.advance(5000); // the beat is still in flight: five intervals pass without a second one
	await tick();
	t.is(beats, 1);
	t.is(clock.pendingSleepers, 0, 'nothing is waiting to start a second beat');
	release!();
	await tick();
	clock.advance(1000);
	await tick();
	t.is(beats, 2, 'the next beat follows one interval after the slow one ended');
	const stopped = loop.stop();
	let done = false;
	void stopped.then(() => {
		done = true;
	});
	await tick();
	t.false(done, 'stop waits for the beat in flight');
	release!();
	await stopped;
	t.is(most, 1);
	clock.advance(10_000);
	await tick();
	t.is(beats, 2, 'no beat after stop');
});

test('a failing beat is reported and the loop carries on', async t => {
	const clock = new ManualClock();
	const errors: string[] = [];
	let beats = 0;
	const loop = new HeartbeatLoop(
		clock,
		500,
		async () => {
			beats++;
			if (beats === 1) throw new Error('network down');
		},
		error => errors.push(error.message),
	);
	for (let i = 0; i < 3; i++) {
		await tick();
		clock.advance(500);
		await tick();
	}
	await loop.stop();
	t.deepEqual(errors, ['network down']);
	t.is(beats, 3);
});
