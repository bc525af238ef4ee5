import test from 'ava';
import {createLogger} from '../../source/lib/log.js';

const hash = 'ab'.repeat(32);

test('headless: one JSON object per line with the base fields; below the level nothing', t => {
	const lines: string[] = [];
	const logger = createLogger({level: 'info', json: true, base: {worker: 'w-1'}, write: line => lines.push(line)});
	logger.debug('not-shown');
	logger.info('job-claimed', {job: hash, file: 'a b.pdf', attempt: 1});
	t.is(lines.length, 1);
	const parsed = JSON.parse(lines[0]!) as Record<string, unknown>;
	t.like(parsed, {level: 'info', event: 'job-claimed', worker: 'w-1', job: hash, file: 'a b.pdf', attempt: 1});
	t.regex(String(parsed['time']), /^\d{4}-\d\d-\d\dT/);
});

test('terminal: short lines without the base fields (the same on every line), hashes cut to 12 digits, spaced values quoted', t => {
	const lines: string[] = [];
	const logger = createLogger({level: 'info', json: false, base: {worker: 'w-1'}, write: line => lines.push(line)});
	logger.warn('job-failed', {job: hash, file: 'a b.pdf', error: undefined});
	t.regex(lines[0]!, /^\d\d:\d\d:\d\d warn {2}job-failed job=abababababab file="a b\.pdf"$/);
	t.notRegex(lines[0]!, /worker=/);
});

test('terminal: escape sequences in a field are shown, never sent to the terminal', t => {
	const lines: string[] = [];
	const logger = createLogger({level: 'info', json: false, write: line => lines.push(line)});
	logger.info('job-claimed', {file: '\u001B]0;pwned\u0007.pdf', worker: 'w\u009B2J'});
	// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is looked for
	t.notRegex(lines[0]!, /[\u001B\u0007\u009B]/);
	t.regex(lines[0]!, /␛\]0;pwned/);
	// Headless, JSON escapes them itself (journald stores "\u001b").
	const json: string[] = [];
	createLogger({level: 'info', json: true, write: line => json.push(line)}).info('job-claimed', {
		file: '\u001B]0;x\u0007',
	});
	// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is looked for
	t.notRegex(json[0]!, /[\u001B\u0007]/);
});
