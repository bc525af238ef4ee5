/** Test PDFs made with pdf-lib, so tests need nothing outside the repository. */
import {createHash} from 'node:crypto';
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
		for (const [i, line] of lines.entries()) p.drawText(line, {x: 72, y: 720 - i * 16, size: 11, font});
	}
	return document.save();
}

/** Writes `files` (relative path → PDF text, or raw bytes) under `folder`. */
export async function writeFiles(folder: string, files: Record<string, string | Uint8Array>): Promise<void> {
	for (const [relative, content] of Object.entries(files)) {
		const file = path.join(folder, relative);
		await mkdir(path.dirname(file), {recursive: true});
		await writeFile(file, typeof content === 'string' ? await makePdf([content]) : content);
	}
}

/**
A PDF written by hand from object bodies (numbered from 1; object 1 is the catalog), with a correct
cross-reference table: for cases no PDF library writes, such as an encryption dictionary.
*/
export function rawPdf(objects: string[], trailerExtra = ''): Uint8Array {
	let text = '%PDF-1.4\n';
	const offsets: number[] = [];
	objects.forEach((body, i) => {
		offsets.push(Buffer.byteLength(text, 'latin1'));
		text += `${i + 1} 0 obj\n${body}\nendobj\n`;
	});
	const xrefAt = Buffer.byteLength(text, 'latin1');
	text += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map(o => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
	text += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R ${trailerExtra}>>\nstartxref\n${xrefAt}\n%%EOF\n`;
	return new Uint8Array(Buffer.from(text, 'latin1'));
}

/** A one-page PDF encrypted with a user password nobody knows (RC4, revision 2): readers must ask for it. */
export function encryptedPdf(): Uint8Array {
	const hex32 = (seed: number) =>
		Array.from({length: 32}, (_, i) => ((i * 37 + seed) % 256).toString(16).padStart(2, '0')).join('');
	return rawPdf(
		[
			'<< /Type /Catalog /Pages 2 0 R >>',
			'<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
			'<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>',
			'<< /Length 8 >>\nstream\n(secret)\nendstream',
			`<< /Filter /Standard /V 1 /R 2 /O <${hex32(11)}> /U <${hex32(99)}> /P -44 >>`,
		],
		`/Encrypt 5 0 R /ID [<00112233445566778899aabbccddeeff> <00112233445566778899aabbccddeeff>] `,
	);
}

/** RC4, for the encrypted fixtures below (OpenSSL 3 keeps it behind its legacy provider). */
function rc4(key: Uint8Array, data: Uint8Array): Uint8Array {
	const s = Array.from({length: 256}, (_, i) => i);
	for (let i = 0, j = 0; i < 256; i++) {
		j = (j + s[i]! + key[i % key.length]!) & 255;
		[s[i], s[j]] = [s[j]!, s[i]!];
	}
	const out = new Uint8Array(data.length);
	for (let n = 0, i = 0, j = 0; n < data.length; n++) {
		i = (i + 1) & 255;
		j = (j + s[i]!) & 255;
		[s[i], s[j]] = [s[j]!, s[i]!];
		out[n] = data[n]! ^ s[(s[i]! + s[j]!) & 255]!;
	}
	return out;
}

/**
A one-page PDF with the text `text`, encrypted with this user password (RC4 40-bit, revision 2,
the PDF reference's algorithms 3.1–3.4), so a reader that is given the password can read it.
*/
export function passwordPdf(password: string, text: string): Uint8Array {
	const pad = Buffer.from('28bf4e5e4e758a4164004e56fffa01082e2e00b6d0683e802f0ca9fe6453697a', 'hex');
	const padded = (pw: string) => Buffer.concat([Buffer.from(pw, 'latin1'), pad]).subarray(0, 32);
	const md5 = (...parts: Uint8Array[]) => {
		const hash = createHash('md5');
		for (const part of parts) hash.update(part);
		return hash.digest();
	};
	const id = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
	const permissions = -44;
	const owner = rc4(md5(padded(`${password}-owner`)).subarray(0, 5), padded(password));
	const p = Buffer.alloc(4);
	p.writeInt32LE(permissions);
	const key = md5(padded(password), owner, p, id).subarray(0, 5);
	const user = rc4(key, pad);
	const objectKey = (n: number) =>
		md5(key, Buffer.from([n & 255, (n >> 8) & 255, (n >> 16) & 255, 0, 0])).subarray(0, 10);
	const content = Buffer.from(`BT /F1 24 Tf 72 700 Td (${text}) Tj ET`, 'latin1');
	const encrypted = Buffer.from(rc4(objectKey(4), content)).toString('latin1');
	const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
	return rawPdf(
		[
			'<< /Type /Catalog /Pages 2 0 R >>',
			'<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
			'<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
			`<< /Length ${content.length} >>\nstream\n${encrypted}\nendstream`,
			'<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
			`<< /Filter /Standard /V 1 /R 2 /O <${hex(owner)}> /U <${hex(user)}> /P ${permissions} >>`,
		],
		`/Encrypt 6 0 R /ID [<${hex(id)}> <${hex(id)}>] `,
	);
}

/**
A page of Japanese text in a CID font that is not embedded, with no ToUnicode map: only the
predefined CMap named in the font (UniJIS-UCS2-H, from pdf.js's cmaps folder) says which characters
the codes are. Written as UCS-2 hex, so the text is `text` when read right.
*/
export function cjkPdf(text: string): Uint8Array {
	const hex = [...text].map(c => c.charCodeAt(0).toString(16).padStart(4, '0')).join('');
	const content = `BT /F1 18 Tf 72 700 Td <${hex}> Tj ET`;
	return rawPdf([
		'<< /Type /Catalog /Pages 2 0 R >>',
		'<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
		'<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
		`<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
		'<< /Type /Font /Subtype /Type0 /BaseFont /KozMinPr6N-Regular /Encoding /UniJIS-UCS2-H /DescendantFonts [6 0 R] >>',
		'<< /Type /Font /Subtype /CIDFontType0 /BaseFont /KozMinPr6N-Regular ' +
			'/CIDSystemInfo << /Registry (Adobe) /Ordering (Japan1) /Supplement 6 >> /FontDescriptor 7 0 R /DW 1000 >>',
		'<< /Type /FontDescriptor /FontName /KozMinPr6N-Regular /Flags 4 /FontBBox [0 -200 1000 900] ' +
			'/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 700 /StemV 80 >>',
	]);
}
