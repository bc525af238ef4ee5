/**
Printing for commands: human text or JSON, always through the redactor; text is made safe for the
terminal here, once, whatever a command put in it (JSON escapes control characters itself).
*/
import {terminalText} from '../lib/format.js';
import {redact} from '../lib/redact.js';

/**
A reader that went away (`blobforge list | head -1`) ends the command quietly, as for other tools,
not with an EPIPE stack trace. A command that handles stdout's errors itself (the worker, whose
job must not die with its log pipe) adds its own listener, and this one then leaves it to that.
*/
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
	if (process.stdout.listenerCount('error') > 1) return;
	if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
	throw error;
});

export function printLine(text = ''): void {
	process.stdout.write(`${terminalText(redact(text))}\n`);
}

export function printJson(value: unknown): void {
	process.stdout.write(`${redact(JSON.stringify(value, null, 2))}\n`);
}

export function printError(text: string): void {
	process.stderr.write(`${terminalText(redact(text))}\n`);
}
