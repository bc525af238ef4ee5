import {existsSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import test from 'ava';
import {ConversionError} from '../../source/worker/converter/conversion-error.js';
import {convertPdf} from '../../source/worker/converter/pdf-to-markdown.js';
import {cjkPdf, makePdf} from '../support/pdfs.js';
import {
	imageOnlyPdf,
	leftwardsPdf,
	interleavedColumnsPdf,
	linesPdf,
	runningHeaderPdf,
	realTablesPdf,
	structuredPdf,
	tablePdf,
	twoColumnPdf,
} from '../support/document-pdfs.js';

const corpus = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../shared/corpus');
const hasCorpus = existsSync(path.join(corpus, 'headings.pdf'));
const corpusTest = hasCorpus ? test : test.skip;

test('headings by font size, paragraphs, lists; running headers and page numbers dropped; images extracted; progress per page', async t => {
	const pages: number[] = [];
	const result = await convertPdf(await structuredPdf(), {onPage: done => pages.push(done)});
	t.deepEqual(pages, [1, 2, 3, 4]);
	t.is(result.pages, 4);
	const md = result.markdown;
	t.regex(md, /^# Annual Review$/m);
	t.regex(md, /^## Part 1 Overview$/m);
	t.regex(md, /^## Part 4 Overview$/m);
	t.regex(md, /^### Details$/m);
	t.regex(md, /^Body text on page 2 begins here and continues on a second line of the same paragraph\.$/m);
	t.regex(md, /^- First point of the list\n- Second point of the list$/m);
	t.regex(md, /^1\. Step one\n2\. Step two$/m);
	t.notRegex(md, /Running Header/, 'the header repeated on every page is dropped');
	t.notRegex(md, /^\d$/m, 'page numbers are dropped');
	t.is(result.images.length, 1);
	t.is(result.images[0]?.page, 2);
	t.deepEqual([...result.images[0]!.bytes.subarray(1, 4)].map(c => String.fromCharCode(c)).join(''), 'PNG');
	t.regex(
		md,
		/^2\. Step two\n\n!\[Image page2-image1\.png from page 2\]\(assets\/page2-image1\.png\)\n\n## Part 3 Overview$/m,
		'the image stands where it is on its page, not at the end',
	);
	t.deepEqual(result.scannedPages, []);
});

test('two columns keep their reading order', async t => {
	const {markdown} = await convertPdf(await twoColumnPdf());
	const order = ['LEFT START', 'left middle', 'LEFT END', 'RIGHT START', 'right middle', 'RIGHT END'].map(s =>
		markdown.indexOf(s),
	);
	t.true(order.every(i => i >= 0));
	t.deepEqual(
		order,
		[...order].sort((a, b) => a - b),
	);
});

test('a page with only an image is reported as scanned', async t => {
	const result = await convertPdf(await imageOnlyPdf());
	t.deepEqual(result.scannedPages, [1]);
	t.is(result.images.length, 1);
});

test('bad input fails with a clear, permanent reason', async t => {
	const good = await makePdf(['Hello']);
	const cases: Array<[string, Uint8Array, RegExp]> = [
		['empty', new Uint8Array(), /the file is empty/],
		['not a PDF', new TextEncoder().encode('hello, I am text'), /not a PDF/],
		['truncated', good.subarray(0, Math.floor(good.length / 3)), /not a valid PDF|damaged/],
	];
	for (const [name, data, message] of cases) {
		const error = await t.throwsAsync(convertPdf(data), undefined, name);
		t.true(error instanceof ConversionError && error.permanent, name);
		t.regex(error?.message ?? '', message, name);
	}
});

corpusTest('corpus: headings.pdf has its six headings in four levels, bullets and numbers', async t => {
	const {markdown} = await convertPdf(readFileSync(path.join(corpus, 'headings.pdf')));
	t.regex(markdown, /^# Corpus Heading Test Document$/m);
	t.regex(markdown, /^## Chapter One Introduction$/m);
	t.regex(markdown, /^## Chapter Two Results$/m);
	t.regex(markdown, /^### Section 1\.1 Background$/m);
	t.regex(markdown, /^### Section 1\.2 Procedure$/m);
	t.regex(markdown, /^#### Subsection 1\.1\.1 Details$/m);
	t.regex(markdown, /^- Alpha bullet item\n- Beta bullet item\n- Gamma bullet item$/m);
	t.regex(markdown, /^1\. First numbered step\n2\. Second numbered step\n3\. Third numbered step$/m);
	t.notRegex(markdown, /^#+ .*(quick brown|Background material)/m, 'no body sentence is a heading');
});

corpusTest('corpus: lorem.pdf keeps its code, italic and bold spans, and its bullet list stays a list', async t => {
	const {markdown} = await convertPdf(readFileSync(path.join(corpus, 'lorem.pdf')));
	t.regex(markdown, /Lorem markdownum `compression` dolore/);
	t.regex(markdown, /ut \*pacisci\* vincant/);
	t.regex(markdown, /formosior \*ab herbas ubi\* mihi \*\*nares placidos\*\* Threicio/);
	t.regex(markdown, /^- Quo ire tua sunt Phoebique pampineis aethera$/m, 'a one-glyph bullet font is no code');
	t.notRegex(markdown, /```/);
});

corpusTest(
	'corpus: long.pdf has 125 pages, 32 chapters, 31 sections, every page marker and no page numbers',
	async t => {
		const result = await convertPdf(readFileSync(path.join(corpus, 'long.pdf')));
		t.is(result.pages, 125);
		t.is((result.markdown.match(/^# Chapter \d+$/gm) ?? []).length, 32);
		t.is((result.markdown.match(/^## Section \d+\.2$/gm) ?? []).length, 31);
		t.is((result.markdown.match(/Page marker \d+ of 125\./g) ?? []).length, 125);
		t.notRegex(result.markdown, /^\d{1,3}$/m);
	},
);

corpusTest('corpus: two columns, table cells, images, scanned, unicode, encrypted', async t => {
	const read = async (name: string) => convertPdf(readFileSync(path.join(corpus, name)));
	const columns = (await read('two-column.pdf')).markdown;
	const marks = [
		'LEFT COLUMN START.',
		'Left column paragraph two',
		'LEFT COLUMN END.',
		'RIGHT COLUMN START.',
		'Right column paragraph two',
		'RIGHT COLUMN END.',
	].map(s => columns.indexOf(s));
	t.deepEqual(
		marks,
		[...marks].sort((a, b) => a - b),
	);
	t.false(marks.includes(-1));
	const table = (await read('table.pdf')).markdown;
	for (const row of [
		['Apples', '120', '135', '150', '405'],
		['Bananas', '80', '95', '70', '245'],
		['Cherries', '15', '40', '65', '120'],
		['Dates', '5', '7', '9', '21'],
	]) {
		const at = row.map(cell => table.indexOf(cell, table.indexOf(row[0]!)));
		t.false(at.includes(-1), row.join(' '));
		t.deepEqual(
			at,
			[...at].sort((a, b) => a - b),
			row.join(' '),
		);
	}
	const images = await read('images.pdf');
	t.deepEqual(
		images.images.map(i => [i.width, i.height]),
		[
			[480, 300],
			[400, 400],
		],
	);
	t.deepEqual((await read('scanned.pdf')).scannedPages, [1]);
	const unicode = (await read('unicode.pdf')).markdown.normalize('NFC');
	for (const s of [
		'Grüße aus Köln',
		'Café déjà vu',
		'Съешь же ещё',
		'Καλημέρα κόσμε',
		'你好世界',
		'こんにちは世界',
		'€ £ ¥ © ® ™',
	])
		t.true(unicode.includes(s), s);
	const encrypted = await t.throwsAsync(read('encrypted.pdf'));
	t.regex(encrypted?.message ?? '', /encrypted and needs a password/);
	t.regex((await read('encrypted-owner-only.pdf')).markdown, /^## Chapter One Introduction$/m);
});

test('headings and body lines repeated on every page are kept; only margin lines repeat as headers', async t => {
	const {PDFDocument, StandardFonts} = await import('pdf-lib');
	const document = await PDFDocument.create({updateMetadata: false});
	const font = await document.embedFont(StandardFonts.Helvetica);
	const bold = await document.embedFont(StandardFonts.HelveticaBold);
	for (let p = 1; p <= 3; p++) {
		const page = document.addPage([612, 792]);
		page.drawText(`Chapter ${p}`, {x: 72, y: 650, size: 22, font: bold});
		page.drawText('The same sentence on every page.', {x: 72, y: 620, size: 11, font});
		page.drawText('• A bullet that repeats', {x: 90, y: 600, size: 11, font});
	}
	const {markdown} = await convertPdf(await document.save());
	t.is((markdown.match(/^# Chapter \d$/gm) ?? []).length, 3);
	t.is((markdown.match(/The same sentence on every page\./g) ?? []).length, 3);
	t.is((markdown.match(/^- A bullet that repeats$/gm) ?? []).length, 3);
});

const body = (text: string, gap?: number) => ({runs: [{text, size: 11}], ...(gap ? {gap} : {})});

test('a line of body text with one larger glyph, or without words, is no heading; a title on two lines is one', async t => {
	const md = (
		await convertPdf(
			await linesPdf([
				{runs: [{text: 'Row and Column Access Control', size: 24, bold: true}]},
				{runs: [{text: 'Support in IBM DB2 for i', size: 24, bold: true}]},
				body('Plain body text that carries the most characters of the page, line one.', 14),
				body('Plain body text that carries the most characters of the page, line two.'),
				{
					runs: [
						{text: 'X', size: 16},
						{text: 'tra large first letter, then a body line of text.', size: 11},
					],
				},
				{runs: [{text: '[ ] [ ]', size: 16}]},
				body('Closing body text of the page, once more for the statistics.'),
			]),
		)
	).markdown;
	t.regex(md, /^# Row and Column Access Control Support in IBM DB2 for i$/m, 'one heading of two lines');
	t.notRegex(md, /^#+ X/m, 'a drop cap does not make a heading');
	t.notRegex(md, /^#+ \[/m, 'a line without words is no heading');
	t.is(md.match(/^#/gm)?.length, 1);
});

test('sizes past the sixth are headings too; a numbered section title at body size is a heading', async t => {
	const sizes = [30, 27, 24, 21, 19, 17, 15, 13];
	const md = (
		await convertPdf(
			await linesPdf([
				...sizes.flatMap(size => [
					{runs: [{text: `Title at ${size} points`, size}], gap: 4},
					body(`The text under the title set at ${size} points goes here.`),
				]),
				body('Body text of the document, long enough to be the body size of the page.', 8),
				body('More body text of the document, long enough to be the body size of it.'),
				{runs: [{text: '5.1 Hyper Parameter Optimization', size: 11, bold: true}], gap: 10},
				body('The text of section 5.1 follows here, as a paragraph of its own below it.'),
				body('1.2 is a number that starts this body line, which goes on and ends.'),
			]),
		)
	).markdown;
	t.regex(md, /^#{6} Title at 13 points$/m, 'the eighth size is still a heading, at level 6');
	t.regex(md, /^# Title at 30 points$/m);
	t.regex(md, /^## 5\.1 Hyper Parameter Optimization$/m);
	t.notRegex(md, /^#+ 1\.2 is a number/m, 'a number starting a running line is no heading');
});

test('large lines with no text between: a cover keeps its title; a syntax diagram and a box of lines are no headings', async t => {
	const md = (
		await convertPdf(
			await linesPdf([
				{runs: [{text: 'ibm.com/redbooks', size: 12}]},
				{runs: [{text: 'Front cover', size: 16}], gap: 6},
				{runs: [{text: 'Access Control in Practice', size: 26}], gap: 10},
				{runs: [{text: 'Jane Doe, John Roe', size: 14}], gap: 10},
				{runs: [{text: 'Implement roles', size: 13}], gap: 10},
				body('Body text of the document, long enough to be the body size of the page.', 20),
				body('More body text of the document, long enough to be the body size of it.'),
				{runs: [{text: 'CREATE PERMISSION <permission name>', size: 13}], gap: 10},
				body('Names the row permission.'),
				{runs: [{text: 'ON <table name>', size: 13}], gap: 6},
				body('Identifies the table.'),
				{runs: [{text: 'AS <correlation name>', size: 13}], gap: 6},
				body('An optional correlation name.'),
				{runs: [{text: 'DISABLE;', size: 13}], gap: 6},
				body('The rule starts disabled, and the body goes on for a while here.'),
				{runs: [{text: 'Fast to set up', size: 13}], gap: 10},
				{runs: [{text: 'Cheap to run', size: 13}], gap: 6},
				{runs: [{text: 'Safe to stop', size: 13}], gap: 6},
				body('And the body text follows the box of three lines in the same size.', 10),
			]),
		)
	).markdown;
	t.regex(md, /^# Access Control in Practice$/m, 'the cover keeps its title');
	for (const text of [
		'Front cover',
		'Jane Doe',
		'Implement roles',
		'CREATE PERMISSION',
		'DISABLE;',
		'Fast to set up',
		'Safe',
	])
		t.notRegex(md, new RegExp(`^#+ ${text}`, 'm'), `${text} is no heading`);
	t.regex(md, /CREATE PERMISSION <permission name>/);
});

test('a word broken at a line end is joined; a wrapped line starting with * keeps it; "- " is a list item', async t => {
	const md = (
		await convertPdf(
			await linesPdf([
				body('The measured ef-'),
				body('fects of the change were small, and the Reed-'),
				body('Solomon code held up.'),
				body('Users need the special authorities', 14),
				body('*ALLOBJ and *SECADM to change it.'),
				body('- an item of a dashed list', 14),
				body('- another item of that list'),
			]),
		)
	).markdown;
	t.regex(md, /The measured effects of the change/);
	t.regex(md, /the Reed-Solomon code/, 'a hyphen before a capital stays');
	t.regex(md, /authorities \*ALLOBJ and \*SECADM/, 'the asterisk is text');
	t.regex(md, /^- an item of a dashed list\n- another item of that list$/m);
});

test('a table without ruling lines becomes a GFM table: empty cells kept, wrapped cells joined, text around it kept', async t => {
	const md = (
		await convertPdf(
			await tablePdf(
				[
					['Column name', 'Data type', 'Description'],
					['FUNCTION_ID', 'VARCHAR(30)', 'ID of the function.'],
					['USER_NAME', 'VARCHAR(10)', ['Name of the user profile that', 'has a usage setting.']],
					['USAGE', '', 'Usage setting.'],
					['USER_TYPE', 'VARCHAR(5)', 'Type of user profile.'],
				],
				{columns: [72, 200, 320]},
			),
		)
	).markdown;
	t.regex(md, /^The paragraph before the table says what it holds\.$/m);
	t.regex(
		md,
		new RegExp(
			[
				'^\\| Column name \\| Data type \\| Description \\|',
				'\\| - \\| - \\| - \\|',
				'\\| FUNCTION_ID \\| VARCHAR\\(30\\) \\| ID of the function\\. \\|',
				'\\| USER_NAME \\| VARCHAR\\(10\\) \\| Name of the user profile that has a usage setting\\. \\|',
				'\\| USAGE \\|  \\| Usage setting\\. \\|',
				'\\| USER_TYPE \\| VARCHAR\\(5\\) \\| Type of user profile\\. \\|$',
			].join('\n'),
			'm',
		),
	);
	t.regex(md, /^The paragraph after the table goes on with the text\.$/m);
});

test('a grid of marks: a cell of a row left empty stays empty; a wrapped first cell continues its row', async t => {
	const md = (
		await convertPdf(
			await tablePdf(
				[
					['User action', '*JOBCTL', 'SECADM', 'SQLADM'],
					['SET CURRENT DEGREE', 'X', '', 'X'],
					[['STRDBMON commands targeting', 'a different job'], 'X', '', 'X'],
					['Visual Explain', 'X', 'X', ''],
				],
				{columns: [72, 300, 380, 460]},
			),
		)
	).markdown;
	t.regex(md, /^\| SET CURRENT DEGREE \| X \| {2}\| X \|$/m);
	t.regex(md, /^\| STRDBMON commands targeting a different job \| X \| {2}\| X \|$/m);
	t.regex(md, /^\| Visual Explain \| X \| X \| {2}\|$/m);
});

test('two columns of prose drawn line by line across the page are no table', async t => {
	const md = (await convertPdf(await interleavedColumnsPdf())).markdown;
	t.notRegex(md, /^\|/m);
	t.regex(md, /left column runs on for a while 0/);
});

test('tables as documents set them: upright headers, header lines above, a narrow grid, contents; lists, prose, code stay', async t => {
	const md = (await convertPdf(await realTablesPdf())).markdown;
	t.regex(
		md,
		new RegExp(
			[
				String.raw`^\| User action \| \*JOBCTL \| QIBM_DB_SECADM \| QIBM_DB_SQLADM \| No Authority \|`,
				String.raw`\| - \| - \| - \| - \| - \|`,
				String.raw`\| SET CURRENT DEGREE \| X \|  \| X \|  \|$`,
			].join('\n'),
			'm',
		),
		'upright header cells over their columns, the empty one kept',
	);
	t.regex(md, /^\| # layers \| Language \| TEDs simple \|\n\| - \| - \| - \|\n\| 6 \| OTSL \| 0\.965 \|$/m);
	t.regex(
		md,
		/^\| Fruit \| Q1 \| Q2 \| Total \|\n\| - \| - \| - \| - \|\n\| Apples \| 120 \| 135 \| 255 \|$/m,
		'a narrow grid',
	);
	t.regex(
		md,
		/^\| Notices (\. )+\. \| vii \|\n\| - \| - \|\n\| 1\.1 Security fundamentals (\. )+\. \| 2 \|$/m,
		'contents',
	);
	t.regex(md, /^- Alpha bullet item\n- Beta bullet item\n- Gamma bullet item$/m, 'a list, not a table of bullets');
	t.regex(
		md,
		/long enough to be a line of prose, and it ends\.\n\n\| Name \| Type \|$/m,
		"a paragraph's last line is no header",
	);
	t.regex(md, /^Listing 1: A small program\n\nlet total = 0/m, 'a listing is no table');
});

test('a dingbat bullet that comes out as a letter makes a list on two lines or more; a lone one is text', async t => {
	const md = (
		await convertPdf(
			await linesPdf([
				body('Our services include the following, for every customer we have:'),
				body('r Database performance and scalability', 8),
				body('r Advanced SQL knowledge and skills transfer'),
				body('r Business intelligence and analytics'),
				body('The paragraph after the list is plain text, as it should be here.', 14),
				body('n Grams is what this line measures, and nothing else in it.', 14),
			]),
		)
	).markdown;
	t.regex(
		md,
		/^- Database performance and scalability\n- Advanced SQL knowledge and skills transfer\n- Business intelligence and analytics$/m,
	);
	t.regex(md, /^n Grams is what this line measures/m, 'one such line alone is no item');
});

test('Japanese text in a font that is not embedded reads through its predefined CMap', async t => {
	const {markdown} = await convertPdf(cjkPdf('日本語のテキスト'));
	t.is(markdown.trim(), '日本語のテキスト');
});

test('a running header of a two-page document is dropped; a line in the margin of one page stays', async t => {
	const {markdown} = await convertPdf(
		await makePdf(['Body text of the page, long enough to be the body size.'], {pages: 2}),
	);
	t.regex(markdown, /Body text of the page/);
	const twoPages = await runningHeaderPdf(2);
	const md = (await convertPdf(twoPages)).markdown;
	t.notRegex(md, /Quarterly Report Running Header/);
	t.regex(md, /Page one body text/);
	t.regex(md, /Only on page two, at the top/);
});

test('words set right to left, each to the left of the one before, keep their gaps', async t => {
	const {markdown} = await convertPdf(await leftwardsPdf(['first', 'second', 'third', 'fourth']));
	t.is(markdown.trim(), 'first second third fourth');
});

test('an item set further right than the one above is nested in it; back left, it is not', async t => {
	const at = (text: string, x: number, gap = 0) => ({runs: [{text, size: 11}], gap, x});
	const md = (
		await convertPdf(
			await linesPdf([
				body('The plan has these parts, each with its own steps:'),
				at('• Prepare the ground', 80, 8),
				at('– Clear the stones', 100),
				at('– Dig the beds', 100),
				at('1. First the north bed', 120),
				at('• Plant the seeds', 80),
			]),
		)
	).markdown;
	t.regex(
		md,
		/^- Prepare the ground\n {2}- Clear the stones\n {2}- Dig the beds\n {4}1\. First the north bed\n- Plant the seeds$/m,
	);
});
