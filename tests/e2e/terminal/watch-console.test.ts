/**
`blobforge watch` in a real pseudo-terminal (tmux) against the real S3 server, with queued,
running, failed and dead jobs: what the screen shows, and what r, D, l and q do to the bucket
and the terminal.
*/
import {writeFile} from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import {locateJob} from '../../../source/queue/locate.js';
import {openQueueContext, type QueueContext} from '../../../source/queue/queue-context.js';
import {defaultRemoteConfig, type JobLog} from '../../../source/queue/records.js';
import {claim} from '../../../source/queue/transitions/claim.js';
import {enqueueMany} from '../../../source/queue/transitions/enqueue.js';
import {fail} from '../../../source/queue/transitions/finish.js';
import {heartbeat} from '../../../source/queue/transitions/heartbeat.js';
import {cliPath} from '../../support/cli.js';
import {hashOf} from '../../support/queue.js';
import {createBucket, requireS3, openTestStore} from '../../support/s3-server.js';
import {openTerminal} from '../../support/terminal.js';
import {tempDir} from '../../support/temp.js';

async function claimed(context: QueueContext, hash: string) {
	const outcome = await claim(context, 'w-9', {hash, priority: 'normal'});
	if (outcome.kind !== 'claimed') throw new Error(`claim: ${outcome.kind}`);
	return outcome.held;
}

test('watch on the real S3 server: the screen shows the jobs; r retries, D clears dead after y, l shows a log, q restores the terminal', async t => {
	const server = requireS3(t);
	if (!server) return;
	const bucket = await createBucket(server);
	const {store} = openTestStore(server, bucket);
	const context: QueueContext = openQueueContext(store, {config: () => ({...defaultRemoteConfig, max_retries: 0})});
	const [active, queuedA, queuedB, failed, deadRetried, deadCleared] = [1, 2, 3, 4, 5, 6].map(n => hashOf(n)) as [
		string,
		string,
		string,
		string,
		string,
		string,
	];
	const names = {
		[active]: 'running-report.pdf',
		[queuedA]: 'queued-alpha.pdf',
		[queuedB]: 'queued-beta.pdf',
		[failed]: 'failed-gamma.pdf',
		[deadRetried]: 'dead-delta.pdf',
		[deadCleared]: 'dead-epsilon.pdf',
	};
	await enqueueMany(
		context,
		Object.entries(names).map(([hash, name]) => ({hash, priority: 'normal' as const, name, size: 2048})),
	);
	const running = await claimed(context, active);
	await heartbeat(context, running, {stage: 'converting', pagesDone: 7, pagesTotal: 20});
	// A failure with retries left, then two permanent failures (dead), one with its attempt log.
	await fail({...context, config: () => defaultRemoteConfig}, await claimed(context, failed), {
		error: 'converter exited with code 3',
		permanent: false,
	});
	for (const hash of [deadRetried, deadCleared]) {
		const held = await claimed(context, hash);
		await fail(context, held, {
			error: 'not a valid PDF (corrupt or truncated)',
			permanent: true,
			log: context.keys.jobLog(hash, 1),
		});
	}
	const log: JobLog = {
		version: 1,
		hash: deadRetried,
		attempt: 1,
		worker: 'w-9',
		name: names[deadRetried],
		startedAt: Date.now() - 4000,
		endedAt: Date.now(),
		outcome: 'dead',
		timings: {downloadMs: 12},
		output: 'pdf.js: Invalid PDF structure\nconverter gave up',
		error: 'not a valid PDF (corrupt or truncated)',
	};
	await store.put(context.keys.jobLog(deadRetried, 1), JSON.stringify(log), {contentType: 'application/json'});

	const dir = await tempDir('bf-watch-');
	const script = path.join(dir, 'run.sh');
	const environment = {
		BLOBFORGE_S3_BUCKET: bucket,
		BLOBFORGE_S3_ENDPOINT_URL: server.endpoint,
		BLOBFORGE_S3_ACCESS_KEY_ID: server.accessKeyId,
		BLOBFORGE_S3_SECRET_ACCESS_KEY: server.secretAccessKey,
		NO_COLOR: '1',
	};
	await writeFile(
		script,
		[
			'#!/bin/sh',
			...Object.entries(environment).map(([k, v]) => `export ${k}='${v}'`),
			'echo BEFORE-WATCH',
			`'${process.execPath}' '${cliPath}' watch --refresh 1`,
			'echo "WATCH-EXITED=$?"',
			'sleep 600',
			'',
		].join('\n'),
		{mode: 0o755},
	);
	const terminal = await openTerminal(t, script);
	const {tmux, waitFor, press} = terminal;
	const stateOf = async (hash: string) => (await locateJob(context, hash)).state;

	const first = await waitFor('the active job', text => text.includes('running-report.pdf'));
	t.regex(first, /1 Active 1 {2}2 Queue 2 {2}3 Failed 1 {2}4 Dead 2/, 'counts per pane');
	t.regex(first, /7\/20/, 'page progress from the heartbeat');
	t.regex(first, /s3:\/\/.*prefix pdf\//, 'the store in the header');
	t.is(
		(await tmux('display-message', '-p', '-t', 'main', '#{alternate_on}')).trim(),
		'1',
		'the alternate screen is in use',
	);
	// A resize to 80×24 re-lays the screen: the header stays on the first line, the footer on screen.
	await tmux('resize-window', '-t', 'main', '-x', '80', '-y', '24');
	const small = await waitFor(
		'the 80×24 layout',
		text => text.split('\n')[0]!.startsWith('BlobForge') && /q quit/.test(text) && !/q quit[\s\S]*BlobForge/.test(text),
	);
	t.true(
		small.split('\n').every(line => line.length <= 80),
		'no line wider than 80 columns',
	);
	await tmux('resize-window', '-t', 'main', '-x', '120', '-y', '40');
	await press('2');
	await waitFor('the queue', text => text.includes('queued-alpha.pdf') && text.includes('queued-beta.pdf'));
	await press('3');
	await waitFor(
		'the failed job',
		text => text.includes('failed-gamma.pdf') && text.includes('converter exited with code 3'),
	);

	// r on a dead job: it goes back to todo.
	await press('4', '/');
	await terminal.type('delta');
	await press('Enter');
	await waitFor('the filtered dead job', text => text.includes('dead-delta.pdf') && !text.includes('dead-epsilon.pdf'));
	await press('r');
	await waitFor('the retry answer', text => /queued at normal/.test(text));
	t.is(await stateOf(deadRetried), 'todo');
	// The answer comes before the refresh it starts: keys act on the rows on screen, so wait for them.
	// The tabs count what the filter matches: delta left Dead for the Queue.
	await waitFor(
		'the refresh after the retry',
		text => /2 Queue 1 .*4 Dead 0/.test(text) && !text.includes('dead-delta.pdf'),
	);

	// l shows the attempt's log.
	await press('2');
	await waitFor('the retried job in the queue', text => text.includes('dead-delta.pdf'));
	await press('l');
	const logs = await waitFor('the log', text => text.includes('converter gave up'));
	t.regex(logs, /attempt 1 on w-9: dead/);
	await press('Escape', 'Escape');
	await waitFor('the filter cleared', text => text.includes('queued-alpha.pdf'));

	// D asks, shows how many, and clears only after y.
	await press('4', 'D');
	await waitFor('the confirmation', text => /remove 1 dead job for good/.test(text));
	t.is(await stateOf(deadCleared), 'dead', 'nothing happens before the answer');
	await press('y');
	await waitFor('the clear answer', text => /cleared the dead-letter queue: 1 job/.test(text));
	await waitFor('the dead pane empty', text => /4 Dead 0/.test(text));
	t.not(await stateOf(deadCleared), 'dead');

	// q: the program ends with 0 and the terminal is the one it found.
	await press('q');
	const after = await waitFor('the shell again', text => text.includes('WATCH-EXITED='));
	t.regex(after, /BEFORE-WATCH\s+WATCH-EXITED=0/);
	t.notRegex(after, /running-report\.pdf/, 'nothing of the console is left on the screen');
	t.is(
		(await tmux('display-message', '-p', '-t', 'main', '#{alternate_on}')).trim(),
		'0',
		'the alternate screen is left',
	);
});
