/** download and preview: the result archive of a done job. */
import {mkdir, writeFile} from 'node:fs/promises';
import path from 'node:path';
import type {CommandModule} from 'yargs';
import {safeEntryPath} from '../lib/archive-paths.js';
import {UserError, exitCodes} from '../lib/errors.js';
import {formatBytes, safeText, textTable} from '../lib/format.js';
import {looksLikeZip} from '../lib/read-archive.js';
import type {GlobalArgs} from './context.js';
import {printError, printJson, printLine} from './output.js';
import {openQueue, resolveHashArgument, type OpenedQueue} from './queue-context.js';

async function resultOf(queue: OpenedQueue, input: string) {
	const hash = await resolveHashArgument(queue, input);
	const result = await queue.inspector.result(hash);
	if (!result) {
		const job = await queue.inspector.job(hash);
		throw new UserError(`job ${hash.slice(0, 12)} has no result: ${job.explanation}`, {exitCode: exitCodes.failure});
	}
	return {hash, result};
}

export const downloadCommand: CommandModule<GlobalArgs, GlobalArgs & {hash: string; o?: string; extract?: boolean}> = {
	command: 'download <hash>',
	describe: "Save a job's result: the zip, or with --extract its files (names sanitized)",
	builder: y =>
		y
			.positional('hash', {type: 'string', demandOption: true})
			.option('o', {alias: 'output', type: 'string', describe: 'file (zip) or folder (--extract)'})
			.option('extract', {type: 'boolean', describe: 'unpack the archive'}),
	async handler(argv) {
		const queue = await openQueue(argv);
		const {hash, result} = await resultOf(queue, argv.hash);
		if (!argv.extract) {
			// The bytes as stored: nothing is unpacked, whatever the archive holds.
			const file = path.resolve(argv.o ?? `${hash}.zip`);
			await writeFile(file, result.bytes);
			const warning = looksLikeZip(result.bytes) ? undefined : 'the result is not a zip archive; saved as it is';
			if (argv.json) printJson({file, bytes: result.bytes.byteLength, ...(warning ? {warning} : {})});
			else {
				printLine(`saved ${file} (${formatBytes(result.bytes.byteLength)})`);
				if (warning) printError(`blobforge: warning: ${warning}`);
			}
			return;
		}
		const contents = result.contents();
		if (!contents.ok)
			throw new UserError(contents.reason, {
				hint: 'download it without --extract to keep the bytes',
				exitCode: exitCodes.failure,
			});
		const folder = path.resolve(argv.o ?? hash);
		const written: string[] = [];
		const refused = [...contents.refused];
		for (const [name, data] of Object.entries(contents.files)) {
			if (name.endsWith('/')) continue;
			const safe = safeEntryPath(name);
			if (!safe) {
				refused.push({name, reason: 'an unsafe name'});
				continue;
			}
			const target = path.join(folder, safe);
			try {
				await mkdir(path.dirname(target), {recursive: true});
				await writeFile(target, data);
				written.push(safe);
			} catch (error) {
				// A name that clashes with another entry (a file where a folder must go) or is too long here.
				refused.push({name, reason: (error as NodeJS.ErrnoException).code ?? String(error)});
			}
		}
		if (argv.json) printJson({folder, files: written, refused});
		else {
			printLine(`extracted ${written.length} file(s) to ${folder}`);
			for (const {name, reason} of refused) printLine(`refused ${safeText(name)}: ${reason}`);
		}
		if (refused.length > 0) process.exitCode = exitCodes.failure;
	},
};

export const previewCommand: CommandModule<GlobalArgs, GlobalArgs & {hash: string; lines: number}> = {
	command: 'preview <hash>',
	describe: "The files in a job's result and the first lines of its Markdown",
	builder: y =>
		y
			.positional('hash', {type: 'string', demandOption: true})
			.option('lines', {alias: 'n', type: 'number', default: 50}),
	async handler(argv) {
		const queue = await openQueue(argv);
		const {hash, result} = await resultOf(queue, argv.hash);
		const contents = result.contents();
		if (!contents.ok)
			throw new UserError(contents.reason, {hint: 'download it to look at the bytes', exitCode: exitCodes.failure});
		const files = contents.files;
		const names = Object.keys(files).sort();
		const markdownName = names.find(n => n.endsWith('.md'));
		const markdown = markdownName ? Buffer.from(files[markdownName]!).toString('utf8') : '';
		const lines = markdown.split('\n');
		if (argv.json) {
			printJson({
				hash,
				files: names.map(n => ({name: n, bytes: files[n]!.byteLength})),
				refused: contents.refused,
				markdown: lines.slice(0, argv.lines).join('\n'),
				totalLines: lines.length,
			});
			return;
		}
		printLine(
			textTable(
				['file', 'size'],
				names.map(n => [n, formatBytes(files[n]!.byteLength)]),
			),
		);
		for (const {name, reason} of contents.refused) printLine(`refused ${safeText(name)}: ${reason}`);
		printLine();
		for (const line of lines.slice(0, argv.lines)) printLine(safeText(line));
		if (lines.length > argv.lines) printLine(`… ${lines.length - argv.lines} more line(s) (--lines)`);
	},
};
