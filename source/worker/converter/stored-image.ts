/**
One image XObject, written as a file without pdf.js decoding it: a JPEG (DCTDecode) as the bytes
the PDF holds, a Flate or unfiltered image as PNG (its zlib data kept as the PNG's own when its
predictor is PNG's, else inflated and deflated at level 1). A soft mask of the image's size becomes
its alpha channel (a JPEG that has one is then decoded, by pdf.js's JPEG decoder). What it cannot
write so (JPEG 2000, JBIG2, CCITT, LZW, CMYK pixels, Lab, DeviceN, Decode arrays, colour-key and
stencil masks) it says is `unsupported`; the caller has pdf.js decode such an image's page instead.
*/
import {inflateSync} from 'node:zlib';
import {
	PDFArray,
	type PDFContext,
	PDFDict,
	PDFHexString,
	PDFName,
	PDFNumber,
	type PDFObject,
	PDFRawStream,
	PDFString,
} from 'pdf-lib';
import {type PngImage, rowBytes, writePng} from './png.js';

export type StoredImage = {extension: 'jpg' | 'png'; bytes: Buffer; width: number; height: number};

export const unsupported = Symbol('unsupported');

type Pixels = {
	width: number;
	height: number;
	/** 1 gray, 3 RGB, or a palette index (colour type 3). */
	colorType: 0 | 2 | 3;
	bitDepth: 1 | 2 | 4 | 8 | 16;
	palette?: Uint8Array;
	/** The stream's zlib data, when its rows are already PNG-filtered (a PNG predictor). */
	idat?: Uint8Array;
	rows: () => Uint8Array;
};

type JpegDecoder = new () => {
	parse(data: Uint8Array): void;
	getData(options: {width: number; height: number; forceRGB?: boolean}): Uint8Array | Uint8ClampedArray;
	numComponents: number;
};
/** pdf.js's image decoders, which have no type declarations. */
const decoderModule = 'pdfjs-dist/legacy/image_decoders/pdf.image_decoders.mjs';
let jpegDecoder: Promise<JpegDecoder> | undefined;
const loadJpegDecoder = () =>
	(jpegDecoder ??= (import(decoderModule) as Promise<{JpegImage: JpegDecoder}>).then(m => m.JpegImage));

function lookup(context: PDFContext, object: PDFObject | undefined): PDFObject | undefined {
	return object === undefined ? undefined : context.lookup(object);
}

function number(context: PDFContext, dict: PDFDict, key: string): number | undefined {
	const value = lookup(context, dict.get(PDFName.of(key)));
	return value instanceof PDFNumber ? value.asNumber() : undefined;
}

function nameOf(object: PDFObject | undefined): string | undefined {
	return object instanceof PDFName ? object.decodeText() : undefined;
}

function filters(context: PDFContext, dict: PDFDict): string[] | undefined {
	const value = lookup(context, dict.get(PDFName.of('Filter')));
	if (value === undefined) return [];
	if (value instanceof PDFName) return [value.decodeText()];
	if (!(value instanceof PDFArray)) return undefined;
	const names = value.asArray().map(v => nameOf(lookup(context, v)));
	return names.every((n): n is string => n !== undefined) ? names : undefined;
}

function decodeParms(context: PDFContext, dict: PDFDict): PDFDict | undefined {
	let value = lookup(context, dict.get(PDFName.of('DecodeParms')) ?? dict.get(PDFName.of('DP')));
	if (value instanceof PDFArray) value = lookup(context, value.get(0));
	return value instanceof PDFDict ? value : undefined;
}

/** A colour space as PNG can store it: samples per pixel, or a palette; undefined when it cannot. */
function colorSpace(
	context: PDFContext,
	object: PDFObject | undefined,
	depth = 0,
): {colorType: 0 | 2} | {colorType: 3; palette: Uint8Array} | undefined {
	const value = lookup(context, object);
	const name = nameOf(value);
	if (name === 'DeviceGray' || name === 'CalGray' || name === 'G') return {colorType: 0};
	if (name === 'DeviceRGB' || name === 'CalRGB' || name === 'RGB') return {colorType: 2};
	if (!(value instanceof PDFArray) || depth > 2) return undefined;
	const family = nameOf(lookup(context, value.get(0)));
	if (family === 'CalGray') return {colorType: 0};
	if (family === 'CalRGB') return {colorType: 2};
	if (family === 'ICCBased') {
		const profile = lookup(context, value.get(1));
		const components = profile instanceof PDFRawStream ? number(context, profile.dict, 'N') : undefined;
		return components === 1 ? {colorType: 0} : components === 3 ? {colorType: 2} : undefined;
	}
	if (family === 'Indexed' || family === 'I') {
		const cmyk = nameOf(lookup(context, value.get(1))) === 'DeviceCMYK';
		const base = cmyk ? undefined : colorSpace(context, value.get(1), depth + 1);
		const high = lookup(context, value.get(2));
		const table = lookup(context, value.get(3));
		if ((!cmyk && (!base || base.colorType === 3)) || !(high instanceof PDFNumber)) return undefined;
		const bytes =
			table instanceof PDFString || table instanceof PDFHexString
				? table.asBytes()
				: table instanceof PDFRawStream
					? streamBytes(context, table)
					: undefined;
		const entries = Math.min(256, Math.floor(high.asNumber()) + 1);
		const width = cmyk ? 4 : base?.colorType === 0 ? 1 : 3;
		if (!bytes || bytes.length < entries * width) return undefined;
		const palette = new Uint8Array(entries * 3);
		for (let i = 0; i < entries; i++) {
			const at = i * width;
			if (cmyk) {
				// The plain conversion (no colour profile): a palette's few colours, not a photograph.
				const k = 255 - bytes[at + 3]!;
				for (let c = 0; c < 3; c++) palette[i * 3 + c] = Math.round(((255 - bytes[at + c]!) * k) / 255);
			} else for (let c = 0; c < 3; c++) palette[i * 3 + c] = bytes[at + (width === 1 ? 0 : c)]!;
		}
		return {colorType: 3, palette};
	}
	return undefined;
}

/** A stream's bytes with Flate undone (no filter: as they are); undefined for any other filter. */
function streamBytes(context: PDFContext, stream: PDFRawStream): Uint8Array | undefined {
	const list = filters(context, stream.dict);
	if (list === undefined || list.length > 1) return undefined;
	if (list.length === 0) return stream.contents;
	if (list[0] !== 'FlateDecode' && list[0] !== 'Fl') return undefined;
	const parms = decodeParms(context, stream.dict);
	if (parms && (number(context, parms, 'Predictor') ?? 1) > 1) return undefined;
	return inflated(stream.contents);
}

export function inflated(data: Uint8Array): Uint8Array {
	// Truncated zlib data is common in PDFs: keep what inflates.
	return inflateSync(data, {finishFlush: 2 /* Z_SYNC_FLUSH */});
}

/** PNG's row filters undone (PDF predictors 10–15 write them as PNG does). */
function unfiltered(data: Uint8Array, stride: number, bytesPerPixel: number, height: number): Uint8Array {
	const out = new Uint8Array(stride * height);
	for (let y = 0; y < height; y++) {
		const src = y * (stride + 1);
		if (src >= data.length) break;
		const type = data[src]!;
		const row = y * stride;
		for (let x = 0; x < stride; x++) {
			const raw = data[src + 1 + x] ?? 0;
			const left = x >= bytesPerPixel ? out[row + x - bytesPerPixel]! : 0;
			const up = y > 0 ? out[row - stride + x]! : 0;
			const corner = y > 0 && x >= bytesPerPixel ? out[row - stride + x - bytesPerPixel]! : 0;
			let predicted = 0;
			if (type === 1) predicted = left;
			else if (type === 2) predicted = up;
			else if (type === 3) predicted = (left + up) >> 1;
			else if (type === 4) {
				const p = left + up - corner;
				const pa = Math.abs(p - left);
				const pb = Math.abs(p - up);
				const pc = Math.abs(p - corner);
				predicted = pa <= pb && pa <= pc ? left : pb <= pc ? up : corner;
			}
			out[row + x] = (raw + predicted) & 0xff;
		}
	}
	return out;
}

function pixelsOf(context: PDFContext, stream: PDFRawStream): Pixels | typeof unsupported {
	const {dict} = stream;
	const width = number(context, dict, 'Width') ?? number(context, dict, 'W');
	const height = number(context, dict, 'Height') ?? number(context, dict, 'H');
	const bits = number(context, dict, 'BitsPerComponent') ?? number(context, dict, 'BPC');
	const list = filters(context, dict);
	if (!width || !height || !list || list.length > 1) return unsupported;
	if (bits !== 1 && bits !== 2 && bits !== 4 && bits !== 8 && bits !== 16) return unsupported;
	const space = colorSpace(context, dict.get(PDFName.of('ColorSpace')) ?? dict.get(PDFName.of('CS')));
	if (!space || (space.colorType === 2 && bits < 8) || (space.colorType === 3 && bits > 8)) return unsupported;
	if (
		!plainDecode(
			context,
			dict,
			space.colorType === 3 ? [0, 2 ** bits - 1] : space.colorType === 0 ? [0, 1] : [0, 1, 0, 1, 0, 1],
		)
	)
		return unsupported;
	const filter = list[0];
	if (filter !== undefined && filter !== 'FlateDecode' && filter !== 'Fl') return unsupported;
	const parms = filter === undefined ? undefined : decodeParms(context, stream.dict);
	const predictor = parms ? (number(context, parms, 'Predictor') ?? 1) : 1;
	const samples = space.colorType === 2 ? 3 : 1;
	const stride = rowBytes(width, space.colorType, bits);
	const base = {width, height, bitDepth: bits, ...space} as const;
	if (predictor >= 10) {
		const fits =
			(number(context, parms!, 'Colors') ?? 1) === samples &&
			(number(context, parms!, 'BitsPerComponent') ?? 8) === bits &&
			(number(context, parms!, 'Columns') ?? 1) === width;
		if (!fits) return unsupported;
		const bytesPerPixel = Math.max(1, (samples * bits) / 8);
		return {
			...base,
			idat: stream.contents,
			rows: () => unfiltered(inflated(stream.contents), stride, bytesPerPixel, height),
		};
	}
	if (predictor !== 1) return unsupported;
	return {...base, rows: () => (filter === undefined ? stream.contents : inflated(stream.contents))};
}

/** Whether the image has no Decode array or the one that changes nothing (an inverted one would). */
function plainDecode(context: PDFContext, dict: PDFDict, plain: number[]): boolean {
	const value = lookup(context, dict.get(PDFName.of('Decode')) ?? dict.get(PDFName.of('D')));
	if (value === undefined) return true;
	if (!(value instanceof PDFArray) || value.size() !== plain.length) return false;
	return value.asArray().every((v, i) => {
		const n = lookup(context, v);
		return n instanceof PDFNumber && n.asNumber() === plain[i];
	});
}

/** 8-bit samples per pixel: gray 1, RGB 3 (palette images expanded). */
function eightBit(pixels: Pixels): {channels: 1 | 3; data: Uint8Array} | undefined {
	if (pixels.bitDepth !== 8) return undefined;
	const rows = pixels.rows();
	if (pixels.colorType !== 3) return {channels: pixels.colorType === 0 ? 1 : 3, data: rows};
	const palette = pixels.palette!;
	const data = new Uint8Array(pixels.width * pixels.height * 3);
	for (let i = 0; i < pixels.width * pixels.height; i++) {
		const at = (rows[i] ?? 0) * 3;
		data[i * 3] = palette[at] ?? 0;
		data[i * 3 + 1] = palette[at + 1] ?? 0;
		data[i * 3 + 2] = palette[at + 2] ?? 0;
	}
	return {channels: 3, data};
}

async function decodedJpeg(
	bytes: Uint8Array,
	width: number,
	height: number,
): Promise<{channels: 1 | 3; data: Uint8Array}> {
	const Jpeg = await loadJpegDecoder();
	const jpeg = new Jpeg();
	jpeg.parse(bytes);
	const gray = jpeg.numComponents === 1;
	const data = jpeg.getData({width, height, forceRGB: !gray});
	return {channels: gray ? 1 : 3, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength)};
}

/** A soft mask's 8-bit alpha values, or unsupported. */
async function alphaOf(context: PDFContext, mask: PDFRawStream, width: number, height: number) {
	const list = filters(context, mask.dict);
	const sameSize = number(context, mask.dict, 'Width') === width && number(context, mask.dict, 'Height') === height;
	if (!sameSize || mask.dict.has(PDFName.of('Matte')) || !plainDecode(context, mask.dict, [0, 1])) return unsupported;
	if (list?.length === 1 && list[0] === 'DCTDecode') {
		const decoded = await decodedJpeg(mask.contents, width, height);
		return decoded.channels === 1 ? decoded.data : unsupported;
	}
	const pixels = pixelsOf(context, mask);
	if (pixels === unsupported || pixels.colorType !== 0) return unsupported;
	return eightBit(pixels)?.data ?? unsupported;
}

function withAlpha(
	color: {channels: 1 | 3; data: Uint8Array},
	alpha: Uint8Array,
	width: number,
	height: number,
): PngImage {
	const {channels, data} = color;
	const rows = new Uint8Array(width * height * (channels + 1));
	for (let i = 0, o = 0; i < width * height; i++) {
		for (let c = 0; c < channels; c++) rows[o++] = data[i * channels + c] ?? 0;
		rows[o++] = alpha[i] ?? 255;
	}
	return {width, height, colorType: channels === 1 ? 4 : 6, bitDepth: 8, rows};
}

/** The component count in a JPEG's frame header (1 gray, 3 colour, 4 CMYK), or undefined. */
function jpegComponents(data: Uint8Array): number | undefined {
	let i = data.findIndex((b, at) => b === 0xff && data[at + 1] === 0xd8);
	if (i < 0) return undefined;
	i += 2;
	while (i + 9 < data.length) {
		if (data[i] !== 0xff) return undefined;
		const marker = data[i + 1]!;
		if (marker === 0xff) {
			i++; // fill byte
			continue;
		}
		// Start of frame: C0–CF but for C4 (Huffman tables), C8 (reserved) and CC (arithmetic coding).
		if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) return data[i + 9];
		i += 2 + ((data[i + 2]! << 8) | data[i + 3]!);
	}
	return undefined;
}

/** The image as a file, or `unsupported`. */
export async function storedImage(
	context: PDFContext,
	stream: PDFRawStream,
): Promise<StoredImage | typeof unsupported> {
	const {dict} = stream;
	const maskObject = lookup(context, dict.get(PDFName.of('SMask')));
	const mask = maskObject instanceof PDFRawStream ? maskObject : undefined;
	if (dict.has(PDFName.of('Mask')) || (maskObject !== undefined && !mask && nameOf(maskObject) !== 'None'))
		return unsupported;
	const width = number(context, dict, 'Width') ?? 0;
	const height = number(context, dict, 'Height') ?? 0;
	const list = filters(context, dict);
	if (list?.length === 1 && (list[0] === 'DCTDecode' || list[0] === 'DCT')) {
		const components = jpegComponents(stream.contents);
		if (
			!width ||
			!height ||
			!components ||
			!plainDecode(context, dict, Array.from({length: components}, () => [0, 1]).flat())
		)
			return unsupported;
		const start = stream.contents.findIndex((b, i, all) => b === 0xff && all[i + 1] === 0xd8);
		if (start < 0) return unsupported;
		const jpeg = stream.contents.subarray(start);
		if (!mask) return {extension: 'jpg', bytes: Buffer.from(jpeg), width, height};
		const alpha = await alphaOf(context, mask, width, height);
		if (alpha === unsupported) return unsupported;
		const png = withAlpha(await decodedJpeg(jpeg, width, height), alpha, width, height);
		return {extension: 'png', bytes: writePng(png), width, height};
	}
	const pixels = pixelsOf(context, stream);
	if (pixels === unsupported) return unsupported;
	if (mask) {
		const color = eightBit(pixels);
		const alpha = color ? await alphaOf(context, mask, width, height) : unsupported;
		if (!color || alpha === unsupported) return unsupported;
		return {extension: 'png', bytes: writePng(withAlpha(color, alpha, width, height)), width, height};
	}
	const png: PngImage = {
		width: pixels.width,
		height: pixels.height,
		colorType: pixels.colorType,
		bitDepth: pixels.bitDepth,
		rows: pixels.idat ? new Uint8Array() : pixels.rows(),
		...(pixels.palette ? {palette: pixels.palette} : {}),
	};
	return {extension: 'png', bytes: writePng(png, pixels.idat), width: pixels.width, height: pixels.height};
}
