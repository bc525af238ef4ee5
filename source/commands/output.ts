/**
Printing for commands: human text or JSON, always through the redactor; text is made safe for the
terminal here, once, whatever a command put in it (JSON escapes control characters itself).
*/
import {terminalText} from '../lib/format.js';
import {redact} from '../lib/redact.js';

export function printLine(text = ''): void {
	process.stdout.write(`${terminalText(redact(text))}\n`);
}

export function printJson(value: unknown): void {
	process.stdout.write(`${redact(JSON.stringify(value, null, 2))}\n`);
}

export function printError(text: string): void {
	process.stderr.write(`${terminalText(redact(text))}\n`);
}
