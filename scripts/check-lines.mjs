#!/usr/bin/env node
// Part of `npm run lint`: no source line wider than a reviewer can read. Biome wraps code at 120
// columns but leaves long strings and comments alone; this catches those (a tab counts 2).
import {execFileSync} from 'node:child_process';
import {readFileSync} from 'node:fs';

const limit = 150;
const files = execFileSync(
	'git',
	['ls-files', '--cached', '--others', '--exclude-standard', 'source', 'tests', 'bench', 'scripts'],
	{
		encoding: 'utf8',
	},
)
	.split('\n')
	.filter(file => /\.(ts|tsx|mjs|sh)$/.test(file));
const wide = [];
for (const file of files) {
	let text;
	try {
		text = readFileSync(file, 'utf8');
	} catch {
		continue; // deleted in the work tree
	}
	for (const [index, line] of text.split('\n').entries()) {
		const width = line.replaceAll('\t', '  ').length;
		if (width > limit) wide.push(`${file}:${index + 1}: ${width} columns`);
	}
}
if (wide.length > 0) {
	console.error(`${wide.length} line(s) wider than ${limit} columns:\n${wide.join('\n')}`);
	process.exit(1);
}
