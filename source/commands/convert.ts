import {mkdir, readFile, writeFile} from 'node:fs/promises';
import path from 'node:path';
import type {CommandModule} from 'yargs';
import {UserError, exitCodes} from '../lib/errors.js';
import {ConversionError} from '../worker/converter/conversion-error.js';
import {convertPdf} from '../worker/converter/pdf-to-markdown.js';
import type {GlobalArgs} from './context.js';
import {printError, printJson, printLine} from './output.js';

export const convertCommand: CommandModule<GlobalArgs, GlobalArgs & {file: string; o?: string; password?: string}> = {
	command: 'convert <file>',
	describe: 'Convert one PDF locally with the built-in converter (no store needed)',
	builder: y =>
		y
			.positional('file', {type: 'string', demandOption: true})
			.option('o', {alias: 'output', type: 'string', describe: 'output folder (default: ./<name>/)'})
			.option('password', {
				type: 'string',
				describe: "an encrypted PDF's user password (env BLOBFORGE_PDF_PASSWORD keeps it out of the process list)",
			}),
	async handler(argv) {
		let data: Buffer;
		try {
			data = await readFile(argv.file);
		} catch (error) {
			throw new UserError(
				`cannot read ${argv.file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
				{exitCode: exitCodes.failure},
			);
		}
		const output = path.resolve(argv.o ?? path.basename(argv.file).replace(/\.pdf$/i, ''));
		const started = performance.now();
		try {
			const password = argv.password ?? process.env['BLOBFORGE_PDF_PASSWORD'];
			const result = await convertPdf(data, {
				...(password ? {password} : {}),
				onPage: (done, total) =>
					process.stderr.isTTY && process.stderr.write(`\rpage ${done}/${total}${done === total ? '\n' : ''}`),
			});
			await mkdir(path.join(output, 'assets'), {recursive: true});
			await writeFile(path.join(output, 'content.md'), result.markdown);
			for (const image of result.images) await writeFile(path.join(output, 'assets', image.name), image.bytes);
			const info = {
				original_filename: path.basename(argv.file),
				pages: result.pages,
				headings: result.headings,
				images: result.images.length,
				scanned_pages: result.scannedPages,
				converter: result.converter,
				seconds: (performance.now() - started) / 1000,
			};
			await writeFile(path.join(output, 'info.json'), JSON.stringify(info, null, 2));
			if (argv.json) printJson({output, ...info});
			else {
				printLine(
					`converted ${result.pages} page(s) in ${info.seconds.toFixed(2)} s: ${path.join(output, 'content.md')} (${result.headings} ` +
						`headings, ${result.images.length} images)`,
				);
				if (result.scannedPages.length > 0)
					printError(
						`warning: page(s) ${result.scannedPages.join(', ')} are images without text (scanned?); no OCR was done`,
					);
			}
		} catch (error) {
			if (error instanceof ConversionError)
				throw new UserError(`cannot convert ${argv.file}: ${error.message}`, {exitCode: exitCodes.failure});
			throw error;
		}
	},
};
