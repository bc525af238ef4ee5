#!/usr/bin/env node
// Rewrites the keys table of readme.md from the console's keymap (run after `npm run build`).
import {readFileSync, writeFileSync} from 'node:fs';
import {keysMarkdown} from '../dist/source/ui/state/keymap.js';

const text = readFileSync('readme.md', 'utf8');
const next = text.replace(
	/<!-- keys:start -->\n[\s\S]*?\n<!-- keys:end -->/,
	`<!-- keys:start -->\n${keysMarkdown()}\n<!-- keys:end -->`,
);
writeFileSync('readme.md', next);
console.log(next === text ? 'readme.md keys table already current' : 'readme.md keys table updated');
