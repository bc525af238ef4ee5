/**
Finds the files an ingest names: files as given, directories walked recursively for `.pdf`
(any case), and glob patterns the shell did not expand (quoted, as `'library/**'`), matched
with Node's fs.glob. Symbolic links are followed, to files (git-annex trees are all links) and to
directories, each real directory walked once, so a link loop ends; a broken link is reported.
Missing paths and patterns that match nothing are reported, not fatal.
*/
import type {Dirent, Stats} from 'node:fs';
import {glob, readdir, realpath, stat} from 'node:fs/promises';
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
			if (isPattern(input)) await expand(input, files, problems);
			else problems.push({path: input, reason: 'no such file or directory'});
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

/** A name with glob characters; one that exists as a path is taken as that path. */
function isPattern(input: string): boolean {
	return /[*?[{]/.test(input);
}

/**
The files a pattern matches, relative to its fixed leading folders (`library/**` → paths
under library/, so the manifest and tags read as if library/ had been named). Directories that
match are walked like named ones.
*/
async function expand(pattern: string, files: FoundFile[], problems: ScanResult['problems']): Promise<void> {
	const parts = path.resolve(pattern).split(path.sep);
	const fixed = parts.findIndex(part => isPattern(part));
	const root = parts.slice(0, fixed).join(path.sep) || path.sep;
	const matches: string[] = [];
	for await (const match of glob(pattern)) matches.push(path.resolve(match));
	matches.sort();
	let found = 0;
	for (const match of matches) {
		const info = await stat(match).catch(() => undefined);
		if (info?.isDirectory()) await walk(match, match, files, problems);
		else if (info?.isFile()) {
			files.push({file: match, relative: path.relative(root, match).split(path.sep).join('/'), root});
			found++;
		}
	}
	if (matches.length === 0) problems.push({path: pattern, reason: 'no file matches the pattern'});
	else if (found === 0 && !matches.some(m => files.some(f => f.file.startsWith(m)))) {
		problems.push({path: pattern, reason: 'the pattern matches no regular file'});
	}
}

async function walk(
	root: string,
	folder: string,
	files: FoundFile[],
	problems: ScanResult['problems'],
	seen = new Set<string>(),
): Promise<void> {
	const real = await realpath(folder).catch(() => folder);
	if (seen.has(real)) return; // a link back into a folder already walked
	seen.add(real);
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
		let isDirectory = entry.isDirectory();
		let isFile = entry.isFile();
		if (entry.isSymbolicLink()) {
			const target = await stat(full).catch(() => undefined);
			if (!target) {
				if (entry.name.toLowerCase().endsWith('.pdf')) problems.push({path: full, reason: 'a broken symbolic link'});
				continue;
			}
			isDirectory = target.isDirectory();
			isFile = target.isFile();
		}
		if (isDirectory) {
			if (entry.name === '.git') continue;
			await walk(root, full, files, problems, seen);
		} else if (isFile && entry.name.toLowerCase().endsWith('.pdf')) {
			files.push({file: full, relative: path.relative(root, full).split(path.sep).join('/'), root});
		}
	}
}

/**
Tags from a relative path: each directory (`books/comics/obelix.pdf` → books, comics). The earlier
system also made the file's stem a tag, so a library of N files had N tags more; the name is
already the job's name and path, which the filter and `search` read.
*/
export function tagsFromPath(relative: string): string[] {
	const parts = relative.split('/').filter(Boolean);
	parts.pop();
	return parts;
}
