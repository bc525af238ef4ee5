/** Runs the built `blobforge` command in a subprocess, as a user would. */
import {execFile} from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {removedAtExit} from './temp.js';

export const cliPath = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../source/cli.js');

export type CliResult = {code: number; stdout: string; stderr: string};

let environments = 0;

/**
Environment with every BLOBFORGE_ and AWS_ variable removed, so the caller's shell cannot leak in,
and a state directory of its own (workers remember their jobs there), not the user's: tests that
run at once with the same worker id must not share it.
*/
export function cleanEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
	const environment: NodeJS.ProcessEnv = {};
	for (const [k, v] of Object.entries(process.env))
		if (!k.startsWith('BLOBFORGE_') && !k.startsWith('AWS_')) environment[k] = v;
	const state = removedAtExit(path.join(os.tmpdir(), `bf-state-${process.pid}-${++environments}`));
	return {...environment, STATE_DIRECTORY: state, ...extra};
}

export async function runCli(args: string[], environment: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<CliResult> {
	return new Promise(resolve => {
		execFile(
			process.execPath,
			[cliPath, ...args],
			{env: environment, timeout: timeoutMs, maxBuffer: 20 * 1024 * 1024},
			(error, stdout, stderr) => {
				const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
				// Killed for taking too long: say so, rather than show an empty stderr and exit 1.
				const killed = error?.killed
					? `\n[test] killed after ${timeoutMs / 1000} s (${error.signal ?? 'no signal'})`
					: '';
				resolve({code, stdout, stderr: stderr + killed});
			},
		);
	});
}
