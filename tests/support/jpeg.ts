/**
The smallest baseline JPEG a decoder accepts: one gray component, every 8×8 block coded as DC
difference 0 and end-of-block, so every pixel decodes to 128. No JPEG encoder is a dependency, and
tests need a real JPEG inside generated PDFs.
*/
function segment(marker: number, body: number[]): number[] {
	const length = body.length + 2;
	return [0xff, marker, length >> 8, length & 0xff, ...body];
}

export function grayJpeg(width: number, height: number): Uint8Array {
	const blocks = Math.ceil(width / 8) * Math.ceil(height / 8);
	const onlyCode = [1, ...Array<number>(15).fill(0)]; // one Huffman code, "0", of length 1
	const bits = blocks * 2; // "0" (DC category 0) then "0" (end of block)
	const scan = Array<number>(Math.ceil(bits / 8)).fill(0);
	if (bits % 8) scan[scan.length - 1] = 0xff >> (bits % 8); // padded with 1 bits
	return Uint8Array.from([
		0xff,
		0xd8,
		...segment(0xdb, [0x00, ...Array<number>(64).fill(1)]),
		...segment(0xc0, [8, height >> 8, height & 0xff, width >> 8, width & 0xff, 1, 1, 0x11, 0]),
		...segment(0xc4, [0x00, ...onlyCode, 0x00]),
		...segment(0xc4, [0x10, ...onlyCode, 0x00]),
		...segment(0xda, [1, 1, 0x00, 0, 63, 0]),
		...scan,
		0xff,
		0xd9,
	]);
}
