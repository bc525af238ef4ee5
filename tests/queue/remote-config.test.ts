import test from 'ava';
import {RemoteConfigCache, parseConfigAssignments, setRemoteConfig} from '../../source/queue/remote-config.js';
import {configConsistencyProblem, defaultRemoteConfig, parseRemoteConfig} from '../../source/queue/records.js';
import {describeRequests, makeQueue} from '../support/queue.js';

test('remote config: defaults when absent, cached (also when absent), conditional re-reads', async t => {
	const {context, clock, requests, keys} = await makeQueue();
	const cache = new RemoteConfigCache(context, 60_000);
	t.deepEqual((await cache.get()).config, {
		max_retries: 3,
		heartbeat_interval: 180,
		stale_timeout_minutes: 15,
		conversion_timeout: 3600,
		retry_backoff: 30,
		conversion_memory_mb: 2048,
		max_pages: 20_000,
		console_min_refresh: 1,
		run_windows: '',
		abort_outside_window: 0,
		converter: 'builtin',
		worker_slots: 0,
	});
	await cache.get();
	t.is(requests.length, 1, 'a missing config.json is cached too');
	await setRemoteConfig(context, {max_retries: 5});
	clock.advance(61_000);
	t.is((await cache.get()).config.max_retries, 5, 'picked up after the cache time');
	requests.length = 0;
	clock.advance(61_000);
	await cache.get();
	t.deepEqual(describeRequests(requests, keys), ['get registry/config.json'], 'unchanged: one conditional GET (304)');
});

test('remote config: validated assignments, clear errors, unknown keys rejected, concurrent sets lose nothing', async t => {
	const {context} = await makeQueue();
	t.deepEqual(parseConfigAssignments(['max_retries=1', 'heartbeat_interval=30']), {
		changes: {max_retries: 1, heartbeat_interval: 30},
		errors: [],
	});
	const bad = parseConfigAssignments([
		'max_retries=1.5',
		'stale_timeout_minutes=-1',
		'bogus=3',
		'noequals',
		'max_retries=yes',
	]);
	t.deepEqual(bad.errors, [
		'max_retries must be a whole number',
		'stale_timeout_minutes must be between 0.05 and 10080',
		'unknown key "bogus" (known: max_retries, heartbeat_interval, stale_timeout_minutes, conversion_timeout, retry_backoff, ' +
			'conversion_memory_mb, max_pages, console_min_refresh, run_windows, abort_outside_window, converter, worker_slots)',
		'"noequals" is not key=value',
		'max_retries must be a number, not "yes"',
	]);
	await Promise.all([
		setRemoteConfig(context, {max_retries: 7}),
		setRemoteConfig(context, {heartbeat_interval: 20}),
		setRemoteConfig(context, {conversion_timeout: 10}),
	]);
	const cache = new RemoteConfigCache(context);
	const {config} = await cache.get();
	t.is(config.max_retries, 7);
	t.is(config.heartbeat_interval, 20);
	t.is(config.conversion_timeout, 10);
});

test('remote config: a malformed config.json is reported and the defaults apply', async t => {
	const {context} = await makeQueue();
	await context.store.put(context.keys.config(), '{"max_retries": "many", "s3_supports_conditional_writes": true}');
	const snapshot = await new RemoteConfigCache(context).get();
	t.is(snapshot.config.max_retries, 3);
	t.deepEqual(snapshot.problems, ['pdf/registry/config.json: max_retries must be a number, not "many"']);
});

test('remote config read with a stale timeout under three heartbeats: reported, and the stale timeout raised', t => {
	const {config, problems} = parseRemoteConfig(JSON.stringify({heartbeat_interval: 60, stale_timeout_minutes: 0.25}));
	t.is(config.stale_timeout_minutes, 3);
	t.is(problems.length, 1);
	t.regex(problems[0]!, /at least three heartbeat intervals.*3 min is used/);
	t.is(configConsistencyProblem(defaultRemoteConfig), undefined, 'the defaults hold');
	t.regex(parseRemoteConfig('{"heartbeat_interval": 1e309}').problems[0] ?? '', /must be a number/);
});
