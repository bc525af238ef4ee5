/**
The demo's sample PDFs, written by the package itself (no PDF library at run time, nothing
downloaded, nothing third-party): documents with a title, chapter headings by size, paragraphs,
bulleted and numbered lists and, in some, an image; long enough that a conversion takes a few
seconds and its page progress shows in the console. One is cut short on purpose and fails.
*/
import {deflateSync} from 'node:zlib';

export type SamplePdf = {name: string; bytes: Uint8Array; pages: number; fails?: boolean};

type Line = {text: string; size: number; bold?: boolean; indent?: number};

/** PDF string literal: ASCII only, with the three characters PDF needs escaped. */
function literal(text: string): string {
	return `(${text.replaceAll(/[^\u0020-\u007E]/g, '?').replaceAll(/[\\()]/g, c => `\\${c}`)})`;
}

/** An RGB gradient image, Flate-compressed, so the converter has a real image XObject to extract. */
function gradient(width: number, height: number, hue: number): Buffer {
	const pixels = Buffer.alloc(width * height * 3);
	for (let y = 0; y < height; y++) {
		for (let x = 0; x < width; x++) {
			const i = (y * width + x) * 3;
			pixels[i] = (x * 255) / width;
			pixels[i + 1] = (y * 255) / height;
			pixels[i + 2] = hue;
		}
	}
	return deflateSync(pixels);
}

/**
A minimal, valid PDF 1.4: catalog, page tree, the standard Helvetica fonts (not embedded, as every
reader has them), one content stream per page, an optional image, and a cross-reference table.
*/
export function writePdf(pages: Line[][], options: {imageOnPages?: Set<number>; title?: string} = {}): Uint8Array {
	const objects: Array<string | Buffer> = [];
	// Object number = index + 1.
	const add = (body: string | Buffer) => objects.push(body);
	add('<< /Type /Catalog /Pages 2 0 R >>');
	add(''); // the page tree, filled in below
	add('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>');
	add('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>');
	const image = gradient(64, 40, 160);
	add(
		Buffer.concat([
			Buffer.from(
				`<< /Type /XObject /Subtype /Image /Width 64 /Height 40 /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /FlateDecode /Length ` +
					`${image.length} >>\nstream\n`,
			),
			image,
			Buffer.from('\nendstream'),
		]),
	);
	const imageObject = objects.length;
	add(`<< /Title ${literal(options.title ?? 'BlobForge sample')} /Producer (BlobForge demo) >>`);
	const info = objects.length;
	const kids: number[] = [];
	pages.forEach((lines, index) => {
		let y = 740;
		const ops: string[] = [];
		for (const line of lines) {
			y -= line.size * 1.45;
			ops.push(
				`BT /${line.bold ? 'F2' : 'F1'} ${line.size} Tf ${72 + (line.indent ?? 0)} ${y.toFixed(1)} Td ${literal(line.text)} Tj ET`,
			);
		}
		if (options.imageOnPages?.has(index)) ops.push(`q 160 0 0 100 72 ${Math.max(60, y - 130).toFixed(1)} cm /Im1 Do Q`);
		ops.push(`BT /F1 9 Tf 300 36 Td ${literal(String(index + 1))} Tj ET`);
		const content = ops.join('\n');
		add(`<< /Length ${Buffer.byteLength(content)} >>\nstream\n${content}\nendstream`);
		const contentObject = objects.length;
		add(
			`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> /XObject << /Im1 ${imageObject} 0 ` +
				`R >> >> /Contents ${contentObject} 0 R >>`,
		);
		kids.push(objects.length);
	});
	objects[1] = `<< /Type /Pages /Kids [${kids.map(k => `${k} 0 R`).join(' ')}] /Count ${kids.length} >>`;
	const parts: Buffer[] = [Buffer.from('%PDF-1.4\n%\u00E2\u00E3\u00CF\u00D3\n', 'latin1')];
	let offset = parts[0]!.length;
	const offsets: number[] = [];
	objects.forEach((body, i) => {
		offsets.push(offset);
		const chunk = Buffer.concat([
			Buffer.from(`${i + 1} 0 obj\n`),
			typeof body === 'string' ? Buffer.from(body, 'latin1') : body,
			Buffer.from('\nendobj\n'),
		]);
		parts.push(chunk);
		offset += chunk.length;
	});
	const xref = [
		`xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`,
		...offsets.map(o => `${String(o).padStart(10, '0')} 00000 n \n`),
	].join('');
	parts.push(
		Buffer.from(
			`${xref}trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Info ${info} 0 R >>\nstartxref\n${offset}\n%%EOF\n`,
		),
	);
	return new Uint8Array(Buffer.concat(parts));
}

const topics = [
	'Storage',
	'Leases',
	'Heartbeats',
	'The janitor',
	'Retries',
	'Dead letters',
	'Workers',
	'Costs',
	'Recovery',
	'Manifests',
];

function chapterPages(title: string, chapters: number, pagesPerChapter: number, seed: number): Line[][] {
	const pages: Line[][] = [];
	for (let c = 0; c < chapters; c++) {
		for (let p = 0; p < pagesPerChapter; p++) {
			const topic = topics[(c + seed) % topics.length]!;
			const lines: Line[] = [];
			if (c === 0 && p === 0) lines.push({text: title, size: 24, bold: true});
			if (p === 0) lines.push({text: `${c + 1}. ${topic}`, size: 18, bold: true});
			lines.push({text: `${topic}, part ${p + 1}`, size: 14, bold: true});
			for (let k = 0; k < 6; k++)
				lines.push({
					text: `Paragraph ${k + 1} of page ${pages.length + 1} explains how ${topic.toLowerCase()} keep a job safe.`,
					size: 11,
				});
			lines.push({text: 'In short:', size: 14, bold: true});
			lines.push({text: '- every write names the version it replaces', size: 11, indent: 18});
			lines.push({text: '- a lost race is an answer, not an error', size: 11, indent: 18});
			lines.push({text: '1. claim, 2. convert, 3. complete', size: 11, indent: 18});
			pages.push(lines);
		}
	}
	return pages;
}

/**
The demo's documents: about 14,000 pages in all, a few seconds of conversion each for the larger ones
(a warm conversion child does some 1,500–2,500 of these pages a second here), so the console shows
them running: a job of a second or less can come and go between two of its refreshes.
*/
export function samplePdfs(): SamplePdf[] {
	const books: Array<[string, string, number, number]> = [
		['operations-handbook.pdf', 'Operations Handbook', 10, 480],
		['storage-guide.pdf', 'A Guide to Object Storage', 8, 400],
		['incident-review.pdf', 'Incident Review 2026', 6, 320],
		['queue-internals.pdf', 'Queue Internals', 12, 320],
		['cost-report.pdf', 'Quarterly Cost Report', 4, 200],
		['field-notes.pdf', 'Field Notes', 5, 12],
		['release-notes.pdf', 'Release Notes', 3, 10],
		['onboarding.pdf', 'Onboarding for Operators', 6, 15],
		['runbook.pdf', 'Runbook: Stuck Jobs', 3, 8],
		['glossary.pdf', 'Glossary', 2, 5],
	];
	const samples: SamplePdf[] = books.map(([name, title, chapters, perChapter], i) => {
		const pages = chapterPages(title, chapters, perChapter, i);
		const images = new Set(pages.map((_, n) => n).filter(n => n % 9 === 4));
		return {name, bytes: writePdf(pages, {imageOnPages: images, title}), pages: pages.length};
	});
	// Cut short: the header says PDF, the cross-reference table is gone. Lands in dead-letter.
	const whole = writePdf(chapterPages('Damaged Scan', 1, 3, 0), {title: 'Damaged Scan'});
	samples.push({
		name: 'damaged-scan.pdf',
		bytes: whole.subarray(0, Math.floor(whole.length * 0.4)),
		pages: 3,
		fails: true,
	});
	return samples;
}
