/** The result archive: content.md, assets/, meta/ (an external tool's JSON), info.json; entry names are ours, never from the input. */
import {readdir, readFile} from 'node:fs/promises';
import path from 'node:path';
import {zipSync} from 'fflate';
import {containsSecret} from '../lib/redact.js';
import type {JobLog} from '../queue/records.js';
import {ConversionError} from './converter/conversion-error.js';

export type ArchiveInfo = {
	hash: string;
	name: string | undefined;
	metadata: Record<string, string>;
	size: number;
	result: {
		pages?: number | undefined;
		scannedPages?: number[] | undefined;
		headings?: number | undefined;
		converter: string;
	};
	worker: string;
	timings: JobLog['timings'];
	/** The attempt's log (redacted), stored in the archive as log.json: a successful job needs no log PUT of its own. */
	log?: JobLog;
};

/** Only regular files with plain names: a converter's symlink (to /etc/passwd, say) or odd name never gets in. */
async function regularFiles(folder: string): Promise<string[]> {
	const entries = await readdir(folder, {withFileTypes: true}).catch(() => []);
	return entries.filter(e => e.isFile() && /^[\w.-]+$/.test(e.name)).map(e => e.name);
}

/** Tags and path come from the raw PDF's metadata (ingest writes them): no manifest read per job. */
function tagsOf(info: ArchiveInfo): unknown {
	try {
		return JSON.parse(info.metadata['tags'] ?? '[]');
	} catch {
		return [];
	}
}

export async function packageResult(output: string, info: ArchiveInfo): Promise<Uint8Array> {
	const files: Record<string, Uint8Array> = {};
	const markdownName = (await regularFiles(output)).find(name => name.endsWith('.md'));
	if (!markdownName) throw new ConversionError('the converter wrote no Markdown file', false);
	files['content.md'] = await readFile(path.join(output, markdownName));
	for (const name of await regularFiles(path.join(output, 'assets'))) {
		files[`assets/${name}`] = await readFile(path.join(output, 'assets', name));
	}
	// An external tool's own metadata (marker's _meta.json, MinerU's content list, docling's document).
	for (const name of await regularFiles(path.join(output, 'meta'))) {
		files[`meta/${name}`] = await readFile(path.join(output, 'meta', name));
	}
	const infoJson = {
		hash: info.hash,
		original_filename: info.metadata['original-name'] ?? info.name ?? 'unknown.pdf',
		paths: info.metadata['path'] ? [info.metadata['path']] : [],
		tags: tagsOf(info),
		size_bytes: info.size,
		pages: info.result.pages,
		scanned_pages: info.result.scannedPages ?? [],
		headings: info.result.headings,
		converter: info.result.converter,
		converted_at: new Date().toISOString(),
		worker_id: info.worker,
		timings_ms: info.timings,
	};
	files['info.json'] = new TextEncoder().encode(JSON.stringify(infoJson, null, 2));
	if (info.log) files['log.json'] = new TextEncoder().encode(JSON.stringify(info.log));
	// A converter must never carry the store's credentials into a result everyone with read access sees.
	for (const [name, bytes] of Object.entries(files))
		if (containsSecret(bytes))
			throw new ConversionError(
				`the converter's output (${name}) contains a credential of this worker; not uploaded`,
				true,
			);
	return zipSync(files, {level: 6});
}
