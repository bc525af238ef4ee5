/**
Each page's images and where their top edges stand, read from the file with pdf-lib rather than
through pdf.js's operator lists: an operator list loads every font, builds every glyph and path and
decodes every image, which made a page with images cost 2–4× one without. Here only the content
streams are scanned (q, Q, cm, Do, through form XObjects) and each image is written as the file
stores it (stored-image.ts).

A page comes back `undefined` when pdf.js must do it after all: an image this cannot write, or a
content stream it cannot read. The whole document does when pdf-lib cannot load it, it is encrypted
(its streams would need decrypting) or the page counts disagree.
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
import {identity, type Matrix, multiply, paintedXObjects} from './content-stream.js';
import {inflated, type StoredImage, storedImage, unsupported} from './stored-image.js';

export type PlacedImage = StoredImage & {
	/** Where its top edge stands on the page (PDF units from the bottom). */
	top: number;
};

/** Forms nested deeper than this are not followed (a malicious file may nest without end). */
const maxFormDepth = 12;

export async function storedImages(
	data: Uint8Array,
	pages: number,
): Promise<Array<PlacedImage[] | undefined> | undefined> {
	let document: PDFDocument;
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
	}
	if (document.isEncrypted) return undefined;
	const leaves = document.getPages();
	if (leaves.length !== pages) return undefined;
	const {context} = document;
	const written = new Map<string, StoredImage | typeof unsupported>();
	const result: Array<PlacedImage[] | undefined> = [];
	for (const leaf of leaves) {
		try {
			const painted = paintedImages(context, leaf.node.Resources(), leaf.node.Contents());
			if (!painted) {
				result.push(undefined);
				continue;
			}
			const placed: PlacedImage[] = [];
			for (const {key, stream, top} of painted) {
				if (!written.has(key)) written.set(key, await storedImage(context, stream));
				const image = written.get(key)!;
				if (image === unsupported) break;
				placed.push({...image, top});
			}
			result.push(placed.length === painted.length ? placed : undefined);
		} catch {
			result.push(undefined);
		}
	}
	return result;
}

type Painted = {key: string; stream: PDFRawStream; top: number};

/** The images a page paints, each once, in the order first painted; undefined if a stream is unreadable. */
function paintedImages(
	context: PDFContext,
	resources: PDFDict | undefined,
	contents: PDFObject | undefined,
): Painted[] | undefined {
	const found = new Map<string, Painted>();
	let readable = true;
	const visit = (resources: PDFDict | undefined, bytes: Uint8Array, start: Matrix, within: readonly string[]) => {
		paintedXObjects(bytes, start, (name, ctm) => {
			const xobjects = resources?.lookupMaybe(PDFName.of('XObject'), PDFDict);
			const reference = xobjects?.get(PDFName.of(name));
			const object = reference === undefined ? undefined : context.lookup(reference);
			if (!(object instanceof PDFRawStream)) return;
			const key = reference instanceof PDFRef ? reference.toString() : `${within.join('/')}/${name}`;
			const subtype = object.dict.lookupMaybe(PDFName.of('Subtype'), PDFName)?.decodeText();
			if (subtype === 'Image') {
				// Stencil masks paint a colour through a shape: no picture of their own.
				if (object.dict.get(PDFName.of('ImageMask'))?.toString() === 'true' || found.has(key)) return;
				const [, b, , d, , f] = ctm;
				found.set(key, {key, stream: object, top: Math.max(f, f + b + d)});
			} else if (subtype === 'Form' && within.length < maxFormDepth && !within.includes(key)) {
				const content = streamContent(context, object);
				if (!content) {
					readable = false;
					return;
				}
				const own = object.dict.lookupMaybe(PDFName.of('Resources'), PDFDict);
				visit(own ?? resources, content, multiply(ctm, formMatrix(context, object.dict)), [...within, key]);
			}
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
	visit(resources, Buffer.concat(parts), identity, []);
	return readable ? [...found.values()] : undefined;
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
