/**
One pass over the file with pdf-lib beside pdf.js, for what pdf.js tells only through operator lists:
each page's images with where their top edges stand, and the fonts its text is shown in (their names
say bold or italic). An operator list loads every font, builds every glyph and path and decodes
every image: it made a page with images cost 2–5× one without, and text with its fonts 1.4×. Here
only the content streams are read (q, Q, cm, Do, Tf and text shown, through form XObjects) and each
image is written as the file stores it (stored-image.ts).

A page's images come back `undefined` when pdf.js must read them after all: an image this cannot
write, or a content stream it cannot read (then its fonts are undefined too). The whole scan does when
pdf-lib cannot load the file or it is encrypted (its streams would need decrypting); the caller checks
that pdf.js counts the same pages.
*/
import {
	decodePDFRawStream,
	PDFArray,
	type PDFContext,
	PDFDict,
	PDFDocument,
	PDFName,
	PDFNumber,
	type PDFObject,
	PDFRawStream,
	PDFRef,
	ParseSpeeds,
} from 'pdf-lib';
import {type ContentState, identity, type Matrix, multiply, readContent} from './content-stream.js';
import {inflated, type StoredImage, storedImage, unsupported} from './stored-image.js';
import {bold, fixedPitch, italic, type Style, styleOfFont} from './text-styles.js';

export type PlacedImage = StoredImage & {
	/** Where its top edge stands on the page (PDF units from the bottom). */
	top: number;
};

export type ScannedPage = {
	/** Undefined: pdf.js must read this page's images. */
	images: PlacedImage[] | undefined;
	/** The font of each text-showing operator with more than spaces, in content order (keys into `fonts`). */
	fonts: string[] | undefined;
};

export type Scan = {pages: ScannedPage[]; fonts: Map<string, Style>};

/** Forms nested deeper than this are not followed (a malicious file may nest without end). */
const maxFormDepth = 12;

export async function scanPdf(data: Uint8Array, options: {images: boolean}): Promise<Scan | undefined> {
	let document: PDFDocument;
	// pdf-lib tells of each damaged object on the console; a damaged file is pdf.js's to judge, and
	// the worker's log is no place for it. One document is read at a time in a conversion process.
	const warn = console.warn;
	console.warn = () => {};
	try {
		document = await PDFDocument.load(data, {
			ignoreEncryption: true,
			updateMetadata: false,
			throwOnInvalidObject: false,
			// By default pdf-lib yields to the event loop every 100 objects: idle time, in a process
			// that converts one document at a time.
			parseSpeed: ParseSpeeds.Fastest,
		});
	} catch {
		return undefined;
	} finally {
		console.warn = warn;
	}
	if (document.isEncrypted) return undefined;
	try {
		return await scanPages(document, options);
	} catch {
		// A file pdf-lib loads but cannot walk (no page tree): pdf.js's to judge.
		return undefined;
	}
}

async function scanPages(document: PDFDocument, options: {images: boolean}): Promise<Scan> {
	const {context} = document;
	const written = new Map<string, StoredImage | typeof unsupported>();
	const fonts = new Map<string, Style>();
	const table: FontTable = {styles: fonts, codes: new Map(), byName: new WeakMap()};
	const pages: ScannedPage[] = [];
	for (const leaf of document.getPages()) {
		try {
			const read = readPage(context, leaf.node.Resources(), leaf.node.Contents(), table);
			if (!read) {
				pages.push({images: undefined, fonts: undefined});
				continue;
			}
			const placed: PlacedImage[] = [];
			for (const {key, stream, top} of options.images ? read.painted : []) {
				if (!written.has(key)) written.set(key, await storedImage(context, stream));
				const image = written.get(key)!;
				if (image === unsupported) break;
				placed.push({...image, top});
			}
			const complete = !options.images || placed.length === read.painted.length;
			pages.push({images: complete ? placed : undefined, fonts: read.fonts});
		} catch {
			pages.push({images: undefined, fonts: undefined});
		}
	}
	return {pages, fonts};
}

type Painted = {key: string; stream: PDFRawStream; top: number};

/** The fonts met so far: styles and codes by key, and each resource dictionary's names resolved to keys. */
type FontTable = {
	styles: Map<string, Style>;
	codes: Map<string, FontCodes>;
	byName: WeakMap<PDFDict, Map<string, string | undefined>>;
};

/**
The images a page paints, each once, in the order first painted, and the fonts of its text shown;
undefined if a stream is unreadable. Each font met is added to `fonts`.
*/
function readPage(
	context: PDFContext,
	resources: PDFDict | undefined,
	contents: PDFObject | undefined,
	fonts: FontTable,
): {painted: Painted[]; fonts: string[]} | undefined {
	const found = new Map<string, Painted>();
	const shown: string[] = [];
	const keyOf = (resources: PDFDict | undefined, name: string, within: readonly string[]): string | undefined => {
		const reference = resources?.lookupMaybe(PDFName.of('Font'), PDFDict)?.get(PDFName.of(name));
		const font = reference === undefined ? undefined : context.lookup(reference);
		if (!(font instanceof PDFDict)) return undefined;
		const key = reference instanceof PDFRef ? reference.toString() : `${within.join('/')}/${name}`;
		if (!fonts.styles.has(key)) fonts.styles.set(key, fontStyle(context, font));
		if (!fonts.codes.has(key)) fonts.codes.set(key, fontCodes(context, font));
		return key;
	};
	let readable = true;
	const visit = (resources: PDFDict | undefined, bytes: Uint8Array, start: ContentState, within: readonly string[]) => {
		readContent(bytes, start, {
			font: name => {
				if (!resources) return undefined;
				const known = fonts.byName.get(resources) ?? new Map<string, string | undefined>();
				fonts.byName.set(resources, known);
				if (!known.has(name)) known.set(name, keyOf(resources, name, within));
				return known.get(name);
			},
			// pdf.js makes no text item of spaces: what shows only spaces is left out here too.
			text: (font, strings) => {
				const known = font === undefined ? undefined : fonts.codes.get(font);
				if (!known || strings.some(bytes => showsText(bytes, known))) shown.push(font ?? '');
			},
			paint: (name, state) => {
				const xobjects = resources?.lookupMaybe(PDFName.of('XObject'), PDFDict);
				const reference = xobjects?.get(PDFName.of(name));
				const object = reference === undefined ? undefined : context.lookup(reference);
				if (!(object instanceof PDFRawStream)) return;
				const key = reference instanceof PDFRef ? reference.toString() : `${within.join('/')}/${name}`;
				const subtype = object.dict.lookupMaybe(PDFName.of('Subtype'), PDFName)?.decodeText();
				if (subtype === 'Image') {
					// Stencil masks paint a colour through a shape: no picture of their own.
					if (object.dict.get(PDFName.of('ImageMask'))?.toString() === 'true' || found.has(key)) return;
					const [, b, , d, , f] = state.ctm;
					found.set(key, {key, stream: object, top: Math.max(f, f + b + d)});
				} else if (subtype === 'Form' && within.length < maxFormDepth && !within.includes(key)) {
					const content = streamContent(context, object);
					if (!content) {
						readable = false;
						return;
					}
					const own = object.dict.lookupMaybe(PDFName.of('Resources'), PDFDict);
					const ctm = multiply(state.ctm, formMatrix(context, object.dict));
					visit(own ?? resources, content, {ctm, font: state.font}, [...within, key]);
				}
			},
		});
	};
	const streams = contents instanceof PDFArray ? contents.asArray().map(v => context.lookup(v)) : [contents];
	const parts: Uint8Array[] = [];
	for (const stream of streams) {
		if (stream === undefined) continue;
		const content = stream instanceof PDFRawStream ? streamContent(context, stream) : undefined;
		if (!content) return undefined;
		parts.push(content, Buffer.from('\n'));
	}
	visit(resources, Buffer.concat(parts), {ctm: identity}, []);
	return readable ? {painted: [...found.values()], fonts: shown} : undefined;
}

/** How a font's strings read: one byte a code or two, and the codes its ToUnicode maps to white space. */
type FontCodes = {width: 1 | 2; spaces: Set<number>};

function fontCodes(context: PDFContext, font: PDFDict): FontCodes {
	const width = font.lookupMaybe(PDFName.of('Subtype'), PDFName)?.decodeText() === 'Type0' ? 2 : 1;
	const spaces = new Set<number>(width === 1 ? [0x20] : []);
	const map = font.lookup(PDFName.of('ToUnicode'));
	const text = map instanceof PDFRawStream ? streamContent(context, map) : undefined;
	if (!text) return {width, spaces};
	const cmap = Buffer.from(text).toString('latin1');
	// Targets are UTF-16BE; one that is empty or white space shows nothing.
	const blank = (hex: string) =>
		hex.length % 4 === 0 && Buffer.from(hex, 'hex').swap16().toString('utf16le').replaceAll('\0', '').trim() === '';
	for (const block of cmap.matchAll(/beginbfchar([\s\S]*?)endbfchar/g))
		for (const [, code, target] of block[1]!.matchAll(/<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>/g))
			if (blank(target!)) spaces.add(Number.parseInt(code!, 16));
			else spaces.delete(Number.parseInt(code!, 16));
	for (const block of cmap.matchAll(/beginbfrange([\s\S]*?)endbfrange/g))
		for (const [, low, high, target] of block[1]!.matchAll(/<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>/g))
			if (low === high && blank(target!)) spaces.add(Number.parseInt(low!, 16));
	return {width, spaces};
}

/** Whether a string's codes show anything but white space. */
function showsText(bytes: Uint8Array, font: FontCodes): boolean {
	for (let k = 0; k + font.width <= bytes.length; k += font.width) {
		const code = font.width === 2 ? (bytes[k]! << 8) | bytes[k + 1]! : bytes[k]!;
		if (!font.spaces.has(code)) return true;
	}
	return false;
}

/** A font's style: its name, and what its descriptor says (weight, slant, fixed pitch). */
function fontStyle(context: PDFContext, font: PDFDict): Style {
	const name = (key: string, dict: PDFDict) => dict.lookupMaybe(PDFName.of(key), PDFName)?.decodeText();
	const composite = name('Subtype', font) === 'Type0';
	const descendant = font.lookupMaybe(PDFName.of('DescendantFonts'), PDFArray)?.get(0);
	const described = composite && descendant ? context.lookup(descendant) : font;
	const descriptor =
		described instanceof PDFDict ? described.lookupMaybe(PDFName.of('FontDescriptor'), PDFDict) : undefined;
	const number = (key: string) => {
		const value = descriptor?.lookup(PDFName.of(key));
		return value instanceof PDFNumber ? value.asNumber() : 0;
	};
	const flags = number('Flags');
	// CJK fonts (composite) set every glyph one width: fixed pitch, but no code.
	const widths = font
		.lookupMaybe(PDFName.of('Widths'), PDFArray)
		?.asArray()
		.map(w => context.lookup(w))
		.map(w => (w instanceof PDFNumber ? w.asNumber() : 0));
	let style = styleOfFont(name('BaseFont', font) ?? '', fixedPitch(!composite && (flags & 1) !== 0, widths));
	if (flags & 0x40000 || number('FontWeight') >= 600) style |= bold;
	if (flags & 0x40 || number('ItalicAngle') !== 0) style |= italic;
	return style;
}

function formMatrix(context: PDFContext, dict: PDFDict): Matrix {
	const value = dict.lookupMaybe(PDFName.of('Matrix'), PDFArray);
	const numbers = value?.asArray().map(v => context.lookup(v));
	if (numbers?.length !== 6 || !numbers.every(n => n instanceof PDFNumber)) return identity;
	return numbers.map(n => (n as PDFNumber).asNumber()) as Matrix;
}

/** A content stream's bytes decoded: Flate through zlib, other filters through pdf-lib's decoders. */
function streamContent(context: PDFContext, stream: PDFRawStream): Uint8Array | undefined {
	const filter = context.lookup(stream.dict.get(PDFName.of('Filter')));
	try {
		if (filter === undefined) return stream.contents;
		if (
			filter instanceof PDFName &&
			filter.decodeText() === 'FlateDecode' &&
			!stream.dict.has(PDFName.of('DecodeParms'))
		)
			return inflated(stream.contents);
		return decodePDFRawStream(stream).decode();
	} catch {
		return undefined;
	}
}
