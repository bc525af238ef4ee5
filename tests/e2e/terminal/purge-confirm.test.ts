/**
`blobforge purge` on a real pseudo-terminal (tmux): the count first, then a typed confirmation. A wrong
answer deletes nothing; the exact phrase deletes the part named and nothing else.
*/
import {writeFile} from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import {cleanEnvironment, cliPath, runCli} from '../../support/cli.js';
import {makePdf, writeFiles} from '../../support/pdfs.js';
import {openTerminal} from '../../support/terminal.js';
import {tempDir} from '../../support/temp.js';

test('purge on a terminal asks for "purge queue": a wrong answer keeps everything, the phrase deletes the queue', async t => {
	const store = await tempDir('bf-purge-tty-');
	const library = await tempDir('bf-purge-tty-lib-');
	await writeFiles(library, {'a.pdf': await makePdf(['a']), 'b.pdf': await makePdf(['b'])});
	const environment = cleanEnvironment({BLOBFORGE_STORE_DIR: store});
	t.is((await runCli(['ingest', library], environment)).code, 0);
	const todo = async () =>
		(JSON.parse((await runCli(['list', '--json'], environment)).stdout) as {counts: {total: {todo: number}}}).counts
			.total.todo;
	t.is(await todo(), 2);

	const script = path.join(await tempDir('bf-purge-tty-sh-'), 'run.sh');
	const purge = `'${process.execPath}' '${cliPath}' purge --prefix-part queue`;
	await writeFile(
		script,
		[
			'#!/bin/sh',
			`export BLOBFORGE_STORE_DIR='${store}'`,
			'export NO_COLOR=1',
			purge,
			'echo "FIRST-EXITED=$?"',
			purge,
			'echo "SECOND-EXITED=$?"',
			'sleep 600',
			'',
		].join('\n'),
		{mode: 0o755},
	);
	const {waitFor, type, press} = await openTerminal(t, script, {columns: 100, rows: 24});
	const asked = await waitFor('the question', text => text.includes('to confirm:'));
	t.regex(asked, /\d+ object\(s\) under pdf\/queue\//, 'the count comes before the question');
	t.regex(asked, /Type "purge queue" to confirm:/);
	await type('yes');
	await press('Enter');
	const refused = await waitFor('the first answer', text => text.includes('FIRST-EXITED='));
	t.regex(refused, /nothing deleted\s+FIRST-EXITED=0/);
	t.is(await todo(), 2, '"yes" is not the phrase: nothing was deleted');

	await waitFor('the second question', text => text.split('to confirm:').length === 3);
	await type('purge queue');
	await press('Enter');
	const done = await waitFor('the second answer', text => text.includes('SECOND-EXITED='));
	t.regex(done, /deleted \d+ object\(s\) under pdf\/queue\/\s+SECOND-EXITED=0/);
	t.is(await todo(), 0);
	t.true((await runCli(['search', 'a.pdf'], environment)).stdout.includes('a.pdf'), 'the manifest stays');
});
