/**
`blobforge watch` without a terminal. The console itself, in a real terminal: terminal/watch-console.test.ts.
*/
import {execFile} from 'node:child_process';
import {promisify} from 'node:util';
import test from 'ava';
import {cliPath} from '../support/cli.js';
import {tempDir} from '../support/temp.js';

const run = promisify(execFile);

test('watch refuses to run without a terminal and points to dashboard', async t => {
	const result = await run(process.execPath, [cliPath, 'watch'], {
		env: {...process.env, BLOBFORGE_STORE_DIR: await tempDir('bf-watch-')},
	}).catch((error: {code: number; stderr: string}) => error);
	t.is('code' in result ? result.code : 0, 2);
	t.regex('stderr' in result ? result.stderr : '', /watch needs an interactive terminal[\s\S]*blobforge dashboard/);
});
