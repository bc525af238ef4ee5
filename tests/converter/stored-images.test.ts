/**
Images as the PDF stores them: a JPEG comes out as its own bytes, a palette image as a palette PNG,
a soft mask as alpha, each where it stands on its page, through form XObjects; what cannot be kept
so is decoded by pdf.js for that page. And the content-stream reader that places them.
*/
import {deflateSync} from 'node:zlib';
import test from 'ava';
import {
	concatTransformationMatrix,
	drawObject,
	PDFDocument,
	PDFHexString,
	type PDFPage,
	type PDFRef,
	popGraphicsState,
	pushGraphicsState,
	setGraphicsState,
	StandardFonts,
} from 'pdf-lib';
import {identity, type Matrix, readContent} from '../../source/worker/converter/content-stream.js';
import {encodePng} from '../../source/worker/converter/png.js';
import {convertPdf} from '../../source/worker/converter/pdf-to-markdown.js';
import {grayJpeg} from '../support/jpeg.js';
import {readPng} from '../support/png-reader.js';

async function documentWithText(pages = 1): Promise<{document: PDFDocument; pages: PDFPage[]}> {
	const document = await PDFDocument.create({updateMetadata: false});
	const font = await document.embedFont(StandardFonts.Helvetica);
	const list: PDFPage[] = [];
	// Words, not numbers, tell the pages apart: lines that differ only in a number are running headers.
	for (const p of ['one', 'two', 'three'].slice(0, pages)) {
		const page = document.addPage([400, 600]);
		page.drawText(`Above the picture on page ${p}`, {x: 50, y: 550, size: 12, font});
		page.drawText(`Below the picture on page ${p}`, {x: 50, y: 100, size: 12, font});
		list.push(page);
	}
	return {document, pages: list};
}

/** Paints `image` (a registered XObject) as a 100 × 100 square whose lower left corner is at (50, y). */
function paint(page: PDFPage, image: PDFRef, y = 300): void {
	const name = page.node.newXObject('Im', image);
	page.pushOperators(
		pushGraphicsState(),
		concatTransformationMatrix(100, 0, 0, 100, 50, y),
		drawObject(name),
		popGraphicsState(),
	);
}

test('a JPEG painted through a form XObject is kept as its own bytes, where the form places it', async t => {
	const {document, pages} = await documentWithText();
	const jpeg = grayJpeg(16, 16);
	const {context} = document;
	const image = context.register(
		context.stream(jpeg, {
			Type: 'XObject',
			Subtype: 'Image',
			Width: 16,
			Height: 16,
			ColorSpace: 'DeviceGray',
			BitsPerComponent: 8,
			Filter: 'DCTDecode',
		}),
	);
	// The form moves what it paints 200 up: the picture stands between y = 300 and 400, between the lines.
	const form = context.register(
		context.stream('q 100 0 0 100 50 100 cm /Im0 Do Q', {
			Type: 'XObject',
			Subtype: 'Form',
			BBox: [0, 0, 400, 600],
			Matrix: [1, 0, 0, 1, 0, 200],
			Resources: {XObject: {Im0: image}},
		}),
	);
	const name = pages[0]!.node.newXObject('Fm', form);
	pages[0]!.pushOperators(drawObject(name));
	const result = await convertPdf(await document.save());
	t.is(result.images.length, 1);
	t.is(result.images[0]!.name, 'page1-image1.jpg');
	t.deepEqual(new Uint8Array(result.images[0]!.bytes), jpeg, 'the bytes the PDF stores, not decoded and re-encoded');
	t.deepEqual([result.images[0]!.width, result.images[0]!.height], [16, 16]);
	t.regex(
		result.markdown,
		/Above the picture on page one\n\n!\[[^\]]*\]\(assets\/page1-image1\.jpg\)\n\nBelow the picture on page one/,
	);
});

test('a palette image with a PNG predictor is a palette PNG of the same rows; a soft mask becomes alpha', async t => {
	const {document, pages} = await documentWithText(2);
	const {context} = document;
	// 5 × 3 pixels of 4-bit palette indices: 3 bytes a row, each row PNG-filtered (None) as PDF's predictor 15 has it.
	const rows = Uint8Array.from([0x01, 0x23, 0x40, 0x56, 0x78, 0x90, 0xab, 0xcd, 0xe0]);
	const filtered = Uint8Array.from([0, ...rows.subarray(0, 3), 0, ...rows.subarray(3, 6), 0, ...rows.subarray(6, 9)]);
	const palette = Uint8Array.from({length: 16 * 3}, (_, i) => (i * 17) & 0xff);
	const indexed = context.register(
		context.stream(deflateSync(filtered), {
			Type: 'XObject',
			Subtype: 'Image',
			Width: 5,
			Height: 3,
			ColorSpace: ['Indexed', 'DeviceRGB', 15, PDFHexString.of(Buffer.from(palette).toString('hex'))],
			BitsPerComponent: 4,
			Filter: 'FlateDecode',
			DecodeParms: {Predictor: 15, Colors: 1, BitsPerComponent: 4, Columns: 5},
		}),
	);
	paint(pages[0]!, indexed);
	const rgba = Uint8Array.from({length: 6 * 4 * 4}, (_, i) => (i % 4 === 3 ? (i * 11) & 0xff : (i * 29) & 0xff));
	paint(pages[1]!, (await document.embedPng(encodePng(6, 4, 4, rgba))).ref);
	const result = await convertPdf(await document.save());
	t.deepEqual(
		result.images.map(i => i.name),
		['page1-image1.png', 'page2-image1.png'],
	);
	const kept = readPng(result.images[0]!.bytes);
	t.deepEqual([kept.colorType, kept.bitDepth, kept.width, kept.height], [3, 4, 5, 3], 'palette, 4 bits a pixel');
	t.deepEqual(kept.palette, palette);
	t.deepEqual(kept.pixels, rows);
	const translucent = readPng(result.images[1]!.bytes);
	t.deepEqual([translucent.colorType, translucent.bitDepth], [6, 8]);
	t.deepEqual(translucent.pixels, rgba, 'colour from the image, alpha from its soft mask');
});

test('an image only a luminosity mask paints is no picture of the page', async t => {
	const {document, pages} = await documentWithText();
	const {context} = document;
	const gray = (value: number) =>
		context.register(
			context.flateStream(new Uint8Array(8 * 8).fill(value), {
				Type: 'XObject',
				Subtype: 'Image',
				Width: 8,
				Height: 8,
				ColorSpace: 'DeviceGray',
				BitsPerComponent: 8,
			}),
		);
	const maskGroup = context.register(
		context.stream('q 100 0 0 100 50 300 cm /M Do Q', {
			Type: 'XObject',
			Subtype: 'Form',
			BBox: [0, 0, 400, 600],
			Group: {S: 'Transparency', CS: 'DeviceGray'},
			Resources: {XObject: {M: gray(255)}},
		}),
	);
	const state = context.register(
		context.obj({Type: 'ExtGState', SMask: {Type: 'Mask', S: 'Luminosity', G: maskGroup}}),
	);
	const page = pages[0]!;
	page.pushOperators(pushGraphicsState(), setGraphicsState(page.node.newExtGState('GS', state)));
	paint(page, gray(90));
	page.pushOperators(popGraphicsState());
	const result = await convertPdf(await document.save());
	t.is(result.images.length, 1, 'the mask group is not content');
	t.deepEqual(readPng(result.images[0]!.bytes).pixels, new Uint8Array(64).fill(90));
});

test('an image kept as stored on one page, one pdf.js must decode (an inverting Decode) on the next', async t => {
	const {document, pages} = await documentWithText(2);
	const {context} = document;
	const image = (extra: {Filter: string; Decode?: number[]}, data: Uint8Array, size: number) =>
		context.register(
			context.stream(data, {
				Type: 'XObject',
				Subtype: 'Image',
				Width: size,
				Height: size,
				ColorSpace: 'DeviceGray',
				BitsPerComponent: 8,
				...extra,
			}),
		);
	paint(pages[0]!, image({Filter: 'DCTDecode'}, grayJpeg(8, 8), 8));
	const ramp = Uint8Array.from({length: 16}, (_, i) => i * 16);
	paint(pages[1]!, image({Filter: 'FlateDecode', Decode: [1, 0]}, deflateSync(ramp), 4));
	const result = await convertPdf(await document.save());
	t.deepEqual(
		result.images.map(i => i.name),
		['page1-image1.jpg', 'page2-image1.png'],
	);
	// pdf.js hands out gray as RGB.
	const decoded = readPng(result.images[1]!.bytes);
	t.is(decoded.colorType, 2);
	t.deepEqual(
		decoded.pixels.filter((_, i) => i % 3 === 0),
		ramp.map(v => 255 - v),
		'inverted as the Decode array says',
	);
	t.regex(
		result.markdown,
		/Above the picture on page two\n\n!\[[^\]]*\]\(assets\/page2-image1\.png\)\n\nBelow the picture on page two/,
	);
});

test('the content-stream reader follows q, Q and cm, and passes over strings, comments and inline images', t => {
	const painted: Array<[string, Matrix]> = [];
	const stream = [
		'q 1 0 0 1 10 20 cm',
		'(a string that says /Fake Do and Q \\) and (nested) parentheses) Tj <2f46616b6520446f> Tj',
		'% a comment: /Fake Do Q',
		'BI /W 2 /H 1 /BPC 8 /CS /G ID \u0000Q\u00ffEI Q EI',
		'/Im#31 Do',
		'2 0 0 2 0 0 cm [(x) 5 (y)] TJ << /MCID 3 >> BDC /Im2 Do EMC',
		'Q /Im3 Do Q Q /Im4 Do',
	].join('\n');
	readContent(Buffer.from(stream, 'latin1'), {ctm: identity}, {paint: (name, {ctm}) => painted.push([name, ctm])});
	t.deepEqual(painted, [
		['Im1', [1, 0, 0, 1, 10, 20]],
		['Im2', [2, 0, 0, 2, 10, 20]],
		['Im3', [1, 0, 0, 1, 0, 0]],
		['Im4', [1, 0, 0, 1, 0, 0]],
	]);
});
