/**
The conversion child process: converts PDFs with the built-in converter, one job at a time, and
writes content.md and assets/ into each job's output folder. Talks to the worker over IPC: it loads
the converter first, then waits for a job ({type: 'job', input, output}), sends progress per page,
then the outcome, and waits for the next (the worker replaces it after 50 jobs or when it grew).
After a failure it exits: nothing of a failed job reaches the next. A child can so be started
ahead of its job (worker/spare-converter.ts). A crash or out-of-memory here fails the job, never the
worker; when the worker goes away, so does the child.
*/
import {mkdir, readFile, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {ConversionError} from './converter/conversion-error.js';
import {convertPdf, preloadConverter} from './converter/pdf-to-markdown.js';

export type ChildMessage =
	| {type: 'progress'; done: number; total: number}
	| {type: 'done'; pages: number; images: number; scannedPages: number[]; headings: number; converter: string}
	| {type: 'error'; message: string; permanent: boolean};

export type ChildJob = {type: 'job'; input: string; output: string; maxPages?: number};

const send = async (message: ChildMessage) =>
	new Promise<void>(resolve => (process.send ? process.send(message, () => resolve()) : resolve()));

async function convert({input, output, maxPages}: ChildJob): Promise<void> {
	try {
		const result = await convertPdf(await readFile(input), {
			...(maxPages ? {maxPages} : {}),
			onPage: (done, total) => void send({type: 'progress', done, total}),
		});
		await mkdir(path.join(output, 'assets'), {recursive: true});
		await writeFile(path.join(output, 'content.md'), result.markdown);
		for (const image of result.images) await writeFile(path.join(output, 'assets', image.name), image.bytes);
		await send({
			type: 'done',
			pages: result.pages,
			images: result.images.length,
			scannedPages: result.scannedPages,
			headings: result.headings,
			converter: result.converter,
		});
	} catch (error) {
		await send({
			type: 'error',
			message: error instanceof Error ? error.message : String(error),
			permanent: error instanceof ConversionError && error.permanent,
		});
		process.exit(1);
	}
}

let hasJob = false;
process.on('message', (job: ChildJob) => {
	hasJob = true;
	void convert(job);
});
// A child started for a job at hand (no spare waiting) gets it before pdf.js has loaded: it skips
// the warm-up document. A failed load shows again, with its reason, when the job's conversion loads it.
preloadConverter(() => !hasJob).catch(() => undefined);
// An orphan has nobody to report to: a worker killed mid-job, or a spare whose worker stopped.
process.once('disconnect', () => process.exit(0));
