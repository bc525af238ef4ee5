/**
The conversion child process: converts one PDF with the built-in converter and writes
content.md and assets/ into the output folder. Talks to the worker over IPC: progress per page,
then the outcome. A crash or out-of-memory here fails the job, never the worker.
Arguments: input file, output folder.
*/
import {mkdir, readFile, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {ConversionError} from './converter/conversion-error.js';
import {convertPdf} from './converter/pdf-to-markdown.js';

export type ChildMessage =
	| {type: 'progress'; done: number; total: number}
	| {type: 'done'; pages: number; images: number; scannedPages: number[]; headings: number; converter: string}
	| {type: 'error'; message: string; permanent: boolean};

const send = (message: ChildMessage) => new Promise<void>(resolve => (process.send ? process.send(message, () => resolve()) : resolve()));

const [input, output] = process.argv.slice(2) as [string, string];
try {
	const result = await convertPdf(await readFile(input), {onPage: (done, total) => void send({type: 'progress', done, total})});
	await mkdir(path.join(output, 'assets'), {recursive: true});
	await writeFile(path.join(output, 'content.md'), result.markdown);
	for (const image of result.images) await writeFile(path.join(output, 'assets', image.name), image.png);
	await send({type: 'done', pages: result.pages, images: result.images.length, scannedPages: result.scannedPages, headings: result.headings, converter: result.converter});
	process.exit(0);
} catch (error) {
	await send({type: 'error', message: error instanceof Error ? error.message : String(error), permanent: error instanceof ConversionError && error.permanent});
	process.exit(1);
}
