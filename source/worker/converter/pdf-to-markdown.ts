/**
The built-in converter: PDF → Markdown on pdf.js (pdfjs-dist 6, legacy build), plus the images,
read as the file stores them (stored-images.ts; pdf.js's operator list for what that cannot write).

From the text items' positions and font sizes it rebuilds lines (in content-stream order, which
keeps two-column pages in reading order), paragraphs (by vertical gaps), headings (sizes above the
body size, the most used one, ranked into levels), bulleted and numbered lists, and drops page
numbers and running headers or footers (lines repeated at the same place on most pages). A page
with no text but an image is reported as scanned: there is no OCR.
*/
import {createRequire} from 'node:module';
import path from 'node:path';
import {multiply} from './content-stream.js';
import {encodePng} from './png.js';
import {storedImages} from './stored-images.js';
import {ConversionError} from './conversion-error.js';
import {headingLevels} from './headings.js';
import {findTables, type Segment, tableMarkdown} from './tables.js';

type PdfJs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');
type PDFDocumentProxy = Awaited<ReturnType<PdfJs['getDocument']>['promise']>;

export type ConvertedImage = {
	/** page<N>-image<M>.jpg or .png */
	name: string;
	bytes: Buffer;
	page: number;
	width: number;
	height: number;
	/** Where its top edge stands on the page (PDF units from the bottom): it goes into the text there. */
	top: number;
};

export type Conversion = {
	markdown: string;
	images: ConvertedImage[];
	pages: number;
	/** Pages with images but no text (no OCR is done). */
	scannedPages: number[];
	headings: number;
	converter: string;
};

export type ConvertOptions = {
	/** Called after each page. */
	onPage?: (done: number, total: number) => void;
	/** Extract images. @default true */
	images?: boolean;
	password?: string;
	/** Refuse (permanently) a PDF with more pages: a 1M-page file would hold a worker for hours. */
	maxPages?: number;
};

export type Line = {
	text: string;
	size: number;
	x: number;
	y: number;
	page: number;
	gapBefore: number;
	pageHeight: number;
	/** The line cut where a gap is wider than a word space can be: a table row's cells. */
	segments: Segment[];
	/** An image standing here in the page's flow (the line has no text). */
	image?: ConvertedImage;
};

let pdfjs: Promise<PdfJs> | undefined;

/** A folder of pdfjs-dist's data (cmaps, standard_fonts) as the path, ending in /, pdf.js reads on Node. */
function pdfJsData(folder: string): string {
	return `${path.join(path.dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json')), folder)}/`;
}

/** pdf.js's worker side, which has no type declarations; it runs in this process (see loadPdfJs). */
const workerModule = 'pdfjs-dist/legacy/build/pdf.worker.mjs';

async function loadPdfJs(): Promise<PdfJs> {
	pdfjs ??= (async () => {
		// On Node pdf.js runs its worker side in this process (a "fake worker") and imports it at the
		// first getDocument. Loading it here, beside the library, and handing it over as
		// globalThis.pdfjsWorker puts all of pdf.js's start-up where a spare child does it ahead of its job.
		const [lib, worker] = await Promise.all([
			import('pdfjs-dist/legacy/build/pdf.mjs'),
			import(workerModule) as Promise<unknown>,
		]);
		(globalThis as {pdfjsWorker?: unknown}).pdfjsWorker = worker;
		return lib;
	})();
	return pdfjs;
}

/** A one-page PDF with one line of text, built in memory: what warms a fresh process up. */
function tinyPdf(): Uint8Array {
	const content = 'BT /F1 12 Tf 20 100 Td (warm) Tj ET';
	const objects = [
		'<< /Type /Catalog /Pages 2 0 R >>',
		'<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
		'<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
		`<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
		'<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
	];
	let text = '%PDF-1.4\n';
	const offsets: number[] = [];
	for (const [i, body] of objects.entries()) {
		offsets.push(text.length);
		text += `${i + 1} 0 obj\n${body}\nendobj\n`;
	}
	const xref = text.length;
	text += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map(o => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
	text += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
	return new TextEncoder().encode(text);
}

/**
Loads pdf.js and then, if `isWaiting()` still holds, converts a tiny document, so a process's first
real conversion runs warm: the first document costs a fresh process ~60 ms more than later ones
(compiling, font setup). Once the real job is there, it warms the process itself.
*/
export async function preloadConverter(isWaiting: () => boolean = () => true): Promise<void> {
	await loadPdfJs();
	if (isWaiting()) await convertPdf(tinyPdf(), {images: false});
}

export const converterName = 'blobforge-pdfjs';

export async function convertPdf(data: Uint8Array, options: ConvertOptions = {}): Promise<Conversion> {
	if (data.byteLength === 0) throw new ConversionError('the file is empty (0 bytes)', true);
	if (Buffer.from(data.subarray(0, 1024)).indexOf('%PDF') < 0)
		throw new ConversionError('not a PDF (no %PDF header)', true);
	const lib = await loadPdfJs();
	const loading = lib.getDocument({
		data: new Uint8Array(data),
		verbosity: 0,
		isOffscreenCanvasSupported: false,
		useSystemFonts: false,
		disableFontFace: true,
		// The predefined CMaps (CJK fonts that are not embedded read through them) and the standard
		// fonts' metrics ship with pdfjs-dist: without them such text comes out garbled or not at all.
		cMapUrl: pdfJsData('cmaps'),
		cMapPacked: true,
		standardFontDataUrl: pdfJsData('standard_fonts'),
		...(options.password ? {password: options.password} : {}),
	});
	let document: PDFDocumentProxy;
	try {
		document = await loading.promise;
	} catch (error) {
		await loading.destroy();
		throw classify(error);
	}
	try {
		const lines: Line[] = [];
		const images: ConvertedImage[] = [];
		const scannedPages: number[] = [];
		// Image XObjects are streams, and streams are never inside compressed object streams, so their
		// dictionaries are always readable in the file: no "/Subtype /Image" means no images, and the
		// costly operator lists (half the conversion time) can be skipped.
		const hasImages = options.images !== false && /\/Subtype\s*\/Image\b/.test(Buffer.from(data).toString('latin1'));
		if (!(document.numPages >= 1))
			throw new ConversionError(`the PDF declares no pages (page count ${document.numPages})`, true);
		if (options.maxPages && document.numPages > options.maxPages)
			throw new ConversionError(
				`the PDF has ${document.numPages} pages, more than max_pages (${options.maxPages}) allows`,
				true,
			);
		const stored = hasImages ? await storedImages(data, document.numPages) : undefined;
		for (let number = 1; number <= document.numPages; number++) {
			const page = await document.getPage(number);
			const content = await page.getTextContent();
			const pageLines = linesOf(content.items as TextItem[], number, page.view[3] ?? 792);
			if (hasImages) {
				const kept = stored?.[number - 1];
				const found = kept
					? kept.map(({extension, ...image}, i) => ({
							...image,
							name: `page${number}-image${i + 1}.${extension}`,
							page: number,
						}))
					: await imagesOf(lib, page, number);
				images.push(...found);
				if (pageLines.every(l => l.text.trim() === '') && found.length > 0) scannedPages.push(number);
				lines.push(...withImages(pageLines, found, page.view[3] ?? 792));
			} else lines.push(...pageLines);
			page.cleanup();
			options.onPage?.(number, document.numPages);
		}
		const {markdown, headings} = toMarkdown(stripRunningLines(lines, document.numPages));
		return {
			markdown,
			images,
			pages: document.numPages,
			scannedPages,
			headings,
			converter: `${converterName} (pdfjs-dist ${lib.version})`,
		};
	} catch (error) {
		throw classify(error);
	} finally {
		await loading.destroy();
	}
}

function classify(error: unknown): ConversionError {
	if (error instanceof ConversionError) return error;
	const name = (error as Error | undefined)?.name ?? '';
	const message = (error as Error | undefined)?.message ?? String(error);
	if (name === 'PasswordException')
		// pdf.js: code 1 when a password is needed, 2 when the one given is wrong.
		return new ConversionError(
			(error as {code?: number}).code === 2
				? 'the PDF is encrypted and the password given is wrong'
				: 'the PDF is encrypted and needs a password',
			true,
		);
	if (name === 'InvalidPDFException')
		return new ConversionError(`not a valid PDF (corrupt or truncated): ${message}`, true);
	if (name === 'MissingPDFException') return new ConversionError('the PDF is empty or missing', true);
	if (name === 'UnknownErrorException' || name === 'FormatError')
		return new ConversionError(`the PDF is damaged: ${message}`, true);
	return new ConversionError(`conversion failed: ${message}`, false);
}

type TextItem = {str: string; transform: number[]; width: number; hasEOL?: boolean};

const rightToLeft = /[\p{Script=Arabic}\p{Script=Hebrew}]/u;
const leftToRight = /[\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}\d]/u;
/**
A right-to-left word next to a left-to-right one ("بلغة" then "R"): two words, whatever the gap (their
items often abut, each run set from its own end).
*/
function scriptsMeet(before: string, after: string): boolean {
	const end = before.at(-1) ?? '';
	const start = after[0] ?? '';
	return (rightToLeft.test(end) && leftToRight.test(start)) || (leftToRight.test(end) && rightToLeft.test(start));
}

/** Groups text items into lines, in content-stream order. */
function linesOf(items: TextItem[], page: number, pageHeight: number): Line[] {
	const lines: Line[] = [];
	let current:
		| {
				parts: string[];
				size: number;
				x: number;
				y: number;
				endX: number;
				weights: Map<number, number>;
				/** Where each segment starts: an index into parts, and its x. */
				cuts: Array<{part: number; x: number; endX: number}>;
				/** pdf.js filled a wide gap with a space item: the next item with letters starts a segment. */
				wideSpace: boolean;
				/** Where the last item started: right-to-left text runs leftwards from it. */
				lastX: number;
		  }
		| undefined;
	let previousY: number | undefined;
	let previousSize = 0;
	const flush = () => {
		if (!current) return;
		const text = current.parts.join('').replaceAll(/\s+/g, ' ').trim();
		// The line's size is the size of most of its characters: one larger glyph (a symbol, a drop
		// cap, a check box) does not make a heading of a line of body text.
		const dominant = [...current.weights].sort((a, b) => b[1] - a[1])[0]?.[0];
		if (dominant !== undefined) current.size = dominant;
		if (text) {
			const gap = previousY === undefined ? 0 : previousY - current.y;
			const {parts, cuts} = current;
			const segments = cuts
				.map((cut, i) => ({
					text: parts
						.slice(cut.part, cuts[i + 1]?.part ?? parts.length)
						.join('')
						.replaceAll(/\s+/g, ' ')
						.trim(),
					x: cut.x,
					endX: cut.endX,
				}))
				.filter(segment => segment.text !== '');
			lines.push({
				text,
				segments,
				size: current.size,
				x: current.x,
				y: current.y,
				page,
				gapBefore: gap / Math.max(1, previousSize || current.size),
				pageHeight,
			});
			previousY = current.y;
			previousSize = current.size;
		}
		current = undefined;
	};
	for (const item of items) {
		const [a = 0, b = 0, c = 0, d = 0, x = 0, y = 0] = item.transform;
		const size = Math.hypot(c, d) || Math.hypot(a, b);
		if (item.str === '') continue;
		if (current && Math.abs(current.y - y) > Math.max(current.size, size) * 0.4) flush();
		const letters = item.str.replaceAll(/\s/g, '').length;
		// Turned a quarter (a table's header cells set upright): its width runs up the page, not along the
		// line, and each is a cell of its own.
		const upright = Math.abs(b) > Math.abs(a) * 2 && Math.abs(c) > Math.abs(d) * 2;
		const width = upright ? size : item.width;
		if (!current) {
			current = {
				parts: [item.str],
				size,
				x,
				y,
				endX: x + width,
				weights: new Map(),
				cuts: [{part: 0, x, endX: x + width}],
				wideSpace: false,
				lastX: x,
			};
			if (letters > 0) current.weights.set(size, letters);
			continue;
		}
		if (letters > 0) current.weights.set(size, (current.weights.get(size) ?? 0) + letters);
		const gap = x - current.endX;
		const last = current.parts.at(-1) ?? '';
		// Right to left (Arabic, Hebrew, and the Latin words set among them), the gap is before the last item.
		const leftwards = x + width <= current.lastX + size * 0.1 && x < current.lastX;
		const wordGap = leftwards ? current.lastX - (x + width) : gap;
		if ((wordGap > size * 0.15 || upright || scriptsMeet(last, item.str)) && !/\s$/.test(last) && !/^\s/.test(item.str))
			current.parts.push(' ');
		// Wider than a justified line stretches a word space: the next cell of a table row.
		if (letters === 0 && item.width > size * cellSpaceEm) current.wideSpace = true;
		if ((gap > size * cellGapEm || current.wideSpace || upright) && letters > 0) {
			current.cuts.push({part: current.parts.length, x, endX: x});
			current.wideSpace = false;
		}
		current.parts.push(item.str);
		current.endX = x + width;
		current.lastX = x;
		if (letters > 0) current.cuts.at(-1)!.endX = current.endX;
	}
	flush();
	return lines;
}

/**
A gap between two items of a line wider than this many ems starts a new segment (a table cell); so
does a space pdf.js put between two items that is wider than `cellSpaceEm` (a word space inside a run
of text is part of its item; one of its own marks a jump in position, as between two cells).
*/
const cellGapEm = 1.2;
const cellSpaceEm = 0.5;

/**
Drops page numbers and running headers or footers: lines in the top or bottom eighth of the page
that repeat (digits aside) at the same height on most pages (both of two), in a size no larger than
the body text, and lone page numbers there, on pages with text of their own outside the margins.
Headings repeated on every page stay: they are larger.
*/
function stripRunningLines(lines: Line[], pages: number): Line[] {
	const bodySize = mostUsedSize(lines);
	const signature = (l: Line) => `${Math.round(l.y)}|${l.text.replaceAll(/\d+/g, '#')}`;
	const seen = new Map<string, Set<number>>();
	for (const l of lines) {
		const key = signature(l);
		if (!seen.has(key)) seen.set(key, new Set());
		seen.get(key)!.add(l.page);
	}
	const inMargin = (l: Line) => l.y > l.pageHeight * 0.875 || l.y < l.pageHeight * 0.125;
	// A header runs above a page's own text: on a page that has nothing outside its margins, the lines there are the text.
	const withBody = new Set(lines.filter(l => !inMargin(l)).map(l => l.page));
	return lines.filter(l => {
		if (l.image || !inMargin(l) || !withBody.has(l.page)) return true;
		const repeated =
			pages >= 2 && (seen.get(signature(l))?.size ?? 0) >= Math.max(2, pages * 0.5) && l.size <= bodySize * 1.05;
		const pageNumber = /^(page\s+)?\d{1,4}(\s*(of|\/)\s*\d{1,4})?$/i.test(l.text);
		return !repeated && !pageNumber;
	});
}

/** The font size carrying the most characters: the body text. */
function mostUsedSize(lines: Line[]): number {
	const weight = new Map<number, number>();
	for (const l of lines) {
		const size = Math.round(l.size * 2) / 2;
		weight.set(size, (weight.get(size) ?? 0) + l.text.length);
	}
	return [...weight].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 11;
}

// Bullet glyphs may touch their text; a dash or an asterisk needs a space (`*ALLOBJ` is a word).
// Symbol fonts often map their bullets to no Unicode at all: a control character or one of the
// private use area stands first on the line.
// biome-ignore lint/suspicious/noControlCharactersInRegex: those control characters are the bullets.
const bullet = /^(?:[•◦▪▫●○■□‣⁃∙➢✓✔☐☑☒\u2010\ue000-\uf8ff\u0001-\u0008\u000e-\u001f\u007f-\u009f]\s*|[–\-*]\s+)/u;
/**
Wingdings and ZapfDingbats bullets come out as a plain letter (l ●, n ■, q ❑, r ❒, u ◆, v ❖, Ø ➢, ü ✓):
one standing alone before a capital, on two neighbouring lines, is a bullet.
*/
const letterBullet = /^([lnqruvØü§])\s+(?=\p{Lu})/u;

/** Lines that start with a letter bullet shared by the line before or after. */
function letterBullets(lines: readonly Line[]): Set<number> {
	const marks = lines.map(line => letterBullet.exec(line.text)?.[1]);
	const found = new Set<number>();
	for (const [i, mark] of marks.entries()) if (mark && (marks[i - 1] === mark || marks[i + 1] === mark)) found.add(i);
	return found;
}
const numbered = /^(\d{1,3})[.)]\s+/;

function escapeText(text: string): string {
	return text.replace(/^(#{1,6}\s|>|\d{1,3}[.)]\s|[-*+]\s)/, m => `\\${m}`);
}

/**
A paragraph's lines as one text: a word broken at a line end ("Ef-" then "fects") is joined whole;
a hyphen before a capital or a digit stays (a compound: "Reed-" "Solomon").
*/
function joinLines(lines: string[]): string {
	let text = '';
	for (const line of lines) {
		if (text === '') text = line;
		else if (/\p{Ll}-$/u.test(text) && /^\p{Ll}/u.test(line)) text = text.slice(0, -1) + line;
		else text += ` ${line}`;
	}
	return text;
}

/** Builds Markdown from lines: heading levels from font-size statistics, paragraphs, lists. */
function toMarkdown(lines: Line[]): {markdown: string; headings: number} {
	const body = mostUsedSize(lines);
	const levels = headingLevels(lines, body);
	const blocks: string[] = [];
	let paragraph: string[] = [];
	let list: string[] = [];
	let headings = 0;
	const flushParagraph = () => {
		if (paragraph.length > 0) blocks.push(escapeText(joinLines(paragraph)));
		paragraph = [];
	};
	/** The indents of the open items, outermost first: an item further right than the last is nested in it. */
	let indents: number[] = [];
	/** Where the text of the last item at each depth starts: the indent of an item nested in it. */
	let contentIndents: string[] = [];
	const flushList = () => {
		if (list.length > 0) blocks.push(list.join('\n'));
		list = [];
		indents = [];
		contentIndents = [];
	};
	const depthOf = (line: Line): number => {
		const slack = Math.max(2, line.size * 0.5);
		while (indents.length > 0 && indents.at(-1)! > line.x + slack) indents.pop();
		if (indents.length === 0 || line.x > indents.at(-1)! + slack) indents.push(line.x);
		return Math.min(indents.length - 1, 5);
	};
	let previousPage = 0;
	let lastWasHeading = false;
	let lastHeadingSize = 0;
	const tables = new Map(findTables(lines).map(table => [table.start, table]));
	const lettered = letterBullets(lines);
	for (let index = 0; index < lines.length; index++) {
		const line = lines[index]!;
		if (line.image) {
			flushParagraph();
			flushList();
			const {name, page} = line.image;
			blocks.push(`![Image ${name} from page ${page}](assets/${name})`);
			lastWasHeading = false;
			previousPage = line.page;
			continue;
		}
		const table = tables.get(index);
		if (table) {
			flushParagraph();
			flushList();
			blocks.push(tableMarkdown(table.rows));
			lastWasHeading = false;
			previousPage = lines[table.end - 1]!.page;
			index = table.end - 1;
			continue;
		}
		const level = levels[index]!;
		const newPage = line.page !== previousPage;
		previousPage = line.page;
		if (level > 0) {
			flushParagraph();
			flushList();
			// A title set on two lines (the same level, right below, on the same page) is one heading.
			const previous = blocks.at(-1);
			const marks = `${'#'.repeat(level)} `;
			const sameSize = Math.abs(lastHeadingSize - line.size) < 0.25;
			if (lastWasHeading && sameSize && !newPage && previous?.startsWith(marks) && line.gapBefore < 1.6) {
				blocks[blocks.length - 1] = `${previous} ${line.text}`;
				continue;
			}
			blocks.push(`${marks}${line.text}`);
			headings++;
			lastWasHeading = true;
			lastHeadingSize = line.size;
			continue;
		}
		lastWasHeading = false;
		const bulletMatch = bullet.exec(line.text) ?? (lettered.has(index) ? letterBullet.exec(line.text) : null);
		const numberMatch = numbered.exec(line.text);
		// An item has words: a line of unmapped glyphs (a logo's text layer) after a control character is none.
		const itemHasWords =
			bulletMatch !== null && (line.text.slice(bulletMatch[0].length).match(/\p{L}/gu)?.length ?? 0) >= 2;
		if (itemHasWords || numberMatch) {
			flushParagraph();
			// A nested item is indented as far as its parent's text starts (CommonMark's rule for nesting).
			const depth = Math.min(depthOf(line), contentIndents.length);
			const indent = depth === 0 ? '' : contentIndents[depth - 1]!;
			const marker = numberMatch ? `${numberMatch[1]}. ` : '- ';
			contentIndents = [...contentIndents.slice(0, depth), indent + ' '.repeat(marker.length)];
			list.push(`${indent}${marker}${line.text.slice(numberMatch ? numberMatch[0].length : bulletMatch![0].length)}`);
			continue;
		}
		// A continuation of the previous list item: same paragraph, no break.
		if (list.length > 0 && !newPage && line.gapBefore > 0 && line.gapBefore < 1.5) {
			list[list.length - 1] += ` ${line.text}`;
			continue;
		}
		flushList();
		const breaks = newPage ? false : line.gapBefore > 1.5 || line.gapBefore < -0.5;
		if (breaks) flushParagraph();
		paragraph.push(line.text);
	}
	flushParagraph();
	flushList();
	const joined = blocks
		.map(block => (block.startsWith('| ') ? block : block.replaceAll(/(\w)- (\w)/g, '$1-$2')))
		.join('\n\n');
	return {markdown: `${joined}\n`, headings};
}

/**
A page's images set into its lines: each before the first line (in reading order) that stands below
its top edge, or at the page's end; an image line has no text and breaks paragraphs and tables.
*/
function withImages(lines: Line[], images: ConvertedImage[], pageHeight: number): Line[] {
	const placed = [...lines];
	for (const image of [...images].sort((a, b) => b.top - a.top)) {
		const at = placed.findIndex(l => !l.image && l.y < image.top);
		const line: Line = {
			text: '',
			size: 0,
			x: 0,
			y: image.top,
			page: image.page,
			gapBefore: 99,
			pageHeight,
			segments: [],
			image,
		};
		if (at < 0) placed.push(line);
		else placed.splice(at, 0, line);
	}
	return placed;
}

type ImageObject = {width: number; height: number; kind?: number; data?: Uint8Array | Uint8ClampedArray};

async function imagesOf(
	lib: PdfJs,
	page: Awaited<ReturnType<Awaited<ReturnType<PdfJs['getDocument']>['promise']>['getPage']>>,
	number: number,
): Promise<ConvertedImage[]> {
	const operators = await page.getOperatorList();
	// Each image's top edge, from the transformation in force where it is painted (the unit square scaled).
	const tops = new Map<string, number>();
	const stack: number[][] = [];
	let ctm = [1, 0, 0, 1, 0, 0];
	operators.fnArray.forEach((fn, i) => {
		const args = operators.argsArray[i] as unknown[];
		if (fn === lib.OPS.save) stack.push(ctm);
		else if (fn === lib.OPS.restore) ctm = stack.pop() ?? ctm;
		else if (fn === lib.OPS.transform) ctm = multiply(ctm, args.map(Number));
		else if (fn === lib.OPS.paintFormXObjectBegin) {
			stack.push(ctm);
			if (Array.isArray(args[0])) ctm = multiply(ctm, (args[0] as unknown[]).map(Number));
		} else if (fn === lib.OPS.paintFormXObjectEnd) ctm = stack.pop() ?? ctm;
		else if (fn === lib.OPS.paintImageXObject) {
			const name = String(args[0]);
			const [, b = 0, , d = 0, , f = 0] = ctm;
			if (!tops.has(name)) tops.set(name, Math.max(f, f + b + d));
		}
	});
	const names = new Set(tops.keys());
	const images: ConvertedImage[] = [];
	let index = 0;
	for (const name of names) {
		const objects = name.startsWith('g_') ? page.commonObjs : page.objs;
		// Images decode asynchronously: wait for each (the callback form), a few seconds at most.
		const image = await new Promise<ImageObject | undefined>(resolve => {
			const timer = setTimeout(() => resolve(undefined), 5000);
			try {
				objects.get(name, (value: unknown) => {
					clearTimeout(timer);
					resolve(value as ImageObject);
				});
			} catch {
				clearTimeout(timer);
				resolve(undefined);
			}
		});
		if (!image?.data || !image.width || !image.height) continue;
		const pixels = image.width * image.height;
		const channels =
			image.data.length === pixels * 4
				? 4
				: image.data.length === pixels * 3
					? 3
					: image.data.length === pixels
						? 1
						: 0;
		if (channels === 0) continue; // 1-bit masks and other packings are left out
		images.push({
			top: tops.get(name) ?? 0,
			name: `page${number}-image${++index}.png`,
			bytes: encodePng(image.width, image.height, channels, image.data),
			page: number,
			width: image.width,
			height: image.height,
		});
	}
	return images;
}
