#!/usr/bin/env node
// A stand-in external converter: prints page progress, waits, writes content.md.
// Arguments: input output seconds [fail]
import {mkdir, readFile, writeFile} from 'node:fs/promises';
import path from 'node:path';
const [input, output, seconds = '0', mode = ''] = process.argv.slice(2);
const size = (await readFile(input)).byteLength;
const steps = 10;
for (let page = 1; page <= steps; page++) {
	process.stdout.write(`page ${page}/${steps}\n`);
	await new Promise(resolve => setTimeout(resolve, (Number(seconds) * 1000) / steps));
}
if (mode === 'fail') {
	process.stderr.write('fake converter: giving up\n');
	process.exit(3);
}
await mkdir(output, {recursive: true});
await writeFile(path.join(output, 'content.md'), `# Converted by the fake converter\n\nInput of ${size} bytes.\n`);
