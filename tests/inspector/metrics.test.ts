/**
Prometheus metrics: values against a queue built here, the cost of a scrape, counters that never go
down, the HTTP side, and `promtool check metrics` on the output (Debian's prometheus package).
*/
import {spawnSync} from 'node:child_process';
import test from 'ava';
import {InspectorFeed} from '../../source/inspector/console-feed.js';
import type {ConsoleSnapshot} from '../../source/inspector/console-source.js';
import {Inspector} from '../../source/inspector/inspector.js';
import {QueueMetrics} from '../../source/inspector/metrics.js';
import {parseListen, serveMetrics} from '../../source/commands/metrics-server.js';
import {priorities} from '../../source/queue/keys.js';
import {claim} from '../../source/queue/transitions/claim.js';
import {enqueueMany} from '../../source/queue/transitions/enqueue.js';
import {complete, fail} from '../../source/queue/transitions/finish.js';
import {RequestStats} from '../../source/storage/request-stats.js';
import {WorkerEmitter} from '../../source/worker/events.js';
import {WorkerMetrics} from '../../source/worker/worker-metrics.js';
import {describeRequests, hashOf, makeQueue} from '../support/queue.js';

/** `name{labels} value` lines as a map (HELP and TYPE lines left out). */
function samples(text: string): Map<string, number> {
	const map = new Map<string, number>();
	for (const line of text.split('\n')) {
		if (!line || line.startsWith('#')) continue;
		const at = line.lastIndexOf(' ');
		map.set(line.slice(0, at), Number(line.slice(at + 1)));
	}
	return map;
}

function promtool(text: string): {status: number | null; output: string} | undefined {
	const run = spawnSync('promtool', ['check', 'metrics'], {input: text, encoding: 'utf8'});
	if ((run.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') return undefined;
	return {status: run.status, output: `${run.stdout}${run.stderr}`};
}

async function builtQueue() {
	const queue = await makeQueue({max_retries: 0});
	const {context, clock, stats} = queue;
	await enqueueMany(context, [
		...[1, 2, 3, 4, 5].map(n => ({hash: hashOf(n), priority: 'normal' as const, name: `n-${n}.pdf`})),
		{hash: hashOf(6), priority: 'high' as const, name: 'h.pdf'},
	]);
	clock.advance(90_000);
	const done = await claim(context, 'w-1', {hash: hashOf(1), priority: 'normal'});
	if (done.kind !== 'claimed') throw new Error('claim');
	clock.advance(42_000);
	await complete(context, done.held, new Uint8Array([1]));
	const dead = await claim(context, 'w-1', {hash: hashOf(2), priority: 'normal'});
	if (dead.kind !== 'claimed') throw new Error('claim');
	clock.advance(3000);
	await fail(context, dead.held, {error: 'encrypted', permanent: true});
	const running = await claim(context, 'w-2', {hash: hashOf(3), priority: 'normal'});
	if (running.kind !== 'claimed') throw new Error('claim');
	let monotonic = 0;
	const feed = new InspectorFeed(new Inspector(context, stats), 'local:/x prefix pdf/', {
		leaseSweepMs: 20_000,
		monotonic: () => monotonic,
		now: () => clock.now(),
		isPriced: false,
	});
	const metrics = new QueueMetrics(feed, {stats, isPriced: false, monotonic: () => monotonic});
	return {
		...queue,
		metrics,
		advance(ms: number) {
			monotonic += ms;
			clock.advance(ms);
		},
	};
}

test('the metrics of a queue built here: jobs by state and priority, leases by health, counters, durations', async t => {
	const {metrics, advance} = await builtQueue();
	const text = await metrics.scrape();
	const got = samples(text);
	t.is(got.get('blobforge_store_up'), 1);
	t.is(got.get('blobforge_jobs{state="todo",priority="normal"}'), 2, 'n-4 and n-5 (n-3 is running)');
	t.is(got.get('blobforge_jobs{state="todo",priority="high"}'), 1);
	t.is(got.get('blobforge_jobs{state="processing",priority="normal"}'), 1);
	t.is(got.get('blobforge_jobs{state="dead",priority="normal"}'), 1);
	t.is(got.get('blobforge_jobs{state="done",priority="normal"}'), 1);
	t.is(got.get('blobforge_leases{health="fine"}'), 1);
	t.is(got.get('blobforge_jobs_completed_total'), 1);
	t.is(got.get('blobforge_job_failures_total'), 1);
	t.is(got.get('blobforge_oldest_queued_job_age_seconds'), 135, 'queued 90 + 42 + 3 s ago');
	t.is(got.get('blobforge_unattended_jobs'), 0, 'no registration, but a lease renewed in time: a live worker');
	// The done attempt took 42 s (claim to ending), the dead one 3 s.
	t.is(got.get('blobforge_job_duration_seconds_bucket{outcome="done",le="30"}'), 0);
	t.is(got.get('blobforge_job_duration_seconds_bucket{outcome="done",le="60"}'), 1);
	t.is(got.get('blobforge_job_duration_seconds_sum{outcome="done"}'), 42);
	t.is(got.get('blobforge_job_duration_seconds_count{outcome="dead"}'), 1);
	t.is(got.get('blobforge_job_duration_seconds_bucket{outcome="dead",le="5"}'), 1);
	t.true((got.get('blobforge_exporter_requests_total{operation="list"}') ?? 0) > 0);
	// Scraped again later: an attempt still listed is timed once, and counters stay.
	advance(25_000);
	const again = samples(await metrics.scrape());
	t.is(again.get('blobforge_job_duration_seconds_count{outcome="done"}'), 1);
	t.is(again.get('blobforge_jobs_completed_total'), 1);
	t.is(again.get('blobforge_oldest_queued_job_age_seconds'), 160);
});

test('promtool accepts the queue metrics and a worker’s own', async t => {
	const {metrics} = await builtQueue();
	const emitter = new WorkerEmitter();
	const worker = new WorkerMetrics(emitter, {worker: 'w-"1"\n', stats: new RequestStats()});
	emitter.emit('job-completed', {
		job: hashOf(1),
		file: 'a.pdf',
		attempt: 1,
		priority: 'normal',
		pages: 3,
		ms: 2500,
		replacedResult: false,
	});
	emitter.emit('job-failed', {
		job: hashOf(2),
		file: 'b.pdf',
		attempt: 1,
		priority: 'normal',
		error: 'x',
		permanent: true,
		outcome: 'dead',
	});
	emitter.emit('status', {state: 'idle', jobs: [], slots: 1, jobsCompleted: 1, jobsFailed: 1});
	const workerText = await worker.scrape();
	const got = samples(workerText);
	t.is(got.get('blobforge_worker_jobs_completed_total{worker="w-\\"1\\"\\n"}'), 1, 'label values escaped');
	t.is(got.get('blobforge_worker_pages_total{worker="w-\\"1\\"\\n"}'), 3);
	t.is(got.get('blobforge_worker_job_failures_total{worker="w-\\"1\\"\\n",kind="permanent"}'), 1);
	t.is(got.get('blobforge_worker_state{worker="w-\\"1\\"\\n",state="idle"}'), 1);
	emitter.emit('status', {
		state: 'processing',
		jobs: [{hash: 'a', stage: 'converting'}],
		slots: 4,
		jobsCompleted: 1,
		jobsFailed: 1,
	});
	const slotted = samples(await worker.scrape());
	t.is(slotted.get('blobforge_worker_slot_jobs{worker="w-\\"1\\"\\n",state="busy"}'), 1);
	t.is(slotted.get('blobforge_worker_slot_jobs{worker="w-\\"1\\"\\n",state="free"}'), 3);
	t.is(got.get('blobforge_worker_job_duration_seconds_bucket{worker="w-\\"1\\"\\n",le="5"}'), 1);
	for (const text of [await metrics.scrape(), workerText]) {
		const checked = promtool(text);
		if (!checked) {
			if (process.env['CI'] === 'true')
				t.fail('promtool is missing (scripts/ensure-test-tools.sh installs Debian’s prometheus)');
			else t.log('promtool not installed: the format check is skipped here');
			continue;
		}
		t.is(checked.status, 0, checked.output);
		t.is(checked.output.trim(), '', 'no lint warnings either');
	}
});

test('a scrape costs what a quiet console refresh does: one conditional GET between lease sweeps', async t => {
	const {metrics, advance, requests, keys} = await builtQueue();
	await metrics.scrape();
	advance(15_000);
	requests.length = 0;
	await metrics.scrape();
	t.deepEqual(describeRequests(requests, keys), ['get queue/changes.json']);
	// Two scrapes at once, and one within the refresh floor (1 s), share one refresh.
	advance(2000);
	requests.length = 0;
	await Promise.all([metrics.scrape(), metrics.scrape()]);
	await metrics.scrape();
	t.deepEqual(describeRequests(requests, keys), ['get queue/changes.json']);
});

test('counters never go down as minutes leave the series; sleeping workers are no alert; an outage keeps values, store_up 0', async t => {
	let snapshot: ConsoleSnapshot | Error;
	const base = {
		counts: Object.fromEntries(
			['todo', 'processing', 'failed', 'dead', 'done', 'total'].map(s => [
				s,
				Object.fromEntries(priorities.map(p => [p, 0])),
			]),
		) as ConsoleSnapshot['counts'],
		todo: [],
		active: [],
		workers: [],
		problems: [],
		staleAfterMs: 900_000,
	};
	const at = (minute: number) => minute * 60_000 + 30_000;
	const source = {
		minRefreshSeconds: 0,
		snapshot: async () => {
			if (snapshot instanceof Error) throw snapshot;
			return snapshot;
		},
	};
	const metrics = new QueueMetrics(source);
	const series = (values: number[]) => [...Array.from({length: 30 - values.length}, () => 0), ...values];
	const total = async () => samples(await metrics.scrape()).get('blobforge_jobs_completed_total');
	snapshot = {
		...base,
		serverNow: at(100),
		completionsPerMinute: series([4, 2]),
		failuresPerMinute: series([]),
	} as never;
	t.is(await total(), 6);
	snapshot = {
		...base,
		serverNow: at(100),
		completionsPerMinute: series([4, 5]),
		failuresPerMinute: series([]),
	} as never;
	t.is(await total(), 9, 'the current minute grew by 3');
	// 29 minutes later the minute of the 4 has left the 30-minute series; it stays counted.
	snapshot = {
		...base,
		serverNow: at(129),
		completionsPerMinute: series([5, ...Array.from({length: 28}, () => 0), 1]),
		failuresPerMinute: series([]),
	} as never;
	t.is(await total(), 10);
	snapshot = {...base, serverNow: at(200), completionsPerMinute: series([]), failuresPerMinute: series([])} as never;
	t.is(await total(), 10);
	// Jobs waiting while the only worker sleeps until its run window: counted as sleeping, not unattended.
	const sleeper = {
		id: 'w-night',
		host: 'h',
		status: 'sleeping',
		sleepingUntil: at(300),
		jobsCompleted: 0,
		jobsFailed: 0,
	};
	const waiting = {waiting: 3, sleepingUntil: at(300)};
	snapshot = {
		...base,
		serverNow: at(201),
		workers: [{...sleeper, lastSeenAgoMs: 0}],
		unattended: waiting,
		completionsPerMinute: series([]),
		failuresPerMinute: series([]),
	} as never;
	const night = samples(await metrics.scrape());
	t.is(night.get('blobforge_workers{status="sleeping"}'), 1);
	t.is(night.get('blobforge_worker_slots{state="idle"}'), 0);
	t.is(night.get('blobforge_unattended_jobs'), 0);
	snapshot = {...(snapshot as ConsoleSnapshot), workers: [], unattended: {waiting: 3}} as never;
	t.is(samples(await metrics.scrape()).get('blobforge_unattended_jobs'), 3, 'with no worker at all it is');
	snapshot = new Error('connection refused');
	const down = samples(await metrics.scrape());
	t.is(down.get('blobforge_store_up'), 0);
	t.is(down.get('blobforge_jobs_completed_total'), 10, 'the last values stay');
});

test('the HTTP side: /metrics in the text format, / points to it, other paths 404, addresses parsed', async t => {
	const server = await serveMetrics('127.0.0.1:0', async () => '# HELP x y\n# TYPE x gauge\nx 1\n');
	t.teardown(() => server.close());
	const got = await fetch(server.url);
	t.is(got.status, 200);
	t.is(got.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
	t.is(await got.text(), '# HELP x y\n# TYPE x gauge\nx 1\n');
	t.is((await fetch(server.url.replace('/metrics', '/'))).status, 200);
	t.is((await fetch(server.url.replace('/metrics', '/nope'))).status, 404);
	t.deepEqual(parseListen('127.0.0.1:9464'), {host: '127.0.0.1', port: 9464});
	t.deepEqual(parseListen(':9464'), {port: 9464});
	t.deepEqual(parseListen('9464'), {port: 9464});
	t.deepEqual(parseListen('[::1]:9464'), {host: '::1', port: 9464});
	t.throws(() => parseListen('localhost'), {message: /not HOST:PORT/});
	t.throws(() => parseListen('1.2.3.4:70000'), {message: /not HOST:PORT/});
	await t.throwsAsync(
		serveMetrics(server.url.replace('http://', '').replace('/metrics', ''), async () => ''),
		{
			message: /port is taken/,
		},
	);
});
