/** A PNG reader for tests: its header, palette and rows with every filter (None, Sub, Up, Average, Paeth) undone. */
import {inflateSync} from 'node:zlib';

export type ReadPng = {
	width: number;
	height: number;
	colorType: number;
	bitDepth: number;
	palette?: Uint8Array;
	/** The rows as stored, unfiltered: ceil(width × samples × bitDepth / 8) bytes each. */
	pixels: Uint8Array;
};

export function readPng(png: Uint8Array): ReadPng {
	const data = Buffer.from(png);
	const chunks = new Map<string, Buffer[]>();
	for (let at = 8; at < data.length; ) {
		const length = data.readUInt32BE(at);
		const type = data.toString('latin1', at + 4, at + 8);
		chunks.set(type, [...(chunks.get(type) ?? []), data.subarray(at + 8, at + 8 + length)]);
		at += 12 + length;
	}
	const header = chunks.get('IHDR')![0]!;
	const width = header.readUInt32BE(0);
	const height = header.readUInt32BE(4);
	const bitDepth = header[8]!;
	const colorType = header[9]!;
	const samples = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[colorType] ?? 0;
	const stride = Math.ceil((width * samples * bitDepth) / 8);
	const bpp = Math.max(1, (samples * bitDepth) / 8);
	const raw = inflateSync(Buffer.concat(chunks.get('IDAT')!));
	const pixels = new Uint8Array(stride * height);
	for (let y = 0; y < height; y++) {
		const filter = raw[y * (stride + 1)]!;
		for (let i = 0; i < stride; i++) {
			const value = raw[y * (stride + 1) + 1 + i]!;
			const left = i >= bpp ? pixels[y * stride + i - bpp]! : 0;
			const up = y > 0 ? pixels[(y - 1) * stride + i]! : 0;
			const corner = y > 0 && i >= bpp ? pixels[(y - 1) * stride + i - bpp]! : 0;
			const p = left + up - corner;
			const paeth =
				Math.abs(p - left) <= Math.abs(p - up) && Math.abs(p - left) <= Math.abs(p - corner)
					? left
					: Math.abs(p - up) <= Math.abs(p - corner)
						? up
						: corner;
			const predicted = [0, left, up, (left + up) >> 1, paeth][filter] ?? 0;
			pixels[y * stride + i] = (value + predicted) & 0xff;
		}
	}
	const palette = chunks.get('PLTE')?.[0];
	return {width, height, colorType, bitDepth, pixels, ...(palette ? {palette: new Uint8Array(palette)} : {})};
}
