/**
Logging for long-running processes. Headless: one JSON object per line on stdout (time, level,
event, and fields such as job hash, file name, worker), which journald stores as is. On a
terminal: short readable lines. Every line passes through the redactor.
*/
import type {LogLevel} from './settings.js';
import {terminalText} from './format.js';
import {redact} from './redact.js';

const order: Record<LogLevel, number> = {debug: 10, info: 20, warn: 30, error: 40};

export type LogFields = Record<string, string | number | boolean | undefined>;

export type Logger = {
	debug(event: string, fields?: LogFields): void;
	info(event: string, fields?: LogFields): void;
	warn(event: string, fields?: LogFields): void;
	error(event: string, fields?: LogFields): void;
};

export function createLogger(options: {
	level: LogLevel;
	json: boolean;
	base?: LogFields;
	write?: (line: string) => void;
}): Logger {
	const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
	const log = (level: LogLevel, event: string, fields: LogFields = {}) => {
		if (order[level] < order[options.level]) return;
		if (options.json) {
			write(redact(JSON.stringify({time: new Date().toISOString(), level, event, ...options.base, ...fields})));
		} else {
			// On a terminal, hashes are shortened to 12 digits: enough to paste into any command.
			const shown = (v: string | number | boolean) =>
				typeof v === 'string' && /^[0-9a-f]{64}$/.test(v)
					? v.slice(0, 12)
					: typeof v === 'string' && /\s/.test(v)
						? JSON.stringify(v)
						: String(v);
			// The base fields (the worker's id) are the same on every line: a terminal shows only the event's own.
			const details = Object.entries(fields)
				.filter(([, v]) => v !== undefined)
				.map(([k, v]) => `${k}=${shown(v!)}`)
				.join(' ');
			// Shown, never obeyed: a file name with escape sequences must not drive the terminal.
			const line = `${new Date().toISOString().slice(11, 19)} ${level.padEnd(5)} ${event}${details ? ` ${details}` : ''}`;
			write(terminalText(redact(line)));
		}
	};
	return {
		debug: (e, f) => log('debug', e, f),
		info: (e, f) => log('info', e, f),
		warn: (e, f) => log('warn', e, f),
		error: (e, f) => log('error', e, f),
	};
}
