/**
Heartbeats under load on the real S3 server (an open item of the earlier system): 50 leases renewed
every second through a store that loses answers and adds latency, while worker processes claim and
complete other jobs and janitors run, two of them with clocks ten minutes off. No live lease may be
recovered, and no slow or answer-lost renewal may be taken for a lost lease. A lease that really
stops renewing is still recovered, by the skewed janitor too.
*/
import {spawn, type ChildProcess} from 'node:child_process';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import test from 'ava';
import {skewedClock, systemClock} from '../../source/lib/clock.js';
import {runJanitor} from '../../source/queue/janitor.js';
import {openQueueContext, type QueueContext} from '../../source/queue/queue-context.js';
import {defaultRemoteConfig, parseLease} from '../../source/queue/records.js';
import {setRemoteConfig} from '../../source/queue/remote-config.js';
import {claim} from '../../source/queue/transitions/claim.js';
import type {HeldLease} from '../../source/queue/transitions/lease-write.js';
import {enqueueMany} from '../../source/queue/transitions/enqueue.js';
import {heartbeat} from '../../source/queue/transitions/heartbeat.js';
import {faults} from '../../source/storage/faults.js';
import {collectAll, isNotModified} from '../../source/storage/object-store.js';
import {openStore} from '../../source/storage/open-store.js';
import {HeartbeatLoop} from '../../source/worker/heartbeat-loop.js';
import {cliPath} from '../support/cli.js';
import {createBucket, requireS3} from '../support/s3-server.js';

const converter = `sh ${path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../tests/support/soak-converter.sh')} {input} {output}`;

test(
	'50 leases renewed every second under load, with lost answers and latency, and janitors ten minutes off: none recovered, none taken for ' +
		'lost',
	async t => {
		// The load's 200 jobs take half a minute here, minutes on a loaded machine.
		t.timeout(8 * 60_000);
		const server = requireS3(t);
		if (!server) return;
		const bucket = await createBucket(server);
		const settings = {
			kind: 's3' as const,
			bucket,
			region: 'us-east-1',
			endpoint: server.endpoint,
			forcePathStyle: true,
			credentials: {accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey},
		};
		// Stale after 30 heartbeat intervals, twice the defaults' ratio (60 s and 15 min): time runs 60 times
		// faster here, and on a machine loaded to 40 this process's own renewals (50 leases, faults, 400 ms
		// of latency) came up to 18 s apart.
		const config = {...defaultRemoteConfig, heartbeat_interval: 1, stale_timeout_minutes: 0.5};
		const {store} = openStore(settings);
		const context: QueueContext = openQueueContext(store, {config});
		await setRemoteConfig(context, {heartbeat_interval: 1, stale_timeout_minutes: 0.5});
		// The heartbeats go through a store that loses 5 % of answers after the write happened, times
		// out, and adds latency: the retrying store above it must read back, not report a loss.
		const faulty = openStore(settings, {
			middleware: [faults({rate: 0.15, kinds: ['answer-lost', 'timeout', 'latency', 'slowdown'], latencyMs: 400})],
		}).store;
		const beatContext: QueueContext = {...context, store: faulty};
		const long = Array.from({length: 50}, (_, i) => `a${i.toString(16).padStart(63, '0')}`);
		const short = Array.from({length: 200}, (_, i) => `b${i.toString(16).padStart(63, '0')}`);
		await enqueueMany(
			context,
			long.map(hash => ({hash, priority: 'critical' as const, name: 'long.pdf'})),
		);
		const held: HeldLease[] = [];
		for (const hash of long) {
			const outcome = await claim(context, `hb-${held.length}`, {hash, priority: 'critical'});
			if (outcome.kind === 'claimed') held.push(outcome.held);
		}
		t.is(held.length, 50);
		const outcomes = {renewed: 0, lost: 0, cancelled: 0, failed: 0};
		const lastRenewal = new Map<string, number>();
		let longestGapMs = 0;
		const loops = held.map(
			lease =>
				new HeartbeatLoop(
					systemClock,
					1000,
					async () => {
						const outcome = await heartbeat(beatContext, lease, {stage: 'converting'});
						outcomes[outcome.kind]++;
						const now = Date.now();
						const last = lastRenewal.get(lease.lease.hash);
						if (last !== undefined && outcome.kind === 'renewed') longestGapMs = Math.max(longestGapMs, now - last);
						if (outcome.kind === 'renewed') lastRenewal.set(lease.lease.hash, now);
					},
					() => {
						outcomes.failed++;
					},
				),
		);

		// The load: 200 short jobs for 4 worker processes, and a janitor loop.
		await Promise.all(short.map(async hash => store.put(context.keys.raw(hash), `%PDF-1.4\n% ${hash}\n`)));
		await enqueueMany(
			context,
			short.map(hash => ({hash, priority: 'normal' as const, name: 'short.pdf'})),
		);
		const environment = {
			...process.env,
			BLOBFORGE_S3_BUCKET: bucket,
			BLOBFORGE_S3_ENDPOINT_URL: server.endpoint,
			BLOBFORGE_S3_ACCESS_KEY_ID: server.accessKeyId,
			BLOBFORGE_S3_SECRET_ACCESS_KEY: server.secretAccessKey,
		};
		const children: ChildProcess[] = [
			...Array.from({length: 4}, (_, i) =>
				spawn(
					process.execPath,
					[cliPath, '--headless', '--worker-id', `load-${i}`, 'worker', '--converter', converter, '--idle-poll', '1'],
					{env: environment, stdio: 'ignore'},
				),
			),
			spawn(process.execPath, [cliPath, '--headless', 'janitor', '--loop', '--interval', '1'], {
				env: environment,
				stdio: 'ignore',
			}),
		];
		t.teardown(() => {
			for (const child of children) child.kill('SIGKILL');
		});
		// Janitors whose clocks are ten minutes ahead and behind: staleness is judged by the server's clock.
		const skewedReports = {staleRecovered: 0, passes: 0};
		let running = true;
		const skewed = (async () => {
			while (running) {
				for (const offset of [600_000, -600_000]) {
					const report = await runJanitor({...context, clock: skewedClock(systemClock, offset)});
					skewedReports.staleRecovered += report.staleRecovered;
					skewedReports.passes++;
				}
				await new Promise(resolve => setTimeout(resolve, 1000));
			}
		})();
		const deadline = Date.now() + 300_000;
		let results = 0;
		while (Date.now() < deadline) {
			results = (await collectAll(store, `${context.keys.prefix}store/out/`)).length;
			if (results >= short.length) break;
			await new Promise(resolve => setTimeout(resolve, 1000));
		}
		running = false;
		await skewed;
		await Promise.all(loops.map(async loop => loop.stop()));
		await Promise.all(
			children.map(
				async child =>
					new Promise(resolve => {
						if (child.exitCode !== null) resolve(undefined);
						else child.once('exit', resolve);
						child.kill('SIGTERM');
					}),
			),
		);
		t.log(
			`${results} short jobs done meanwhile; heartbeats: ${JSON.stringify(outcomes)}; longest gap between renewals of one lease ` +
				`${(longestGapMs / 1000).toFixed(1)} s (stale after 30 s); ${skewedReports.passes} skewed janitor passes`,
		);
		t.is(results, short.length, 'the load ran to the end');
		t.is(outcomes.lost, 0, 'no renewal taken for a lost lease');
		t.true(outcomes.renewed > 50 * 10, 'the leases kept being renewed');
		t.is(skewedReports.staleRecovered, 0, 'janitors with skewed clocks recovered no live lease');
		for (const lease of held) {
			const got = await store.get(context.keys.lease(lease.lease.hash));
			const parsed = got && !isNotModified(got) ? parseLease(got.body, lease.lease.hash) : undefined;
			t.true(
				parsed?.ok === true && parsed.value.nonce === lease.lease.nonce && parsed.value.ending === undefined,
				`lease ${lease.lease.hash.slice(0, 8)} is still its holder's`,
			);
		}

		// The control: a lease that stops renewing is recovered once stale, by a janitor ten minutes behind.
		await new Promise(resolve => setTimeout(resolve, 31_000));
		const control = await runJanitor({...context, clock: skewedClock(systemClock, -600_000)});
		t.is(control.staleRecovered, 50, 'every lease is recovered once it really went stale');
	},
);
