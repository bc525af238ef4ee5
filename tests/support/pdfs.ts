/** Test PDFs made with pdf-lib, so tests need nothing outside the repository. */
import {mkdir, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {PDFDocument, StandardFonts} from 'pdf-lib';

export async function makePdf(lines: string[], options: {pages?: number} = {}): Promise<Uint8Array> {
	// Fixed dates: the same text gives the same bytes (and the same hash) in any second.
	const document = await PDFDocument.create({updateMetadata: false});
	document.setCreationDate(new Date(0));
	document.setModificationDate(new Date(0));
	const font = await document.embedFont(StandardFonts.Helvetica);
	for (let page = 0; page < (options.pages ?? 1); page++) {
		const p = document.addPage([612, 792]);
		lines.forEach((line, i) => p.drawText(line, {x: 72, y: 720 - i * 16, size: 11, font}));
	}
	return document.save();
}

/** Writes `files` (relative path → PDF text, or raw bytes) under `folder`. */
export async function writeFiles(folder: string, files: Record<string, string | Uint8Array>): Promise<void> {
	for (const [relative, content] of Object.entries(files)) {
		const file = path.join(folder, relative);
		// eslint-disable-next-line no-await-in-loop
		await mkdir(path.dirname(file), {recursive: true});
		// eslint-disable-next-line no-await-in-loop
		await writeFile(file, typeof content === 'string' ? await makePdf([content]) : content);
	}
}
