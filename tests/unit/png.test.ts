/** The PNG encoder: what a reader decodes (inflate, then each row's filter undone) is the pixels given. */
import {inflateSync} from 'node:zlib';
import test from 'ava';
import {encodePng} from '../../source/worker/converter/png.js';

/** A PNG's chunks by type, and its pixels with the filters (None, Sub, Up) undone. */
function decode(png: Buffer): {width: number; height: number; colorType: number; pixels: Uint8Array} {
	const chunks = new Map<string, Buffer[]>();
	for (let at = 8; at < png.length; ) {
		const length = png.readUInt32BE(at);
		const type = png.toString('latin1', at + 4, at + 8);
		chunks.set(type, [...(chunks.get(type) ?? []), png.subarray(at + 8, at + 8 + length)]);
		at += 12 + length;
	}
	const header = chunks.get('IHDR')![0]!;
	const width = header.readUInt32BE(0);
	const height = header.readUInt32BE(4);
	const colorType = header[9]!;
	const channels = colorType === 0 ? 1 : colorType === 2 ? 3 : 4;
	const raw = inflateSync(Buffer.concat(chunks.get('IDAT')!));
	const stride = width * channels;
	const pixels = new Uint8Array(stride * height);
	for (let y = 0; y < height; y++) {
		const filter = raw[y * (stride + 1)]!;
		for (let i = 0; i < stride; i++) {
			const value = raw[y * (stride + 1) + 1 + i]!;
			const left = i >= channels ? pixels[y * stride + i - channels]! : 0;
			const up = y > 0 ? pixels[(y - 1) * stride + i]! : 0;
			pixels[y * stride + i] = (value + (filter === 1 ? left : filter === 2 ? up : 0)) & 0xff;
		}
	}
	return {width, height, colorType, pixels};
}

test('gray, RGB and translucent RGBA decode to the pixels given; opaque RGBA is written as RGB', t => {
	const [width, height] = [7, 5];
	const ramp = (channels: number) =>
		Uint8Array.from({length: width * height * channels}, (_, i) => (i * 37 + (i >> 3)) & 0xff);
	const gray = ramp(1);
	t.deepEqual(decode(encodePng(width, height, 1, gray)), {width, height, colorType: 0, pixels: gray});
	const rgb = ramp(3);
	t.deepEqual(decode(encodePng(width, height, 3, rgb)), {width, height, colorType: 2, pixels: rgb});
	const translucent = ramp(4);
	t.deepEqual(decode(encodePng(width, height, 4, translucent)), {width, height, colorType: 6, pixels: translucent});
	const opaque = ramp(4).map((v, i) => (i % 4 === 3 ? 255 : v));
	const written = decode(encodePng(width, height, 4, opaque));
	t.is(written.colorType, 2, 'an alpha channel opaque everywhere is left out');
	t.deepEqual(
		written.pixels,
		rgb.map((_, i) => opaque[Math.floor(i / 3) * 4 + (i % 3)]!),
	);
});
