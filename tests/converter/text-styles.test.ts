/**
Bold, italic and code from the fonts text is set in: spans in paragraphs and list items, headings
set at body size (a bold line standing alone, a run-in italic title), code listings as fenced
blocks; and how the fonts behind pdf.js's ids are learnt (the file's scan, else an operator list).
*/
import test from 'ava';
import {identity, readContent} from '../../source/worker/converter/content-stream.js';
import {convertPdf} from '../../source/worker/converter/pdf-to-markdown.js';
import {bold, FontStyles, fixedPitch, italic, mono, styleOfFont} from '../../source/worker/converter/text-styles.js';
import {linesPdf, type Run} from '../support/document-pdfs.js';

const body = (text: string, style: Partial<Run> = {}): Run => ({text, size: 11, ...style});

test('bold, italic and monospaced runs become **, * and ` spans, inside a line and across a wrapped one', async t => {
	const {markdown} = await convertPdf(
		await linesPdf([
			{runs: [body('Styles Report', {size: 20, bold: true})]},
			{
				runs: [body('The value is'), body('critical', {bold: true}), body('for the'), body('whole', {italic: true})],
				gap: 10,
			},
			{
				runs: [
					body('plant; run'),
					body('make all', {mono: true}),
					body('to build it and see'),
					body('the first', {bold: true}),
				],
			},
			{runs: [body('line and the second', {bold: true}), body('of the report.')]},
			{runs: [body('- An item with a'), body('bold word', {bold: true}), body('in it')], gap: 12},
			{runs: [body('Give the user'), body('*ALLOBJ', {bold: true}), body('authority.')], gap: 12},
		]),
	);
	t.regex(markdown, /^# Styles Report$/m);
	t.regex(
		markdown,
		new RegExp(
			'^The value is \\*\\*critical\\*\\* for the \\*whole\\* plant; run `make all` to build it and see ' +
				'\\*\\*the first line and the second\\*\\* of the report\\.$',
			'm',
		),
		'one bold run across the line break',
	);
	t.regex(markdown, /^- An item with a \*\*bold word\*\* in it$/m);
	t.regex(markdown, /^Give the user \*\*\\\*ALLOBJ\*\* authority\.$/m, 'an asterisk inside emphasis is escaped');
});

test('a bold line alone at body size and a run-in italic title are headings; a bold name opening its sentence is not', async t => {
	const {markdown} = await convertPdf(
		await linesPdf([
			{runs: [body('Annual Plant Report', {size: 20, bold: true})]},
			{runs: [body('The opening paragraph of the report sets out what follows.')], gap: 10},
			{runs: [body('Method Overview', {bold: true})], gap: 14},
			{runs: [body('The method is described here in one line of body text.')]},
			{
				runs: [body('Elastic Stop Nut', {italic: true}), body('The elastic stop nut is a standard nut with a collar.')],
				gap: 14,
			},
			{runs: [body('Jim Smith', {bold: true}), body('is a consultant who wrote the second part of it.')], gap: 14},
		]),
	);
	t.regex(markdown, /^## Method Overview\n\nThe method is described here/m);
	t.regex(markdown, /^## Elastic Stop Nut\n\nThe elastic stop nut is a standard nut/m);
	t.regex(markdown, /^\*\*Jim Smith\*\* is a consultant/m);
	t.notRegex(markdown, /^#+ Jim Smith/m);
});

test('lines set wholly in a monospaced font are a fenced code block, indents kept', async t => {
	const {markdown} = await convertPdf(
		await linesPdf([
			{runs: [body('The listing below prints a greeting.')]},
			{runs: [body('def greet(name):', {mono: true, size: 10})], gap: 10},
			{runs: [body('print("hi", name)', {mono: true, size: 10})], x: 72 + 4 * 6},
			{runs: [body('greet("you")', {mono: true, size: 10})]},
			{runs: [body('The text goes on after the listing.')], gap: 10},
		]),
	);
	t.regex(markdown, /^```\ndef greet\(name\):\n {4}print\("hi", name\)\ngreet\("you"\)\n```$/m);
	t.regex(markdown, /^The text goes on after the listing\.$/m);
});

test('font names: weight and slant words, fixed pitch (if the widths agree); a subset prefix is not part of the name', t => {
	t.is(styleOfFont('ABCDEF+Arial-BoldMT', false), bold);
	t.is(styleOfFont('Times-BoldItalic', false), bold | italic);
	t.is(styleOfFont('MinionPro-It', false), italic);
	t.is(styleOfFont('CMTT10', false), mono);
	t.is(styleOfFont('Helvetica', true), mono);
	t.is(styleOfFont('TimesNewRomanPSMT', false), 0);
	// A fixed-pitch flag holds only where the widths agree (a proportional subset may carry it).
	t.true(fixedPitch(true, [600, 600, 0, 600]));
	t.true(fixedPitch(true, undefined), 'a standard font without widths: the flag');
	t.false(fixedPitch(true, [500, 278, 611]));
	t.false(fixedPitch(true, [0, 500, 0]), 'one glyph is no evidence');
	t.false(fixedPitch(false, [600, 600]));
});

/** A stand-in for a pdf.js page: its operator list "sends" fonts by id. */
function page(fonts: Record<string, string>) {
	let lists = 0;
	return {
		get lists() {
			return lists;
		},
		async getOperatorList() {
			lists++;
		},
		commonObjs: {has: (id: string) => id in fonts, get: (id: string) => ({name: fonts[id], isMonospace: false})},
	};
}

test('font ids are learnt from the scan when its fonts line up with the items, else from an operator list', async t => {
	const scanned = new Map([
		['1 0 R', 0],
		['2 0 R', bold],
	]);
	const styles = new FontStyles(scanned);
	const items = (...ids: string[]) => ids.map(fontName => ({fontName, str: 'word'}));
	const first = page({});
	// Items in f1 f2 f1 (twice f2 in a row is one run) against the scan's runs 1 2 1: they line up.
	await styles.learn(
		first,
		[...items('f1', 'f2', 'f2', 'f1'), {fontName: 'f2', str: ' '}],
		['1 0 R', '2 0 R', '1 0 R'],
	);
	t.is(first.lists, 0, 'no operator list');
	t.is(styles.of('f2'), bold);
	t.is(styles.of('f1'), 0);
	// A page whose runs do not line up, with a font no page voted for: its operator list names it.
	const second = page({f3: 'Courier-Oblique'});
	await styles.learn(second, items('f1', 'f3', 'f1'), ['1 0 R']);
	t.is(second.lists, 1);
	t.is(styles.of('f3'), italic | mono);
	const third = page({});
	await styles.learn(third, items('f3', 'f2'), undefined);
	t.is(third.lists, 0, 'every id known already');
});

test('the content reader keeps the font in the graphics state (q, Q) and hands over each string shown, escapes undone', t => {
	const shown: Array<[string | undefined, string]> = [];
	const stream = "/F1 12 Tf (a) Tj q /F2 9 Tf [(b) -250 (c)] TJ Q (d) Tj <2020> Tj (\\(e\\)) ' /F9 1 Tf (f) Tj";
	readContent(
		Buffer.from(stream, 'latin1'),
		{ctm: identity},
		{
			font: name => (name === 'F9' ? undefined : `font ${name}`),
			text: (font, strings) => shown.push([font, strings.map(s => Buffer.from(s).toString('latin1')).join('|')]),
		},
	);
	t.deepEqual(shown, [
		['font F1', 'a'],
		['font F2', 'b|c'],
		['font F1', 'd'],
		['font F1', '  '],
		['font F1', '(e)'],
		[undefined, 'f'],
	]);
});
