/**
A real pseudo-terminal for end-to-end tests of the console: a private tmux server running one
script, its screen read with capture-pane, keys sent with send-keys. Killed when the test ends.
*/
import {execFile} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import os from 'node:os';
import {promisify} from 'node:util';
import type {ExecutionContext} from 'ava';

const run = promisify(execFile);

export type Terminal = {
	tmux(...args: string[]): Promise<string>;
	screen(): Promise<string>;
	/**
	Polls the screen until `check` holds. On a timeout it logs, first (a CI excerpt keeps only the
	first lines), what it waited for, the load, the status and footer lines and `diagnose`'s lines;
	then the whole screen.
	*/
	waitFor(
		what: string,
		check: (text: string) => boolean,
		options?: {timeoutMs?: number; diagnose?: () => Promise<string[]>},
	): Promise<string>;
	/** Named keys (tmux names: Enter, Escape) or single characters, one at a time. */
	press(...keys: string[]): Promise<void>;
	/** Literal text, as one burst. */
	type(text: string): Promise<void>;
};

export async function openTerminal(
	t: ExecutionContext,
	script: string,
	size: {columns: number; rows: number} = {columns: 120, rows: 40},
): Promise<Terminal> {
	const socket = `bf-test-${randomBytes(4).toString('hex')}`;
	const tmux = async (...args: string[]) => (await run('tmux', ['-L', socket, ...args])).stdout;
	t.teardown(async () => {
		await run('tmux', ['-L', socket, 'kill-server']).catch(() => undefined);
	});
	await tmux('new-session', '-d', '-s', 'main', '-x', String(size.columns), '-y', String(size.rows), script);
	const screen = async () => tmux('capture-pane', '-p', '-t', 'main');
	const pause = async (ms: number) => new Promise(resolve => setTimeout(resolve, ms));
	return {
		tmux,
		screen,
		async waitFor(what, check, options = {}) {
			const started = new Date();
			const deadline = started.getTime() + (options.timeoutMs ?? 30_000);
			let text = '';
			while (Date.now() < deadline) {
				text = await screen();
				if (check(text)) return text;
				await pause(200);
			}
			const lines = text.trimEnd().split('\n');
			// The clock times place the wait among the timestamps of the logs `diagnose` shows.
			const clock = (date: Date) => date.toISOString().slice(11, 19);
			t.log(
				`timed out waiting for ${what} (${clock(started)}–${clock(new Date())} UTC); load ${os.loadavg()[0]!.toFixed(1)}; the screen's last ` +
					`lines:\n${lines.slice(-2).join('\n')}`,
			);
			for (const line of (await options.diagnose?.()) ?? []) t.log(line);
			t.log(text);
			throw new Error(`timed out waiting for ${what}`);
		},
		async press(...keys) {
			for (const key of keys) {
				await tmux('send-keys', '-t', 'main', key);
				await pause(150);
			}
		},
		async type(text) {
			await tmux('send-keys', '-t', 'main', '-l', text);
		},
	};
}
