import {readFile} from 'node:fs/promises';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import test from 'ava';
import {commandFor, footerEntries, helpLines, keymap, keysMarkdown, keysOf} from '../../source/ui/state/keymap.js';

const readme = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../readme.md');
const noKey = {
	upArrow: false,
	downArrow: false,
	leftArrow: false,
	rightArrow: false,
	pageUp: false,
	pageDown: false,
	home: false,
	end: false,
	return: false,
	escape: false,
	ctrl: false,
	shift: false,
	tab: false,
	backspace: false,
	delete: false,
};

test('the keys table in readme.md is the keymap (node scripts/update-readme-keys.mjs rewrites it)', async t => {
	const text = await readFile(readme, 'utf8');
	const block = /<!-- keys:start -->\n([\s\S]*?)\n<!-- keys:end -->/.exec(text);
	t.truthy(block, 'readme.md has the keys markers');
	t.is(block?.[1], keysMarkdown());
});

test('no key is bound twice; the help screen and the footer come from the same table', t => {
	const all = keymap.flatMap(b => b.keys);
	t.is(new Set(all).size, all.length);
	for (const binding of keymap) t.is(commandFor(binding.keys[0]!), binding.command);
	// The six pane keys share one line, as do n and N.
	t.is(helpLines().length, keymap.length - 6 + 4, 'a heading per category and a line per binding');
	t.true(helpLines().some(line => /1…6\s+Active, Queue, Failed, Dead, Done, Workers/.test(line)));
	t.true(helpLines().some(line => /n N\s+next, previous match/.test(line)));
	t.deepEqual(
		footerEntries()
			.map(e => e.label)
			.slice(0, 2),
		['help', 'pane'],
	);
	t.is(footerEntries().at(-1)?.label, 'quit');
});

test('key events: a burst of characters is one key each; control characters in a burst are their keys', t => {
	t.deepEqual(keysOf('jjj', noKey), ['j', 'j', 'j']);
	t.deepEqual(keysOf('ab\r', noKey), ['a', 'b', 'enter']);
	t.deepEqual(keysOf(' ', noKey), ['space']);
	t.deepEqual(keysOf('c', {...noKey, ctrl: true}), ['ctrl-c']);
	t.deepEqual(keysOf('', {...noKey, tab: true, shift: true}), ['shift-tab']);
	t.deepEqual(keysOf('\u0001x', noKey), ['x'], 'other control characters are dropped');
});
