/**
A page's images through pdf.js's operator list, decoded and written as PNG: for what the scan of the
file (page-scan.ts) cannot write as stored (JPEG 2000, JBIG2, CCITT, …) or could not read.
*/
import {multiply} from './content-stream.js';
import type {ConvertedImage} from './line.js';
import {encodePng} from './png.js';

type PdfJs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');

type ImageObject = {width: number; height: number; kind?: number; data?: Uint8Array | Uint8ClampedArray};

export async function imagesOf(
	lib: PdfJs,
	page: Awaited<ReturnType<Awaited<ReturnType<PdfJs['getDocument']>['promise']>['getPage']>>,
	number: number,
): Promise<ConvertedImage[]> {
	const operators = await page.getOperatorList();
	// Each image's top edge, from the transformation in force where it is painted (the unit square scaled).
	const tops = new Map<string, number>();
	const stack: number[][] = [];
	let ctm = [1, 0, 0, 1, 0, 0];
	operators.fnArray.forEach((fn, i) => {
		const args = operators.argsArray[i] as unknown[];
		if (fn === lib.OPS.save) stack.push(ctm);
		else if (fn === lib.OPS.restore) ctm = stack.pop() ?? ctm;
		else if (fn === lib.OPS.transform) ctm = multiply(ctm, args.map(Number));
		else if (fn === lib.OPS.paintFormXObjectBegin) {
			stack.push(ctm);
			if (Array.isArray(args[0])) ctm = multiply(ctm, (args[0] as unknown[]).map(Number));
		} else if (fn === lib.OPS.paintFormXObjectEnd) ctm = stack.pop() ?? ctm;
		else if (fn === lib.OPS.paintImageXObject) {
			const name = String(args[0]);
			const [, b = 0, , d = 0, , f = 0] = ctm;
			if (!tops.has(name)) tops.set(name, Math.max(f, f + b + d));
		}
	});
	const names = new Set(tops.keys());
	const images: ConvertedImage[] = [];
	let index = 0;
	for (const name of names) {
		const objects = name.startsWith('g_') ? page.commonObjs : page.objs;
		// Images decode asynchronously: wait for each (the callback form), a few seconds at most.
		const image = await new Promise<ImageObject | undefined>(resolve => {
			const timer = setTimeout(() => resolve(undefined), 5000);
			try {
				objects.get(name, (value: unknown) => {
					clearTimeout(timer);
					resolve(value as ImageObject);
				});
			} catch {
				clearTimeout(timer);
				resolve(undefined);
			}
		});
		if (!image?.data || !image.width || !image.height) continue;
		const pixels = image.width * image.height;
		const channels =
			image.data.length === pixels * 4
				? 4
				: image.data.length === pixels * 3
					? 3
					: image.data.length === pixels
						? 1
						: 0;
		if (channels === 0) continue; // 1-bit masks and other packings are left out
		images.push({
			top: tops.get(name) ?? 0,
			name: `page${number}-image${++index}.png`,
			bytes: encodePng(image.width, image.height, channels, image.data),
			page: number,
			width: image.width,
			height: image.height,
		});
	}
	return images;
}
