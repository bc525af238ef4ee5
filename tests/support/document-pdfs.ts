/** Generated PDFs with structure (headings by size, lists, footers, columns, images) for converter tests. */
import {PDFDocument, StandardFonts, rgb} from 'pdf-lib';
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
export type Run = {text: string; size: number; bold?: boolean};

/**
A page of lines, each a list of runs drawn side by side; `gap` adds room above a line. For tests of
the converter's reading of sizes, numbering, hyphenation and lists.
*/
export async function linesPdf(lines: Array<{runs: Run[]; gap?: number}>): Promise<Uint8Array> {
	const document = await PDFDocument.create({updateMetadata: false});
	const regular = await document.embedFont(StandardFonts.Helvetica);
	const bold = await document.embedFont(StandardFonts.HelveticaBold);
	const page = document.addPage([612, 792]);
	let y = 720;
	for (const line of lines) {
		y -= line.gap ?? 0;
		let x = 72;
		const height = Math.max(...line.runs.map(r => r.size));
		for (const run of line.runs) {
			const font = run.bold ? bold : regular;
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
