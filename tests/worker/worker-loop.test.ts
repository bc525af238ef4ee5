/**
The worker loop in-process, on a simulated clock: an enqueue that lands between the worker's last
empty listing and its first poll of the signal object wakes it at that poll, not at the five-minute
safety net; a store outage is waited out with backoff; errors no wait can cure end the worker.
*/
import {mkdir, writeFile} from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import {parseConfigAssignments, setRemoteConfig} from '../../source/queue/remote-config.js';
import {enqueue} from '../../source/queue/transitions/enqueue.js';
import {namedJobs} from '../../source/queue/signal.js';
import {StoreError, type StoreErrorKind} from '../../source/storage/store-error.js';
import type {ObjectStore} from '../../source/storage/object-store.js';
import type {Converter} from '../../source/worker/converters.js';
import {parseRunWindow} from '../../source/lib/run-window.js';
import {ConversionError} from '../../source/worker/converter/conversion-error.js';
import {makePdf} from '../support/pdfs.js';
import {hashOf, makeQueue} from '../support/queue.js';
import {inProcessConverter, recordEvents, testWorker, until} from '../support/worker-events.js';

test('an enqueue right after the worker listed an empty queue wakes it at the next idle poll', async t => {
	const queue = await makeQueue();
	const {clock, keys} = queue;
	const hash = hashOf(7);
	let listingsOfTodo = 0;
	let enqueued = false;
	// The first todo listing answers "empty", then the job lands before the worker's first idle poll.
	const store: ObjectStore = {
		...queue.context.store,
		async listPage(prefix, options) {
			const page = await queue.context.store.listPage(prefix, options);
			if (prefix.endsWith('queue/todo/') && ++listingsOfTodo === 1) {
				await queue.context.store.put(keys.raw(hash), await makePdf(['late']), {contentType: 'application/pdf'});
				await enqueue(queue.context, {hash, priority: 'normal', name: 'late.pdf', size: 100});
				enqueued = true;
			}
			return page;
		},
	};
	const context = {...queue.context, store};
	const worker = testWorker(context, clock, 'w-idle');
	const claimed = () => recorded.some(e => e.event === 'job-claimed');
	const recorded = recordEvents(worker, clock);
	const running = worker.run();
	await until('the worker to sleep between idle polls', () => enqueued && clock.pendingSleepers > 0);
	t.false(claimed(), 'the first listing was empty');
	clock.advance(10_000);
	await until('the job to be claimed after one idle poll', claimed);
	t.is(listingsOfTodo, 1, 'one listing at start; the signal named the job, claimed without another');
	worker.stop('test over');
	for (let i = 0; i < 100 && clock.pendingSleepers > 0; i++) clock.advance(60_000);
	await running;
});

test('an idle worker lists without a signal after 5, 10, 20, 30 minutes; one that finds jobs no touch named names the rest', async t => {
	const queue = await makeQueue();
	const {clock, keys} = queue;
	const listedAt: number[] = [];
	let signalPuts = 0;
	const store: ObjectStore = {
		...queue.context.store,
		async listPage(prefix, options) {
			if (prefix.endsWith('queue/todo/')) listedAt.push(clock.now());
			return queue.context.store.listPage(prefix, options);
		},
		async put(key, body, options) {
			if (key === keys.signal()) signalPuts++;
			return queue.context.store.put(key, body, options);
		},
	};
	const context = {...queue.context, store};
	const worker = testWorker(context, clock, 'w-safety');
	const events = recordEvents(worker, clock);
	const start = clock.now();
	const running = worker.run();
	const advanceTo = async (minutes: number) => {
		while (clock.now() < start + minutes * 60_000) {
			await until('the worker to wait', () => clock.pendingSleepers > 0);
			clock.advance(10_000);
		}
		await until('the worker to wait', () => clock.pendingSleepers > 0);
	};
	await advanceTo(70);
	const minutes = listedAt.map(at => Math.round((at - start) / 60_000));
	t.deepEqual(minutes, [0, 5, 15, 35, 65], 'the start, then safety listings 5, 10, 20 and 30 minutes apart');
	// Three jobs land and their touch is lost (the ingest died before it): the next safety listing finds them.
	const jobs = [11, 12, 13].map(i => ({
		hash: hashOf(i),
		priority: 'normal' as const,
		name: `lost-${i}.pdf`,
		size: 100,
	}));
	const touchLost: ObjectStore = {
		...queue.context.store,
		async put(key, body, options) {
			return key === keys.signal() ? {etag: 'lost'} : queue.context.store.put(key, body, options);
		},
	};
	for (const job of jobs) {
		await queue.context.store.put(keys.raw(job.hash), await makePdf([job.name]), {contentType: 'application/pdf'});
		await enqueue({...queue.context, store: touchLost}, job);
	}
	const putsBefore = signalPuts;
	await until('the job to be claimed at the next safety listing', async () => {
		if (events.some(e => e.event === 'job-claimed')) return true;
		if (clock.pendingSleepers > 0) clock.advance(10_000);
		return false;
	});
	// Event times count from when recording began, the worker's start.
	const claimedAt = events.find(e => e.event === 'job-claimed')!.at;
	t.is(Math.round(claimedAt / 60_000), 95, 'at the safety listing 30 minutes after the last');
	// The touch follows the claim (the job starts first): wait for it to land.
	const namedNow = async () => {
		const signal = await queue.context.store.get(keys.signal());
		return signal && 'body' in signal ? namedJobs(signal.body) : [];
	};
	await until('the touch to land', async () => (await namedNow()).length > 0);
	t.deepEqual(
		events.filter(e => e.event === 'unsignalled-jobs').map(e => e.fields['count']),
		[3],
	);
	const named = await namedNow();
	t.is(signalPuts - putsBefore, 1, 'one touch');
	const claimed = String(events.find(e => e.event === 'job-claimed')!.fields['job']);
	t.deepEqual(
		named.map(j => j.hash).sort(),
		jobs
			.map(j => j.hash)
			.filter(h => h !== claimed)
			.sort(),
		'the touch names the two others',
	);
	worker.stop('test over');
	for (let i = 0; i < 100 && clock.pendingSleepers > 0; i++) clock.advance(60_000);
	await running;
});

/** A worker on a store whose todo listing fails `failures` times with `kind`, and one queued job. */
async function troubledWorker(kind: StoreErrorKind, failures: number) {
	const queue = await makeQueue();
	const {clock, keys} = queue;
	const hash = hashOf(8);
	await queue.context.store.put(keys.raw(hash), await makePdf(['after the outage']), {contentType: 'application/pdf'});
	await enqueue(queue.context, {hash, priority: 'normal', name: 'patient.pdf', size: 100});
	let failed = 0;
	const store: ObjectStore = {
		...queue.context.store,
		async listPage(prefix, options) {
			if (prefix.endsWith('queue/todo/') && failed < failures) {
				failed++;
				throw new StoreError(kind, `injected ${kind} #${failed}`, {operation: 'list', key: prefix});
			}
			return queue.context.store.listPage(prefix, options);
		},
	};
	const context = {...queue.context, store};
	const worker = testWorker(context, clock, 'w-patient');
	return {worker, events: recordEvents(worker, clock), clock};
}

test('a store outage is waited out with backoff (1 s, 2 s, 4 s …), then the queued job is claimed', async t => {
	const {worker, events, clock} = await troubledWorker('network', 3);
	const running = worker.run();
	for (let i = 0; i < 50 && !events.some(e => e.event === 'job-claimed'); i++) {
		await until('the worker to wait', () => clock.pendingSleepers > 0 || events.some(e => e.event === 'job-claimed'));
		clock.advance(1000);
	}
	t.deepEqual(
		events.filter(e => e.event === 'store-trouble').map(e => e.fields?.['retryInMs']),
		[1000, 2000, 4000],
	);
	t.true(
		events.some(e => e.event === 'job-claimed'),
		'the job was claimed once the store answered',
	);
	worker.stop('test over');
	for (let i = 0; i < 100 && clock.pendingSleepers > 0; i++) clock.advance(60_000);
	await running;
});

test('errors no wait can cure end the worker, with the reason', async t => {
	const {worker, events} = await troubledWorker('bad-credentials', 1);
	await t.throwsAsync(worker.run(), {message: /injected bad-credentials/});
	t.false(events.some(e => e.event === 'store-trouble'));
	t.true(
		events.some(e => e.event === 'worker-stopped'),
		'the registration is marked stopped on the way out',
	);
});

test(
	'a job whose result and failure the store both refused (a full disk) is recorded as failed as soon as the store answers (not left to go ' +
		'stale) and retried when its backoff ends',
	async t => {
		const queue = await makeQueue();
		const {clock, keys} = queue;
		const hash = hashOf(9);
		await queue.context.store.put(keys.raw(hash), await makePdf(['no room for me']), {contentType: 'application/pdf'});
		await enqueue(queue.context, {hash, priority: 'normal', name: 'roomless.pdf', size: 100});
		let full = false;
		let filledOnce = false;
		const store: ObjectStore = {
			...queue.context.store,
			async put(key, body, options) {
				if (full)
					throw new StoreError(
						'no-space',
						'the local store could not write: its disk is full (ENOSPC); nothing was written',
						{operation: 'put', key},
					);
				return queue.context.store.put(key, body, options);
			},
		};
		const context = {...queue.context, store};
		const worker = testWorker(context, clock, 'w-full');
		const events = recordEvents(worker, clock, ({event}) => {
			// The disk fills while the job converts: the completion and the failure both fail.
			if (event === 'conversion-started' && !filledOnce) {
				full = true;
				filledOnce = true;
			}
		});
		const running = worker.run();
		await until('the store trouble', () => events.some(e => e.event === 'store-trouble'));
		t.false(
			events.some(e => e.event === 'job-failed'),
			'nothing could be recorded while the disk was full',
		);
		t.truthy(await queue.context.store.head(keys.lease(hash)), 'the lease is still there');
		full = false; // space freed
		clock.advance(1000);
		await until('the late failure record', () => events.some(e => e.event === 'job-failed'));
		const failed = events.find(e => e.event === 'job-failed')!;
		t.is(failed.fields?.['late'], true);
		t.is(failed.fields?.['outcome'], 'failed');
		t.regex(String(failed.fields?.['error']), /disk is full/);
		const record = await queue.context.store.get(keys.failed(hash));
		t.truthy(record && !('notModified' in record), 'the job waits in failed for its retry, with the reason');
		// The worker runs the janitor when the retry is due (30 s backoff), not at its ten-minute pass.
		for (let i = 0; i < 12 && !events.some(e => e.event === 'job-completed'); i++) {
			await until(
				'the worker to wait',
				() => clock.pendingSleepers > 0 || events.some(e => e.event === 'job-completed'),
			);
			clock.advance(10_000);
		}
		await until('the retry to complete', () => events.some(e => e.event === 'job-completed'));
		t.is(events.filter(e => e.event === 'job-claimed').length, 2, 'claimed again within two minutes of simulated time');
		worker.stop('test over');
		for (let i = 0; i < 100 && clock.pendingSleepers > 0; i++) clock.advance(60_000);
		await running;
	},
);

test("a ten-minute janitor pass that runs before a failed job's backoff ends does not push its retry to the next pass", async t => {
	const queue = await makeQueue();
	const {clock, keys} = queue;
	const startedAt = clock.now();
	const worker = testWorker(queue.context, clock, 'w-retry', inProcessConverter({fail: true}));
	const events = recordEvents(worker, clock);
	const running = worker.run();
	const count = (event: string) => events.filter(e => e.event === event).length;
	const step = async () => {
		await until('the worker to wait', () => clock.pendingSleepers > 0);
		clock.advance(10_000);
	};
	// Idle until just before the ten-minute pass; then a job arrives whose conversion fails.
	while (clock.now() - startedAt < 590_000) {
		await step();
	}
	const hash = hashOf(10);
	await queue.context.store.put(keys.raw(hash), await makePdf(['fails here']), {contentType: 'application/pdf'});
	await enqueue(queue.context, {hash, priority: 'normal', name: 'unlucky.pdf', size: 100});
	for (let i = 0; i < 10 && count('job-failed') === 0; i++) {
		await step();
	}
	await until('the failed attempt', () => count('job-failed') > 0);
	const failedAt = events.find(e => e.event === 'job-failed')!.at;
	t.true(failedAt >= 600_000, 'the failure came when the ten-minute pass was due');
	for (let i = 0; i < 12 && count('job-claimed') < 2; i++) {
		await step();
	}
	t.is(count('job-claimed'), 2, `events: ${JSON.stringify(events.map(e => `${e.event}@${e.at / 1000}`))}`);
	t.true(clock.now() - startedAt - failedAt <= 120_000, 'retried within two minutes of its failure (30 s backoff)');
	worker.stop('test over');
	for (let i = 0; i < 100 && clock.pendingSleepers > 0; i++) clock.advance(60_000);
	await running;
});

test('a job whose busy registration the store refused leaves no heartbeat loop behind on its lease', async t => {
	const queue = await makeQueue();
	const {clock, keys} = queue;
	const hash = hashOf(11);
	await queue.context.store.put(keys.raw(hash), await makePdf(['unregistered']), {contentType: 'application/pdf'});
	await enqueue(queue.context, {hash, priority: 'normal', name: 'unregistered.pdf', size: 100});
	let refused = false;
	let renewalsAfter = 0;
	const store: ObjectStore = {
		...queue.context.store,
		async put(key, body, options) {
			if (key === keys.worker('w-unregistered') && !refused && String(body).includes('"processing"')) {
				refused = true;
				throw new StoreError('network', 'injected: the registration write failed', {operation: 'put', key});
			}
			if (refused && key === keys.lease(hash) && options?.condition?.kind === 'if-match') renewalsAfter++;
			return queue.context.store.put(key, body, options);
		},
	};
	const context = {...queue.context, store};
	const worker = testWorker(context, clock, 'w-unregistered');
	const running = worker.run();
	await until('the refused registration', () => refused);
	// Two heartbeat intervals (60 s each) of simulated time: a leaked loop would renew the lease twice.
	for (let i = 0; i < 12; i++) {
		await until('the worker to wait', () => clock.pendingSleepers > 0);
		clock.advance(10_000);
	}
	t.is(renewalsAfter, 0, 'nothing renews a lease the worker gave up on');
	worker.stop('test over');
	for (let i = 0; i < 100 && clock.pendingSleepers > 0; i++) clock.advance(60_000);
	await running;
});

test('a worker started on a full store waits for room instead of exiting, then works', async t => {
	const queue = await makeQueue();
	const {clock, keys} = queue;
	let full = true;
	const store: ObjectStore = {
		...queue.context.store,
		async put(key, body, options) {
			if (full) throw new StoreError('no-space', 'the local store could not write: its disk is full (ENOSPC)', {key});
			return queue.context.store.put(key, body, options);
		},
	};
	const worker = testWorker({...queue.context, store}, clock, 'w-start-full');
	const events = recordEvents(worker, clock);
	let ended = false;
	const running = worker.run().finally(() => {
		ended = true;
	});
	await until('the store trouble at start', () => events.some(e => e.event === 'store-trouble'));
	clock.advance(5000);
	await until('a second try', () => events.filter(e => e.event === 'store-trouble').length >= 2);
	t.false(ended, 'still running while the store has no room');
	full = false;
	for (let i = 0; i < 10 && !(await queue.context.store.head(keys.worker('w-start-full'))); i++) {
		clock.advance(60_000);
		await new Promise(resolve => setTimeout(resolve, 20));
	}
	t.truthy(await queue.context.store.head(keys.worker('w-start-full')), 'registered once there was room');
	worker.stop('test over');
	for (let i = 0; i < 100 && clock.pendingSleepers > 0; i++) clock.advance(60_000);
	await running;
});

test('run windows: outside one the worker says until when and sleeps without a request; it claims when it opens', async t => {
	const queue = await makeQueue();
	const {clock, keys, requests} = queue;
	clock.advance(Date.UTC(2026, 11, 2, 1, 0) - clock.now());
	const hash = hashOf(9);
	await queue.context.store.put(keys.raw(hash), await makePdf(['night shift']), {contentType: 'application/pdf'});
	await enqueue(queue.context, {hash, priority: 'normal', name: 'night.pdf', size: 100});
	const parsed = parseRunWindow('02:00-03:00@UTC');
	if (!parsed.ok) throw new Error(parsed.reason);
	const worker = testWorker(queue.context, clock, 'w-night', inProcessConverter(), {runWindows: [parsed.window]});
	const recorded = recordEvents(worker, clock);
	const running = worker.run();
	await until('the worker to sleep outside its window', () => recorded.some(e => e.event === 'outside-run-window'));
	await until('the sleep', () => clock.pendingSleepers > 0);
	const got = await queue.context.store.get(keys.worker('w-night'));
	const record = JSON.parse(Buffer.from((got as {body: Uint8Array}).body).toString()) as {
		sleepingUntil?: number;
		runWindows?: string[];
	};
	t.is(record.sleepingUntil, Date.UTC(2026, 11, 2, 2, 0));
	t.deepEqual(record.runWindows, ['02:00-03:00@UTC']);
	requests.length = 0;
	clock.advance(59 * 60_000);
	await new Promise(resolve => setTimeout(resolve, 50));
	t.deepEqual(requests, [], 'no request while it sleeps');
	t.false(recorded.some(e => e.event === 'job-claimed'));
	clock.advance(60_000);
	await until('the claim once the window opened', () => recorded.some(e => e.event === 'job-completed'));
	worker.stop('test over');
	for (let i = 0; i < 100 && clock.pendingSleepers > 0; i++) clock.advance(60_000);
	await running;
});

test('--abort-outside-window: the running job is handed back when the window closes, its attempt not counted', async t => {
	const queue = await makeQueue();
	const {clock, keys} = queue;
	clock.advance(Date.UTC(2026, 11, 2, 2, 59) - clock.now());
	const hash = hashOf(10);
	await queue.context.store.put(keys.raw(hash), await makePdf(['long']), {contentType: 'application/pdf'});
	await enqueue(queue.context, {hash, priority: 'normal', name: 'long.pdf', size: 100});
	const parsed = parseRunWindow('02:00-03:00@UTC');
	if (!parsed.ok) throw new Error(parsed.reason);
	let converting = false;
	const converter: Converter = {
		// Converts until stopped, as a long book would.
		convert: async job =>
			new Promise((_, reject) => {
				converting = true;
				job.signal?.addEventListener('abort', () => reject(new ConversionError('aborted', false)));
			}),
		idle() {},
		dispose() {},
	};
	const worker = testWorker(queue.context, clock, 'w-bounded', converter, {
		runWindows: [parsed.window],
		abortOutsideWindow: true,
	});
	const recorded = recordEvents(worker, clock);
	const running = worker.run();
	await until('the conversion to run', () => converting);
	clock.advance(60_000);
	await until('the hand-back', () => recorded.some(e => e.event === 'job-requeued'));
	t.like(
		recorded.find(e => e.event === 'job-requeued'),
		{fields: {reason: 'outside run window'}},
	);
	t.false(recorded.some(e => e.event === 'job-failed'));
	await until('the sleep until the next window', () => recorded.some(e => e.event === 'outside-run-window'));
	const todo = await queue.context.store.get(keys.todo('normal', hash));
	t.truthy(todo, 'queued again');
	t.is((JSON.parse(Buffer.from((todo as {body: Uint8Array}).body).toString()) as {attempts: number}).attempts, 0);
	worker.stop('test over');
	for (let i = 0; i < 100 && clock.pendingSleepers > 0; i++) clock.advance(60_000);
	await running;
});

test('run windows from the remote config: a worker without --run-window keeps them; a bad one is refused by config set', async t => {
	const queue = await makeQueue();
	const {clock, keys} = queue;
	clock.advance(Date.UTC(2026, 11, 2, 1, 0) - clock.now());
	t.regex(
		parseConfigAssignments(['run_windows=25:00-06:00']).errors[0] ?? '',
		/run_windows: run window "25:00-06:00" is not HH:MM-HH:MM/,
	);
	t.like(parseConfigAssignments(['run_windows= 02:00-03:00@UTC , 12:00-13:00@UTC', 'abort_outside_window=1']), {
		changes: {run_windows: '02:00-03:00@UTC,12:00-13:00@UTC', abort_outside_window: 1},
		errors: [],
	});
	await setRemoteConfig(queue.context, {run_windows: '02:00-03:00@UTC'});
	const worker = testWorker(queue.context, clock, 'w-remote');
	const recorded = recordEvents(worker, clock);
	const running = worker.run();
	await until('the worker to sleep outside the remote window', () =>
		recorded.some(e => e.event === 'outside-run-window'),
	);
	const got = await queue.context.store.get(keys.worker('w-remote'));
	const record = JSON.parse(Buffer.from((got as {body: Uint8Array}).body).toString()) as {
		sleepingUntil?: number;
		runWindows?: string[];
	};
	t.is(record.sleepingUntil, Date.UTC(2026, 11, 2, 2, 0));
	t.deepEqual(record.runWindows, ['02:00-03:00@UTC']);
	worker.stop('test over');
	for (let i = 0; i < 100 && clock.pendingSleepers > 0; i++) clock.advance(60_000);
	await running;
});

test('a busy worker runs the retry pass when a job it failed is due, not when its next job ends', async t => {
	const queue = await makeQueue();
	const {clock, keys} = queue;
	let conversions = 0;
	let longOneEnded = false;
	// The first conversion fails (to be retried after 30 s); the next one takes ten minutes.
	const converter: Converter = {
		async convert(job) {
			if (++conversions === 1) throw new ConversionError('injected: the first attempt fails', false);
			await clock.sleep(600_000, job.signal);
			longOneEnded = true;
			await mkdir(job.output, {recursive: true});
			await writeFile(path.join(job.output, 'content.md'), '# Long\n');
			return {pages: 1, converter: 'test'};
		},
		idle() {},
		dispose() {},
	};
	for (const n of [12, 13]) {
		await queue.context.store.put(keys.raw(hashOf(n)), await makePdf([`job ${n}`]), {contentType: 'application/pdf'});
		await enqueue(queue.context, {hash: hashOf(n), priority: 'normal', name: `job-${n}.pdf`, size: 100});
	}
	const worker = testWorker(queue.context, clock, 'w-busy-retry', converter);
	const events = recordEvents(worker, clock);
	const running = worker.run();
	await until('the failed attempt and the long one under way', () => conversions === 2);
	const failed = events.find(e => e.event === 'job-failed')!;
	const failedAt = clock.now();
	const failedJob = String(failed.fields?.['job']);
	const requeued = async () => (await queue.context.store.head(keys.todo('normal', failedJob))) !== undefined;
	t.false(await requeued(), 'the failed job waits out its backoff');
	for (let i = 0; i < 9 && !(await requeued()); i++) {
		clock.advance(10_000);
		await until('the requeue', requeued, 300).catch(() => undefined);
	}
	t.true(await requeued(), `requeued within 90 s of its failure (${(clock.now() - failedAt) / 1000} s on)`);
	t.false(longOneEnded, 'while the long job still converts');
	worker.stop('test over');
	for (let i = 0; i < 100 && clock.pendingSleepers > 0; i++) clock.advance(60_000);
	await running;
});
