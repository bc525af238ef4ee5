/**
Runs the console full screen: the terminal's alternate screen, the cursor hidden, and both put
back whatever ends the program (q, Ctrl-C, SIGTERM, SIGHUP, a crash). Frames reach the terminal
through a FrameWriter, which sends only the lines that changed. Console messages (a library's
warning) would scribble over the screen: they are held and printed once the terminal is restored.
*/
import {writeSync} from 'node:fs';
import {formatWithOptions} from 'node:util';
import {render} from 'ink';

import type {ConsoleSource} from '../inspector/console-source.js';
import {App} from './app.js';
import {FrameWriter} from './frame-writer.js';
import {windowOf} from './hooks/use-window.js';
import {makeTheme, ThemeContext} from './theme.js';

const enterScreen = '\u001B[?1049h\u001B[H\u001B[2J\u001B[?25l';
const leaveScreen = '\u001B[?25h\u001B[?1049l';

export type RunOptions = {intervalMs: number; isReadOnly: boolean};

export async function runConsole(source: ConsoleSource, options: RunOptions): Promise<void> {
	const stdout = process.stdout;
	const frames = new FrameWriter(stdout);
	const held = holdConsole();
	let restored = false;
	const restore = () => {
		if (restored) return;
		restored = true;
		frames.dispose();
		const messages = held.release();
		try {
			// Synchronous: this also runs from process 'exit', where asynchronous writes are lost.
			writeSync(stdout.fd, leaveScreen);
			if (messages.length > 0) writeSync(process.stderr.fd, messages.join(''));
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
		process.stderr.write(
			`blobforge watch: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
		);
		process.exit(1);
	};
	process.on('SIGTERM', onSignal);
	process.on('SIGHUP', onSignal);
	process.on('SIGINT', onSignal);
	process.on('uncaughtException', onCrash);
	process.on('unhandledRejection', onCrash);
	process.on('exit', restore);
	// Sequences that draw nothing (OSC 52) go straight to the terminal, between frames.
	const writeTerminal = (sequence: string): void => {
		stdout.write(sequence);
	};
	try {
		// Debug mode: Ink hands every whole frame to `frames` and writes no cursor movements of its own.
		// Ink reads only write, on/off(resize), columns, rows and isTTY of its stdout, which `frames` has.
		instance = render(
			<ThemeContext.Provider value={makeTheme()}>
				<App
					source={source}
					window={windowOf(stdout)}
					intervalMs={options.intervalMs}
					isReadOnly={options.isReadOnly}
					onQuit={() => instance?.unmount()}
					writeTerminal={writeTerminal}
				/>
			</ThemeContext.Provider>,
			// Interactive whatever `CI` says: an operator's shell or a test runner may export CI although the
			// console is on a real terminal, and Ink would then draw only the last frame.
			{
				stdout: frames as unknown as NodeJS.WriteStream,
				debug: true,
				interactive: true,
				exitOnCtrlC: false,
				patchConsole: false,
			},
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

const consoleMethods = ['log', 'info', 'warn', 'error', 'debug'] as const;

/**
Replaces console output with a buffer until `release`, which puts the methods back and returns what was held
(the last 100 messages).
*/
function holdConsole(): {release(): string[]} {
	const originals = consoleMethods.map(name => [name, console[name]] as const);
	const messages: string[] = [];
	for (const name of consoleMethods) {
		console[name] = (...args: unknown[]) => {
			messages.push(`${formatWithOptions({colors: false}, ...args)}\n`);
			if (messages.length > 100) messages.shift();
		};
	}
	return {
		release() {
			for (const [name, original] of originals) console[name] = original;
			return messages.splice(0);
		},
	};
}
