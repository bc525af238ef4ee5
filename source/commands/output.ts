/** Printing for commands: human text or JSON, always through the redactor. */
import {redact} from '../lib/redact.js';

export function printLine(text = ''): void {
	process.stdout.write(`${redact(text)}\n`);
}

export function printJson(value: unknown): void {
	process.stdout.write(`${redact(JSON.stringify(value, null, 2))}\n`);
}

export function printError(text: string): void {
	process.stderr.write(`${redact(text)}\n`);
}
