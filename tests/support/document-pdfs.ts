/** Generated PDFs with structure (headings by size, lists, footers, columns, images) for converter tests. */
import {degrees, PDFDocument, StandardFonts, rgb} from 'pdf-lib';
import {encodePng} from '../../source/worker/converter/png.js';

export async function structuredPdf(): Promise<Uint8Array> {
	const document = await PDFDocument.create({updateMetadata: false});
	const regular = await document.embedFont(StandardFonts.TimesRoman);
	const bold = await document.embedFont(StandardFonts.TimesRomanBold);
	const pixels = new Uint8Array(40 * 30 * 3).map((_, i) => (i % 3 === 0 ? 200 : 60));
	const image = await document.embedPng(encodePng(40, 30, 3, pixels));
	for (let p = 1; p <= 4; p++) {
		const page = document.addPage([612, 792]);
		let y = 720;
		const text = (s: string, size: number, font = regular, x = 72) => {
			page.drawText(s, {x, y, size, font, color: rgb(0, 0, 0)});
			y -= size * 1.3;
		};
		page.drawText('Quarterly Report Running Header', {x: 72, y: 760, size: 9, font: regular});
		if (p === 1) {
			text('Annual Review', 26, bold);
			y -= 10;
		}
		text(`Part ${p} Overview`, 18, bold);
		y -= 6;
		text(`Body text on page ${p} begins here and continues`, 11);
		text('on a second line of the same paragraph.', 11);
		y -= 12;
		text('Details', 14, bold);
		text('• First point of the list', 11, regular, 90);
		text('• Second point of the list', 11, regular, 90);
		text('1. Step one', 11, regular, 90);
		text('2. Step two', 11, regular, 90);
		if (p === 2) page.drawImage(image, {x: 72, y: 300, width: 80, height: 60});
		page.drawText(String(p), {x: 300, y: 40, size: 9, font: regular});
	}
	return document.save();
}

export async function twoColumnPdf(): Promise<Uint8Array> {
	const document = await PDFDocument.create({updateMetadata: false});
	const font = await document.embedFont(StandardFonts.Helvetica);
	const page = document.addPage([612, 792]);
	const column = (x: number, lines: string[]) => {
		for (const [i, line] of lines.entries()) page.drawText(line, {x, y: 700 - i * 14, size: 11, font});
	};
	column(72, ['LEFT START of the column.', 'left middle text goes here', 'LEFT END of the column.']);
	column(330, ['RIGHT START of the column.', 'right middle text goes here', 'RIGHT END of the column.']);
	return document.save();
}

export async function imageOnlyPdf(): Promise<Uint8Array> {
	const document = await PDFDocument.create({updateMetadata: false});
	const gray = new Uint8Array(64 * 64).map((_, i) => (i % 7) * 30);
	const image = await document.embedPng(encodePng(64, 64, 1, gray));
	document.addPage([300, 300]).drawImage(image, {x: 10, y: 10, width: 200, height: 200});
	return document.save();
}

/** One text run of a line: its text, size and font, drawn after the previous run of the same line. */
export type Run = {text: string; size: number; bold?: boolean; italic?: boolean; mono?: boolean};

/**
A page of lines, each a list of runs drawn side by side; `gap` adds room above a line. For tests of
the converter's reading of sizes, numbering, hyphenation and lists.
*/
export async function linesPdf(lines: Array<{runs: Run[]; gap?: number; x?: number}>): Promise<Uint8Array> {
	const document = await PDFDocument.create({updateMetadata: false});
	const regular = await document.embedFont(StandardFonts.Helvetica);
	const bold = await document.embedFont(StandardFonts.HelveticaBold);
	const italic = await document.embedFont(StandardFonts.HelveticaOblique);
	const mono = await document.embedFont(StandardFonts.Courier);
	const page = document.addPage([612, 792]);
	let y = 720;
	for (const line of lines) {
		y -= line.gap ?? 0;
		let x = line.x ?? 72;
		const height = Math.max(...line.runs.map(r => r.size));
		for (const run of line.runs) {
			const font = run.mono ? mono : run.bold ? bold : run.italic ? italic : regular;
			page.drawText(run.text, {x, y, size: run.size, font, color: rgb(0, 0, 0)});
			x += font.widthOfTextAtSize(run.text, run.size) + 3;
		}
		y -= height * 1.25;
	}
	return document.save();
}

/** A table cell: its lines (a wrapped cell has several). */
export type TableCell = string | string[];

/**
A page with a paragraph, a caption, a table drawn cell by cell (no ruling lines: columns at `columns`
x positions, rows `rowGap` apart, wrapped cells line by line), then a paragraph after it. With
`interleaved`, two columns of prose drawn line by line across the page instead (left, right, left, …):
lines at one height in two columns, which must not become a table.
*/
export async function tablePdf(
	rows: TableCell[][],
	options: {columns: number[]; size?: number; rowGap?: number} = {columns: [72, 250, 400]},
): Promise<Uint8Array> {
	const document = await PDFDocument.create({updateMetadata: false});
	const font = await document.embedFont(StandardFonts.Helvetica);
	const bold = await document.embedFont(StandardFonts.HelveticaBold);
	const page = document.addPage([612, 792]);
	const size = options.size ?? 10;
	let y = 720;
	page.drawText('The paragraph before the table says what it holds.', {x: 72, y, size: 11, font});
	y -= 30;
	page.drawText('Table 2-1 Function usage', {x: 72, y, size: 11, font: bold});
	y -= 24;
	for (const [r, row] of rows.entries()) {
		const height = Math.max(...row.map(cell => (Array.isArray(cell) ? cell.length : 1)));
		for (const [c, cell] of row.entries()) {
			const cellLines = Array.isArray(cell) ? cell : [cell];
			for (const [l, text] of cellLines.entries())
				if (text)
					page.drawText(text, {x: options.columns[c]!, y: y - l * size * 1.2, size, font: r === 0 ? bold : font});
		}
		y -= height * size * 1.2 + (options.rowGap ?? 6);
	}
	y -= 20;
	page.drawText('The paragraph after the table goes on with the text.', {x: 72, y, size: 11, font});
	return document.save();
}

/** Two columns of prose drawn across the page line by line: each line of the content stream holds both. */
export async function interleavedColumnsPdf(): Promise<Uint8Array> {
	const document = await PDFDocument.create({updateMetadata: false});
	const font = await document.embedFont(StandardFonts.Helvetica);
	const page = document.addPage([612, 792]);
	const left = 'Prose in the left column runs on for a while';
	const right = 'and prose in the right column runs on as well';
	for (let i = 0; i < 8; i++) {
		page.drawText(`${left} ${i}`, {x: 72, y: 700 - i * 13, size: 10, font});
		page.drawText(`${right} ${i}`, {x: 320, y: 700 - i * 13, size: 10, font});
	}
	return document.save();
}

/**
Tables as real documents set them: header cells turned upright over a grid of marks (one column of
which is empty), header cells on lines of their own above the first row, a narrow grid (cells 0.7 em
apart, as a bordered table's padding), a contents page with dot leaders, a bulleted list with its
marks apart from the text, and a paragraph whose last line is short right above a table.
*/
export async function realTablesPdf(): Promise<Uint8Array> {
	const document = await PDFDocument.create({updateMetadata: false});
	const font = await document.embedFont(StandardFonts.Helvetica);
	const size = 9;
	const at = (page: ReturnType<typeof document.addPage>, text: string, x: number, y: number, rotate = 0) =>
		page.drawText(text, {x, y, size, font, ...(rotate ? {rotate: degrees(rotate)} : {})});
	// Page 1: upright header cells over marks; the SECADM column has no mark at all.
	const grid = document.addPage([612, 792]);
	at(grid, 'User action', 72, 600);
	for (const [i, header] of ['*JOBCTL', 'QIBM_DB_SECADM', 'QIBM_DB_SQLADM', 'No Authority'].entries())
		at(grid, header, 320 + i * 50, 600, 90);
	const marks = [
		['SET CURRENT DEGREE', 'X', '', 'X', ''],
		['CHGQRYA command', 'X', '', 'X', 'X'],
		['Visual Explain', 'X', '', '', 'X'],
	];
	for (const [r, row] of marks.entries())
		for (const [c, cell] of row.entries()) if (cell) at(grid, cell, c === 0 ? 72 : 270 + c * 50, 580 - r * 16);
	// Page 2: header cells on lines of their own (drawn one by one), then rows of values.
	const values = document.addPage([612, 792]);
	at(values, 'Results are presented in the table below, for each size of the model.', 72, 700);
	at(values, '#', 80, 660);
	at(values, 'layers', 72, 649);
	at(values, 'Language', 140, 655);
	at(values, 'TEDs', 220, 660);
	at(values, 'simple', 210, 649);
	const data = [
		['6', 'OTSL', '0.965'],
		['4', 'OTSL', '0.938'],
		['2', 'HTML', '0.923'],
	];
	for (const [r, row] of data.entries())
		for (const [c, cell] of row.entries()) at(values, cell, [80, 140, 212][c]!, 630 - r * 14);
	// Page 3: a narrow grid, 0.7 em between cells.
	const narrow = document.addPage([612, 792]);
	const cells = [
		['Fruit', 'Q1', 'Q2', 'Total'],
		['Apples', '120', '135', '255'],
		['Bananas', '80', '95', '175'],
		['Dates', '5', '7', '12'],
	];
	// Bananas ends at 107, 135 at 155, 175 at 180: gaps of 0.9, 0.6 and 1.1 em.
	for (const [r, row] of cells.entries())
		for (const [c, cell] of row.entries()) at(narrow, cell, [72, 115, 140, 165][c]!, 700 - r * 14);
	// Page 4: contents with dot leaders; a bulleted list with its marks apart; a short last line above a table.
	const contents = document.addPage([612, 792]);
	for (const [i, [title, pageNumber]] of [
		['Notices', 'vii'],
		['1.1 Security fundamentals', '2'],
		['1.2 Current state of security', '12'],
	].entries())
		at(contents, `${title} ${'. '.repeat(30)}${pageNumber}`, 72, 700 - i * 14);
	for (const [i, item] of ['Alpha bullet item', 'Beta bullet item', 'Gamma bullet item'].entries()) {
		at(contents, '•', 80, 600 - i * 14);
		at(contents, item, 100, 600 - i * 14);
	}
	at(contents, 'A paragraph runs on here for a while, long enough to be a line of prose, and it', 72, 520);
	at(contents, 'ends.', 72, 509);
	for (const [r, row] of [
		['Name', 'Type'],
		['ID', 'INTEGER'],
		['NAME', 'VARCHAR(30)'],
	].entries())
		for (const [c, cell] of row.entries()) at(contents, cell, [72, 200][c]!, 490 - r * 14);
	// Page 5: a code listing, whose tokens line up in columns as cells do.
	const listing = document.addPage([612, 792]);
	at(listing, 'Listing 1: A small program', 72, 700);
	for (const [r, tokens] of [
		['let', 'total', '=', '0'],
		['for', 'item', 'of', 'items'],
		['add', 'item', 'to', 'total'],
	].entries())
		for (const [c, token] of tokens.entries()) at(listing, token, 72 + c * 40, 680 - r * 12);
	return document.save();
}

/** `pages` pages each with the same small running header, and on the last page a top line of its own. */
export async function runningHeaderPdf(pages: number): Promise<Uint8Array> {
	const document = await PDFDocument.create({updateMetadata: false});
	const font = await document.embedFont(StandardFonts.Helvetica);
	const words = ['one', 'two', 'three', 'four'];
	for (let p = 1; p <= pages; p++) {
		const page = document.addPage([612, 792]);
		page.drawText('Quarterly Report Running Header', {x: 72, y: 760, size: 9, font});
		if (p === pages) page.drawText(`Only on page ${words[p - 1]}, at the top`, {x: 300, y: 745, size: 9, font});
		for (let line = 0; line < 6; line++)
			page.drawText(`Page ${words[p - 1]} body text, line ${line + 1} of the page, long enough to count.`, {
				x: 72,
				y: 680 - line * 14,
				size: 11,
				font,
			});
	}
	return document.save();
}

/** Words drawn as right-to-left text is set: in reading order, each to the left of the one before, 0.3 em apart. */
export async function leftwardsPdf(words: string[]): Promise<Uint8Array> {
	const document = await PDFDocument.create({updateMetadata: false});
	const font = await document.embedFont(StandardFonts.Helvetica);
	const page = document.addPage([612, 792]);
	let right = 500;
	for (const word of words) {
		const width = font.widthOfTextAtSize(word, 12);
		page.drawText(word, {x: right - width, y: 700, size: 12, font});
		right -= width + 12 * 0.3;
	}
	return document.save();
}
