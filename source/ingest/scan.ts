/**
Finds the files an ingest names: files as given, directories walked recursively for `.pdf`
(any case). Symbolic links to directories are not followed (no cycles); missing paths are
reported, not fatal.
*/
import type {Dirent, Stats} from 'node:fs';
import {readdir, stat} from 'node:fs/promises';
import path from 'node:path';

export type FoundFile = {
	/** Absolute path. */
	file: string;
	/** Path relative to the ingest root, with `/` separators: what the manifest records. */
	relative: string;
	/** The root this file was found under: its base name is the manifest's `source`. */
	root: string;
};

export type ScanResult = {files: FoundFile[]; problems: Array<{path: string; reason: string}>};

export async function scanPaths(inputs: string[]): Promise<ScanResult> {
	const files: FoundFile[] = [];
	const problems: ScanResult['problems'] = [];
	for (const input of inputs) {
		const absolute = path.resolve(input);
		let info: Stats;
		try {
			info = await stat(absolute);
		} catch {
			problems.push({path: input, reason: 'no such file or directory'});
			continue;
		}
		if (info.isDirectory()) {
			await walk(absolute, absolute, files, problems);
		} else if (info.isFile()) {
			files.push({file: absolute, relative: path.basename(absolute), root: path.dirname(absolute)});
		} else {
			problems.push({path: input, reason: 'not a regular file'});
		}
	}
	return {files, problems};
}

async function walk(root: string, folder: string, files: FoundFile[], problems: ScanResult['problems']): Promise<void> {
	let entries: Dirent[];
	try {
		entries = await readdir(folder, {withFileTypes: true});
	} catch (error) {
		problems.push({
			path: folder,
			reason: `cannot read the directory (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
		});
		return;
	}
	entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
	for (const entry of entries) {
		const full = path.join(folder, entry.name);
		if (entry.isDirectory()) {
			if (entry.name === '.git') continue;
			await walk(root, full, files, problems);
		} else if (entry.isFile() && entry.name.toLowerCase().endsWith('.pdf')) {
			files.push({file: full, relative: path.relative(root, full).split(path.sep).join('/'), root});
		}
	}
}

/**
Tags from a relative path: each directory and the file's stem (`books/comics/obelix.pdf` → books, comics,
obelix).
*/
export function tagsFromPath(relative: string): string[] {
	const parts = relative.split('/').filter(Boolean);
	const file = parts.pop() ?? '';
	const stem = file.replace(/\.pdf$/i, '');
	return [...parts, ...(stem ? [stem] : [])];
}
