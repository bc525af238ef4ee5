/**
Runs the console full screen: the terminal's alternate screen, the cursor hidden, and both put
back whatever ends the program (q, Ctrl-C, SIGTERM, SIGHUP, a crash).
*/
import {writeSync} from 'node:fs';
import {render} from 'ink';

import type {ConsoleSource} from '../inspector/console-feed.js';
import {App} from './app.js';
import {windowOf} from './hooks/use-window.js';
import {makeTheme, ThemeContext} from './theme.js';

const enterScreen = '\u001B[?1049h\u001B[H\u001B[2J\u001B[?25l';
const leaveScreen = '\u001B[?25h\u001B[?1049l';

export type RunOptions = {intervalMs: number; isReadOnly: boolean};

export async function runConsole(source: ConsoleSource, options: RunOptions): Promise<void> {
	const stdout = process.stdout;
	let restored = false;
	const restore = () => {
		if (restored) return;
		restored = true;
		try {
			// Synchronous: this also runs from process 'exit', where asynchronous writes are lost.
			writeSync(stdout.fd, leaveScreen);
		} catch {
			// The terminal is gone (SIGHUP after the SSH session closed): nothing left to restore.
		}
	};
	stdout.write(enterScreen);
	let instance: ReturnType<typeof render> | undefined;
	const stop = (code: number) => {
		instance?.unmount();
		restore();
		process.exit(code);
	};
	const onSignal = (signal: NodeJS.Signals) => stop(signal === 'SIGHUP' ? 129 : signal === 'SIGTERM' ? 143 : 130);
	const onCrash = (error: unknown) => {
		instance?.unmount();
		restore();
		process.stderr.write(`blobforge watch: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
		process.exit(1);
	};
	process.on('SIGTERM', onSignal);
	process.on('SIGHUP', onSignal);
	process.on('SIGINT', onSignal);
	process.on('uncaughtException', onCrash);
	process.on('unhandledRejection', onCrash);
	process.on('exit', restore);
	try {
		// Ink rewrites the frame only when its text changed. Its incrementalRendering option (rewrite
		// changed lines only) drew lines one row off in the alternate screen when tried with Ink 6.8.
		instance = render(
			<ThemeContext.Provider value={makeTheme()}>
				<App source={source} window={windowOf(stdout)} intervalMs={options.intervalMs} isReadOnly={options.isReadOnly} onQuit={() => instance?.unmount()} />
			</ThemeContext.Provider>,
			{exitOnCtrlC: false, patchConsole: true, maxFps: 20},
		);
		await instance.waitUntilExit();
	} finally {
		restore();
		process.off('SIGTERM', onSignal);
		process.off('SIGHUP', onSignal);
		process.off('SIGINT', onSignal);
		process.off('uncaughtException', onCrash);
		process.off('unhandledRejection', onCrash);
	}
}
