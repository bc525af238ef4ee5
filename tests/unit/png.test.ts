/** The PNG encoder: what a reader decodes (inflate, then each row's filter undone) is the pixels given. */
import test from 'ava';
import {encodePng} from '../../source/worker/converter/png.js';
import {readPng} from '../support/png-reader.js';

const decode = (png: Buffer) => {
	const {width, height, colorType, pixels} = readPng(png);
	return {width, height, colorType, pixels};
};

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
