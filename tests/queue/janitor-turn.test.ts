/** The fleet's janitor turns: one regular pass per gap, and retry-only passes between that do not put it off. */
import test from 'ava';
import {runJanitor} from '../../source/queue/janitor.js';
import {
	endJanitorTurn,
	retryGapFor,
	retryGapMs,
	shortestGapMs,
	takeJanitorTurn,
} from '../../source/queue/janitor-turn.js';
import {claim} from '../../source/queue/transitions/claim.js';
import {enqueue} from '../../source/queue/transitions/enqueue.js';
import {describeRequests, hashOf, letLeasesSettle, makeQueue} from '../support/queue.js';

test('a retry takes a retry-only pass 15 s after any pass; the regular pass keeps its own clock', async t => {
	const {context, clock} = await makeQueue();
	const first = await takeJanitorTurn(context, 'w-1');
	t.true(first.taken && !first.retryOnly, 'no record yet: a regular pass');
	clock.advance(retryGapMs - 5000);
	t.like(await takeJanitorTurn(context, 'w-2', {retry: true}), {taken: false, reason: 'not-due', dueInMs: 5000});
	clock.advance(6000);
	const retry = await takeJanitorTurn(context, 'w-2', {retry: true});
	t.true(retry.taken && retry.retryOnly, '15 s after the pass: a retry-only pass');
	if (retry.taken) await endJanitorTurn(context, retry, {leases: 3, swept: 0, retryOnly: true});
	// Retry passes every minute would otherwise keep the regular one from ever being due.
	for (let i = 0; i < 8; i++) {
		clock.advance(61_000);
		const again = await takeJanitorTurn(context, 'w-3', {retry: true});
		t.true(again.taken && again.retryOnly);
	}
	// 504 s after the regular pass: not due yet; 601 s after it, due (the last retry was 97 s ago).
	t.like(await takeJanitorTurn(context, 'w-4'), {taken: false, reason: 'not-due'});
	clock.advance(shortestGapMs - 504_000 + 1000);
	const regular = await takeJanitorTurn(context, 'w-4');
	t.true(regular.taken && !regular.retryOnly, 'due a gap after the last regular pass, not after the last retry');
	if (regular.taken) t.is(regular.record.gapMs, shortestGapMs, 'retry passes left the gap alone');
});

test('past 2,000 leases a retry waits longer after any pass: a pass of a large fleet costs more', async t => {
	const {context, clock} = await makeQueue();
	const first = await takeJanitorTurn(context, 'w-1');
	// The pass saw 20,000 leases: the retry gap is 15 s × 10.
	if (first.taken) await endJanitorTurn(context, first, {leases: 20_000, swept: 100});
	t.is(retryGapFor(20_000), 150_000);
	t.is(retryGapFor(500), retryGapMs);
	clock.advance(100_000);
	t.like(await takeJanitorTurn(context, 'w-2', {retry: true}), {taken: false, reason: 'not-due'});
	clock.advance(51_000);
	const retry = await takeJanitorTurn(context, 'w-2', {retry: true});
	t.true(retry.taken && retry.retryOnly, '151 s after the pass');
});

test('a retry-only pass reads no quiet lease but the failed jobs', async t => {
	const {context, clock, requests, keys} = await makeQueue();
	for (const n of [1, 2, 3]) await enqueue(context, {hash: hashOf(n), priority: 'normal'});
	for (const n of [1, 2, 3])
		t.is((await claim(context, `w-${n}`, {hash: hashOf(n), priority: 'normal'})).kind, 'claimed');
	letLeasesSettle(clock);
	requests.length = 0;
	await runJanitor(context, {retryOnly: true, compact: false});
	t.false(
		describeRequests(requests, keys).some(r => r.startsWith('get queue/processing/')),
		'three quiet leases, none read',
	);
	requests.length = 0;
	await runJanitor(context, {compact: false});
	t.is(describeRequests(requests, keys).filter(r => r.startsWith('get queue/processing/')).length, 3);
});
