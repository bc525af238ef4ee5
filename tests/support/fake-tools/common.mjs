// Shared by the stand-in converters: the arguments they were given are appended to
// $FAKE_TOOL_ARGS_LOG, and $FAKE_TOOL_MODE makes them misbehave (missing-image, fail, slow).
import {appendFileSync, mkdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';

export const mode = process.env.FAKE_TOOL_MODE ?? '';

export function logArgs(tool) {
	if (process.env.FAKE_TOOL_ARGS_LOG)
		appendFileSync(process.env.FAKE_TOOL_ARGS_LOG, `${JSON.stringify([tool, ...process.argv.slice(2)])}\n`);
}

export function option(name) {
	const args = process.argv.slice(2);
	const at = args.indexOf(name);
	return at >= 0 ? args[at + 1] : undefined;
}

export function stemOf(input) {
	return path.basename(input).replace(/\.pdf$/i, '');
}

export function write(file, body) {
	mkdirSync(path.dirname(file), {recursive: true});
	writeFileSync(file, body);
}

// A 1×1 PNG and a tiny JPEG-looking blob: the converters copy bytes, they do not decode them.
export const png = Buffer.from(
	'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
	'base64',
);
export const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0xff, 0xd9]);

export async function maybeMisbehave() {
	if (mode === 'fail') {
		process.stderr.write('Traceback (most recent call last):\n  RuntimeError: CUDA out of memory\n');
		process.exit(1);
	}
	if (mode === 'slow') await new Promise(resolve => setTimeout(resolve, 60_000));
}
