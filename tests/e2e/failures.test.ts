/** `blobforge failures` and `--error PATTERN` on retry, cancel and remove: groups by error, a count first. */
import test from 'ava';
import {openQueueContext} from '../../source/queue/queue-context.js';
import {defaultRemoteConfig} from '../../source/queue/records.js';
import {claim} from '../../source/queue/transitions/claim.js';
import {enqueueMany} from '../../source/queue/transitions/enqueue.js';
import {fail} from '../../source/queue/transitions/finish.js';
import {LocalStore} from '../../source/storage/local-store.js';
import {cleanEnvironment, runCli} from '../support/cli.js';
import {hashOf} from '../support/queue.js';
import {tempDir} from '../support/temp.js';

test('failures groups errors that differ only in numbers; --error retries one group after a dry run', async t => {
	const store = await tempDir('bf-failures-');
	const context = openQueueContext(new LocalStore({root: store}), {config: () => ({...defaultRemoteConfig})});
	const errors = [
		['conversion timed out after 3600 s', false],
		['conversion timed out after 1200 s', false],
		['conversion timed out after 90.5 s', false],
		['the PDF is encrypted and needs a password', true],
		['the PDF is encrypted and needs a password', true],
	] as const;
	await enqueueMany(
		context,
		errors.map((_, n) => ({hash: hashOf(n + 1), priority: 'normal' as const, name: `f-${n + 1}.pdf`})),
	);
	for (const [n, [error, permanent]] of errors.entries()) {
		const outcome = await claim(context, 'w-1', {hash: hashOf(n + 1), priority: 'normal'});
		if (outcome.kind !== 'claimed') throw new Error(outcome.kind);
		await fail(context, outcome.held, {error, permanent});
	}
	const environment = cleanEnvironment({BLOBFORGE_STORE_DIR: store});
	const groups = JSON.parse((await runCli(['failures', '--json'], environment)).stdout) as Array<{
		signature: string;
		count: number;
		failed: number;
		dead: number;
	}>;
	t.deepEqual(
		groups.map(g => [g.signature, g.count, g.failed, g.dead]),
		[
			['conversion timed out after # s', 3, 3, 0],
			['the PDF is encrypted and needs a password', 2, 0, 2],
		],
	);
	t.regex((await runCli(['failures'], environment)).stdout, /3\s+3\s+0\s+conversion timed out after # s/);

	const dry = await runCli(['retry', '--error', 'TIMED OUT', '--dry-run'], environment);
	t.is(dry.code, 0, dry.stderr);
	t.regex(dry.stdout, /3 failed or dead job\(s\) whose error matches "TIMED OUT"/);
	const todo = async () =>
		(JSON.parse((await runCli(['list', '--json'], environment)).stdout) as {counts: {total: {todo: number}}}).counts
			.total.todo;
	t.is(await todo(), 0, 'a dry run changes nothing');
	const refused = await runCli(['cancel', '--error', '/timed out after \\d+ s/'], environment);
	t.is(refused.code, 2, 'off a terminal, a bulk action needs --yes');
	// The expression takes whole seconds only: 3600 and 1200, not 90.5.
	t.regex(refused.stderr, /2 job\(s\) would be affected; add --yes/);
	const retried = await runCli(['retry', '--error', 'timed out', '--yes'], environment);
	t.is(retried.code, 0, retried.stderr);
	t.is(await todo(), 3);
	const left = JSON.parse((await runCli(['failures', '--json'], environment)).stdout) as Array<{count: number}>;
	t.deepEqual(
		left.map(g => g.count),
		[2],
		'the encrypted group stays dead',
	);
	const bad = await runCli(['remove', '--error', '/(/'], environment);
	t.is(bad.code, 2);
	t.regex(bad.stderr, /--error \/\(\/: Invalid regular expression/);
});
