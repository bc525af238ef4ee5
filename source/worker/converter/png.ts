/**
A minimal PNG encoder for extracted images, on Node's zlib. Speed over size: deflate level 1 with the
Up filter (each row as its difference from the one above, which photos and scans compress well at
any level), and an alpha channel that is opaque everywhere left out: at level 6 with no filter,
deflate was most of a page's conversion time for pages with images.

Rows are packed as PDF image streams pack them (each row padded to a whole byte, samples big-endian),
so the samples of a gray, RGB or palette image in a PDF go in as they are, at 1, 2, 4, 8 or 16 bits.
*/
import {crc32, deflateSync} from 'node:zlib';

export type PngImage = {
	width: number;
	height: number;
	/** 0 gray, 2 RGB, 3 palette, 4 gray + alpha, 6 RGBA (PNG's colour types). */
	colorType: 0 | 2 | 3 | 4 | 6;
	bitDepth: 1 | 2 | 4 | 8 | 16;
	/** The rows, unfiltered, each ceil(width × samples × bitDepth / 8) bytes. */
	rows: Uint8Array | Uint8ClampedArray;
	/** RGB triples, for colour type 3. */
	palette?: Uint8Array;
};

const samplesPerPixel = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4} as const;

function chunk(type: string, data: Uint8Array): Buffer {
	const length = Buffer.alloc(4);
	length.writeUInt32BE(data.byteLength);
	const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
	const crc = Buffer.alloc(4);
	crc.writeUInt32BE(crc32(typeAndData) >>> 0);
	return Buffer.concat([length, typeAndData, crc]);
}

export function rowBytes(width: number, colorType: PngImage['colorType'], bitDepth: PngImage['bitDepth']): number {
	return Math.ceil((width * samplesPerPixel[colorType] * bitDepth) / 8);
}

/** The PNG of an image; the zlib stream of its filtered rows (IDAT) may be given ready-made. */
export function writePng(image: PngImage, idat?: Uint8Array): Buffer {
	const {width, height, colorType, bitDepth} = image;
	const header = Buffer.alloc(13);
	header.writeUInt32BE(width, 0);
	header.writeUInt32BE(height, 4);
	header[8] = bitDepth;
	header[9] = colorType;
	return Buffer.concat([
		Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		chunk('IHDR', header),
		...(image.palette ? [chunk('PLTE', image.palette)] : []),
		chunk('IDAT', idat ?? deflateSync(upFiltered(image), {level: 1})),
		chunk('IEND', Buffer.alloc(0)),
	]);
}

function upFiltered({width, height, colorType, bitDepth, rows}: PngImage): Buffer {
	const stride = rowBytes(width, colorType, bitDepth);
	const raw = Buffer.alloc((stride + 1) * height);
	for (let y = 0; y < height; y++) {
		const row = y * (stride + 1);
		const at = y * stride;
		raw[row] = y === 0 ? 0 : 2; // filter: none for the first row, Up for the rest
		if (y === 0) raw.set(rows.subarray(0, stride), 1);
		else for (let i = 0; i < stride; i++) raw[row + 1 + i] = (rows[at + i]! - rows[at - stride + i]!) & 0xff;
	}
	return raw;
}

/** An 8-bit gray, RGB or RGBA image as PNG (what pdf.js hands out decoded). */
export function encodePng(
	width: number,
	height: number,
	channels: 1 | 3 | 4,
	pixels: Uint8Array | Uint8ClampedArray,
): Buffer {
	if (channels === 4 && isOpaque(pixels)) return encodePng(width, height, 3, dropAlpha(pixels));
	const colorType = channels === 1 ? 0 : channels === 3 ? 2 : 6;
	return writePng({width, height, colorType, bitDepth: 8, rows: pixels});
}

function isOpaque(rgba: Uint8Array | Uint8ClampedArray): boolean {
	for (let i = 3; i < rgba.length; i += 4) if (rgba[i] !== 255) return false;
	return true;
}

function dropAlpha(rgba: Uint8Array | Uint8ClampedArray): Uint8Array {
	const rgb = new Uint8Array((rgba.length / 4) * 3);
	for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
		rgb[j] = rgba[i]!;
		rgb[j + 1] = rgba[i + 1]!;
		rgb[j + 2] = rgba[i + 2]!;
	}
	return rgb;
}
