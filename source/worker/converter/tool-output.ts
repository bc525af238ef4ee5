/**
An external tool's output, made into ours: `content.md`, the images it links in `assets/` (the
links rewritten to them), and the JSON it wrote beside its Markdown in `meta/`. Tools lay their
output out each their own way (presets.ts); this finds the Markdown where the preset says, else the
one Markdown file it wrote (searched three folders deep).

Only regular files inside the tool's output folder are taken: a link to `../../etc/passwd`, an
absolute path or a symlink is refused, never followed. A link to an image the tool did not write,
or two Markdown files with nothing to tell them apart, fail the job with the reason.
*/
import {copyFile, lstat, mkdir, readdir, readFile, realpath, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {ConversionError} from './conversion-error.js';

export type CollectedOutput = {markdown: string; assets: number; metadata: string[]};

const maxDepth = 3;

/** Markdown files under `root`, as paths relative to it, at most three folders deep; hidden ones left out. */
async function markdownFiles(root: string, relative = '', depth = 0): Promise<string[]> {
	const entries = await readdir(path.join(root, relative), {withFileTypes: true}).catch(() => []);
	const found: string[] = [];
	for (const entry of entries) {
		if (entry.name.startsWith('.')) continue;
		const child = relative ? `${relative}/${entry.name}` : entry.name;
		if (entry.isFile() && entry.name.toLowerCase().endsWith('.md')) found.push(child);
		else if (entry.isDirectory() && depth < maxDepth) found.push(...(await markdownFiles(root, child, depth + 1)));
	}
	return found.sort();
}

async function isRegularFile(file: string): Promise<boolean> {
	const stat = await lstat(file).catch(() => undefined);
	return stat?.isFile() === true;
}

/** The tool's Markdown: where the preset says, else the only one, else one named after the input. */
async function findMarkdown(root: string, expected: string[], stem: string): Promise<string> {
	for (const candidate of expected) if (await isRegularFile(path.join(root, candidate))) return candidate;
	const all = await markdownFiles(root);
	if (all.length === 1) return all[0]!;
	if (all.length === 0)
		throw new ConversionError(
			`the converter wrote no Markdown file${expected.length > 0 ? ` (looked for ${expected.join(', ')} first)` : ''}`,
			false,
		);
	const named = all.filter(file => [`${stem}.md`, 'content.md'].includes(path.basename(file)));
	if (named.length === 1) return named[0]!;
	throw new ConversionError(
		`the converter wrote ${all.length} Markdown files (${all.slice(0, 4).join(', ')}${all.length > 4 ? ', …' : ''}); ` +
			'which one is the document is not clear',
		false,
	);
}

/** Markdown image links and HTML img sources: `![alt](target "title")`, `<img src="target">`. */
const markdownImage = /(!\[[^\]]*\]\()(<[^>]+>|[^)\s]+)((?:\s+"[^"]*")?\))/g;
const htmlImage = /(<img\b[^>]*?\bsrc=)("[^"]*"|'[^']*')/gi;

const isExternal = (target: string) => /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#');

export async function collectToolOutput(
	toolOutput: string,
	output: string,
	options: {expected?: string[]; stem: string},
): Promise<CollectedOutput> {
	const root = await realpath(toolOutput).catch(() => toolOutput);
	const markdownFile = await findMarkdown(root, options.expected ?? [], options.stem);
	const markdownDir = path.dirname(path.join(root, markdownFile));
	let text = await readFile(path.join(root, markdownFile), 'utf8');
	await mkdir(path.join(output, 'assets'), {recursive: true});
	const copied = new Map<string, string>();
	const used = new Set<string>();
	const missing: string[] = [];

	/** Copies one linked file into assets/ (once); its new link, or undefined to leave the link alone. */
	const take = async (target: string): Promise<string | undefined> => {
		const bare = target.replace(/^<|>$/g, '').split(/[?#]/)[0]!;
		if (bare === '' || isExternal(bare)) return undefined;
		let decoded: string;
		try {
			decoded = decodeURIComponent(bare);
		} catch {
			decoded = bare;
		}
		const source = path.resolve(markdownDir, decoded);
		const inside = path.relative(root, source);
		if (path.isAbsolute(decoded) || inside.startsWith('..') || path.isAbsolute(inside)) {
			missing.push(`${target} (outside the converter's output)`);
			return undefined;
		}
		const known = copied.get(source);
		if (known) return known;
		if (!(await isRegularFile(source))) {
			missing.push(target);
			return undefined;
		}
		// Plain characters only; a name of dots alone (".", "..") is no name.
		const plain = path.basename(source).replace(/[^\w.-]/g, '_');
		const base = plain === '' || /^\.+$/.test(plain) ? 'image' : plain;
		let name = base;
		for (let n = 2; used.has(name); n++) name = base.replace(/(\.[^.]*)?$/, `-${n}$1`);
		used.add(name);
		await copyFile(source, path.join(output, 'assets', name));
		const link = `assets/${name}`;
		copied.set(source, link);
		return link;
	};

	const replaceAll = async (input: string, pattern: RegExp, rewrite: (match: RegExpExecArray) => Promise<string>) => {
		let result = '';
		let at = 0;
		for (const match of input.matchAll(pattern)) {
			result += input.slice(at, match.index) + (await rewrite(match as RegExpExecArray));
			at = match.index + match[0].length;
		}
		return result + input.slice(at);
	};
	text = await replaceAll(text, markdownImage, async m => {
		const link = await take(m[2]!);
		return link ? `${m[1]}${link}${m[3]}` : m[0];
	});
	text = await replaceAll(text, htmlImage, async m => {
		const link = await take(m[2]!.slice(1, -1));
		return link ? `${m[1]}"${link}"` : m[0];
	});
	if (missing.length > 0)
		throw new ConversionError(
			`the converter's Markdown links ${missing.length} image(s) it did not write where it says: ` +
				missing.slice(0, 3).join(', '),
			false,
		);
	// A free template that wrote OUT/content.md and OUT/assets/ keeps every file of assets/ (linked or not).
	const assetsFolder = path.join(markdownDir, 'assets');
	for (const entry of await readdir(assetsFolder, {withFileTypes: true}).catch(() => []))
		if (entry.isFile()) await take(`assets/${encodeURIComponent(entry.name)}`);
	// The tool's JSON beside its Markdown (marker's _meta.json, MinerU's content list, docling's document).
	const metadata: string[] = [];
	for (const entry of await readdir(markdownDir, {withFileTypes: true}).catch(() => []))
		if (entry.isFile() && entry.name.toLowerCase().endsWith('.json') && /^[\w.-]+$/.test(entry.name)) {
			await mkdir(path.join(output, 'meta'), {recursive: true});
			await copyFile(path.join(markdownDir, entry.name), path.join(output, 'meta', entry.name));
			metadata.push(entry.name);
		}
	await writeFile(path.join(output, 'content.md'), text);
	return {markdown: markdownFile, assets: copied.size, metadata};
}
