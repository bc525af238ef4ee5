import test from 'ava';
import stringWidth from 'string-width';
import {fitText} from '../../source/lib/fit-text.js';
import {bar, sparkline, wrapLines} from '../../source/ui/text.js';

test('fit: safe for the terminal, cut by display width with an ellipsis, padded on request', t => {
	t.is(fitText('a\u001B[2Jb', 10), 'a␛[2Jb');
	t.is(fitText('日本語のファイル名.pdf', 8), '日本語…');
	t.true(stringWidth(fitText('日本語のファイル名.pdf', 8)) <= 8);
	t.is(fitText('7', 3, {pad: true, alignRight: true}), '  7');
	t.is(fitText('anything', 0), '');
});

test('bar and sparkline: fractions in eighths, scaled to the largest value', t => {
	t.is(bar(0.5, 4), '██  ');
	t.is(bar(2, 3), '███', 'clamped');
	t.is(bar(Number.NaN, 2), '  ');
	t.is(sparkline([0, 1, 2, 4]), ' ▂▄█');
});

test('wrapLines: at spaces, labelled lines continue under their text, prose at the margin, long words split', t => {
	t.deepEqual(wrapLines(['why       dead-lettered after a permanent failure'], 30), [
		'why       dead-lettered after',
		'          a permanent failure',
	]);
	t.deepEqual(wrapLines(['Plain prose that is longer than the width'], 20), [
		'Plain prose that is',
		'longer than the',
		'width',
	]);
	t.deepEqual(wrapLines(['x'.repeat(25)], 10), ['xxxxxxxxxx', 'xxxxxxxxxx', 'xxxxx']);
	t.deepEqual(wrapLines(['short'], 40), ['short']);
});
