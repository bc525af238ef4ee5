/**
The built-in converter: PDF → Markdown on pdf.js (pdfjs-dist 6, legacy build), plus the images,
read as the file stores them (page-scan.ts; pdf.js's operator list for what that cannot write).

From the text items' positions and font sizes it rebuilds lines (in content-stream order, which
keeps two-column pages in reading order), paragraphs (by vertical gaps), headings (sizes above the
body size, the most used one, ranked into levels), bulleted and numbered lists, tables, bold,
italic and code from the fonts (text-styles.ts), and drops page numbers and running headers or
footers (lines repeated at the same place on most pages). A page with no text but an image is
reported as scanned: there is no OCR.
*/
import {createRequire} from 'node:module';
import path from 'node:path';
import {ConversionError} from './conversion-error.js';
import type {ConvertedImage, Line} from './line.js';
import {toMarkdown} from './markdown.js';
import {type Scan, scanPdf} from './page-scan.js';
import {imagesOf} from './pdfjs-images.js';
import {linesOf, stripRunningLines, type TextItem, withImages} from './text-lines.js';
import {FontStyles} from './text-styles.js';

export type {ConvertedImage, Line} from './line.js';

type PdfJs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');
type PDFDocumentProxy = Awaited<ReturnType<PdfJs['getDocument']>['promise']>;

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
	// Image XObjects are streams, and streams are never inside compressed object streams, so their
	// dictionaries are always readable in the file: no "/Subtype /Image" means no images.
	const hasImages = options.images !== false && /\/Subtype\s*\/Image\b/.test(Buffer.from(data).toString('latin1'));
	const scan = await scanPdf(data, {images: hasImages});
	const conversion = await convertWith(data, options, hasImages, scan);
	// pdf-lib counted the pages differently: pdf.js's operator lists give every page's images and fonts.
	return conversion ?? (await convertWith(data, options, hasImages, undefined))!;
}

/**
The conversion, with images and fonts from the scan of the file where it has them, else from pdf.js's
operator lists; undefined if the scan has the wrong number of pages.
*/
async function convertWith(
	data: Uint8Array,
	options: ConvertOptions,
	hasImages: boolean,
	scan: Scan | undefined,
): Promise<Conversion | undefined> {
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
		// Fonts' names, which say bold and italic (text-styles.ts).
		fontExtraProperties: true,
		// Operator lists (built for the fonts) leave images out when every page's images are read from
		// the file: decoding them was most of the cost of a page with images.
		maxImageSize: !hasImages || scan?.pages.every(page => page.images !== undefined) ? 1 : -1,
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
		if (!(document.numPages >= 1))
			throw new ConversionError(`the PDF declares no pages (page count ${document.numPages})`, true);
		if (options.maxPages && document.numPages > options.maxPages)
			throw new ConversionError(
				`the PDF has ${document.numPages} pages, more than max_pages (${options.maxPages}) allows`,
				true,
			);
		if (scan && scan.pages.length !== document.numPages) return undefined;
		const styles = new FontStyles(scan?.fonts);
		for (let number = 1; number <= document.numPages; number++) {
			const page = await document.getPage(number);
			const items = (await page.getTextContent()).items as TextItem[];
			await styles.learn(page, items, scan?.pages[number - 1]?.fonts);
			const pageLines = linesOf(items, number, page.view[3] ?? 792, styles);
			if (hasImages) {
				const kept = scan?.pages[number - 1]?.images;
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
