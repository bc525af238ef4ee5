/**
Hydrate: for local PDFs already converted, the result beside each one: `<stem>.md` and
`<stem>.assets/` (the archive's `assets/` links rewritten to it). Each file is written to a temporary
name and renamed into place, so a reader never sees half of one; a Markdown file newer than the
result is kept unless `force`.

Requests: per PDF, HEAD store/out/<h>.zip, or, above `listAbove` PDFs, one LIST of store/out/ for
all (a page per 1,000 results) · GET store/out/<h>.zip for each one written.
*/
import {mkdir, rename, rm, stat, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {mapLimit} from '../lib/concurrency.js';
import {readArchive} from '../lib/read-archive.js';
import {safeEntryPath} from '../lib/archive-paths.js';
import type {QueueContext} from '../queue/queue-context.js';
import {collectAll, isNotModified} from '../storage/object-store.js';
import {inspectFile} from './inspect-file.js';
import {scanPaths} from './scan.js';

export type HydrateOutcome =
	| {file: string; kind: 'written' | 'would-write'; markdown: string; assets: number}
	| {file: string; kind: 'kept'; markdown: string; reason: string}
	| {file: string; kind: 'not-converted' | 'failed'; reason: string};

export type HydrateOptions = {dryRun?: boolean; force?: boolean; listAbove?: number; concurrency?: number};

/** The archive's links to `assets/…` pointed at the folder beside the Markdown. */
export function rewriteAssetLinks(markdown: string, assetsFolder: string): string {
	const target = encodeURI(assetsFolder);
	return markdown.replaceAll(/(\]\(\s*<?|\bsrc=["'])(?:\.\/)?assets\//g, (_, lead: string) => `${lead}${target}/`);
}

export async function hydrate(
	context: QueueContext,
	inputs: string[],
	options: HydrateOptions = {},
): Promise<{outcomes: HydrateOutcome[]; problems: Array<{path: string; reason: string}>}> {
	const {files, problems} = await scanPaths(inputs);
	const hashes = await mapLimit(files, 8, async found => ({found, inspected: await inspectFile(found.file)}));
	const results = new Map<string, number>();
	const listAll = files.length > (options.listAbove ?? 50);
	if (listAll)
		for (const entry of await collectAll(context.store, context.keys.resultFolder())) {
			const hash = /([0-9a-f]{64})\.zip$/.exec(entry.key)?.[1];
			if (hash) results.set(hash, entry.lastModified);
		}
	const outcomes = await mapLimit(
		hashes,
		options.concurrency ?? 4,
		async ({found, inspected}): Promise<HydrateOutcome> => {
			const file = found.file;
			if (inspected.kind === 'not-pdf') return {file, kind: 'failed', reason: inspected.reason};
			const key = context.keys.result(inspected.hash);
			const resultAt = listAll ? results.get(inspected.hash) : (await context.store.head(key))?.lastModified;
			if (resultAt === undefined)
				return {file, kind: 'not-converted', reason: 'no result in the store (not converted yet)'};
			const stem = path.basename(file).replace(/\.pdf$/i, '');
			const markdown = path.join(path.dirname(file), `${stem}.md`);
			const existing = await stat(markdown).catch(() => undefined);
			if (existing && existing.mtimeMs > resultAt && !options.force)
				return {file, kind: 'kept', markdown, reason: 'newer than the result (--force replaces it)'};
			const got = await context.store.get(key);
			if (!got || isNotModified(got)) return {file, kind: 'not-converted', reason: 'the result went away'};
			const contents = readArchive(got.body);
			if (!contents.ok) return {file, kind: 'failed', reason: contents.reason};
			const content = contents.files['content.md'];
			if (!content) return {file, kind: 'failed', reason: 'the result has no content.md'};
			const assets = Object.entries(contents.files).flatMap(([name, body]) => {
				const safe = safeEntryPath(name);
				return safe?.startsWith('assets/') ? [{name: safe.slice('assets/'.length), body}] : [];
			});
			if (options.dryRun) return {file, kind: 'would-write', markdown, assets: assets.length};
			const assetsFolder = `${stem}.assets`;
			await writeBeside(path.dirname(file), assetsFolder, markdown, {
				markdown: rewriteAssetLinks(Buffer.from(content).toString('utf8'), assetsFolder),
				assets,
			});
			return {file, kind: 'written', markdown, assets: assets.length};
		},
	);
	return {outcomes, problems};
}

/** The assets folder, then the Markdown, each built under a temporary name and renamed into place. */
async function writeBeside(
	folder: string,
	assetsFolder: string,
	markdownFile: string,
	files: {markdown: string; assets: Array<{name: string; body: Uint8Array}>},
): Promise<void> {
	const tag = `.blobforge-${process.pid}-${Date.now()}`;
	const finalAssets = path.join(folder, assetsFolder);
	if (files.assets.length > 0) {
		const building = `${finalAssets}${tag}`;
		for (const asset of files.assets) {
			const target = path.join(building, asset.name);
			await mkdir(path.dirname(target), {recursive: true});
			await writeFile(target, asset.body);
		}
		// A folder cannot be renamed over a full one: the old one goes first (its Markdown still links it
		// for that moment; the new Markdown lands right after).
		await rm(finalAssets, {recursive: true, force: true});
		await rename(building, finalAssets);
	}
	const temporary = `${markdownFile}${tag}`;
	await writeFile(temporary, files.markdown);
	await rename(temporary, markdownFile);
}
