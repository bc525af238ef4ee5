/**
A minimal PNG encoder for extracted images (8-bit gray, RGB or RGBA), on Node's zlib. Speed over
size: deflate level 1 with the Up filter (each row as its difference from the one above, which
photos and scans compress well at any level), and an alpha channel that is opaque everywhere left
out: at level 6 with no filter, deflate was most of a page's conversion time for pages with images.
*/
import {crc32, deflateSync} from 'node:zlib';

function chunk(type: string, data: Buffer): Buffer {
	const length = Buffer.alloc(4);
	length.writeUInt32BE(data.byteLength);
	const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
	const crc = Buffer.alloc(4);
	crc.writeUInt32BE(crc32(typeAndData) >>> 0);
	return Buffer.concat([length, typeAndData, crc]);
}

export function encodePng(
	width: number,
	height: number,
	channels: 1 | 3 | 4,
	pixels: Uint8Array | Uint8ClampedArray,
): Buffer {
	if (channels === 4 && isOpaque(pixels)) return encodePng(width, height, 3, dropAlpha(pixels));
	const header = Buffer.alloc(13);
	header.writeUInt32BE(width, 0);
	header.writeUInt32BE(height, 4);
	header[8] = 8;
	header[9] = channels === 1 ? 0 : channels === 3 ? 2 : 6;
	const stride = width * channels;
	const raw = Buffer.alloc((stride + 1) * height);
	for (let y = 0; y < height; y++) {
		const row = y * (stride + 1);
		const at = y * stride;
		raw[row] = y === 0 ? 0 : 2; // filter: none for the first row, Up for the rest
		if (y === 0) raw.set(pixels.subarray(0, stride), 1);
		else for (let i = 0; i < stride; i++) raw[row + 1 + i] = (pixels[at + i]! - pixels[at - stride + i]!) & 0xff;
	}
	return Buffer.concat([
		Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		chunk('IHDR', header),
		chunk('IDAT', deflateSync(raw, {level: 1})),
		chunk('IEND', Buffer.alloc(0)),
	]);
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
