/** The manifest commands: manifest (statistics), manifest rebuild, search, lookup. */
import type {CommandModule} from 'yargs';
import {UserError, exitCodes} from '../lib/errors.js';
import {formatBytes, safeText, textTable} from '../lib/format.js';
import {mapLimit} from '../lib/concurrency.js';
import {loadManifest, mergeEntry, updateManifest, type ManifestEntry} from '../queue/manifest.js';
import {collectAll} from '../storage/object-store.js';
import type {GlobalArgs} from './context.js';
import {printJson, printLine} from './output.js';
import {openQueue} from './queue-context.js';

export const manifestCommand: CommandModule<GlobalArgs, GlobalArgs & {action?: string; v?: boolean; yes?: boolean}> = {
	command: 'manifest [action]',
	describe: "Manifest statistics; `manifest rebuild` re-creates it from the raw PDFs' metadata",
	builder: y =>
		y
			.positional('action', {type: 'string', choices: ['stats', 'rebuild'], default: 'stats'})
			.option('v', {type: 'boolean', describe: 'top tags'})
			.option('yes', {alias: 'y', type: 'boolean', describe: 'rebuild without asking'}),
	async handler(argv) {
		const queue = await openQueue(argv);
		if (argv.action === 'rebuild') {
			if (!argv.yes)
				throw new UserError('rebuild merges an entry for every raw PDF into the manifest; add --yes to go ahead', {
					exitCode: exitCodes.usage,
				});
			const raws = await collectAll(queue.store, queue.queue.keys.rawFolder());
			const entries = await mapLimit(raws, 16, async raw => {
				const hash = queue.queue.keys.hashOf(raw.key);
				const head = hash ? await queue.store.head(raw.key) : undefined;
				if (!hash || !head) return undefined;
				let tags: string[] = [];
				try {
					const parsed: unknown = JSON.parse(head.metadata['tags'] ?? '[]');
					if (Array.isArray(parsed)) tags = parsed.filter((t): t is string => typeof t === 'string');
				} catch {
					// Unreadable tags: the entry gets none rather than failing the rebuild.
				}
				const entry: ManifestEntry = {
					paths: [head.metadata['original-name'] ?? `${hash}.pdf`],
					size: Number(head.metadata['size'] ?? head.size) || head.size,
					tags,
					ingested_at: new Date(head.lastModified).toISOString(),
					source: 'rebuilt',
				};
				return {hash, entry};
			});
			const manifest = await updateManifest(queue.queue, m => {
				for (const e of entries) if (e) mergeEntry(m, e.hash, e.entry);
			});
			printLine(`manifest rebuilt from ${raws.length} raw PDF(s): ${Object.keys(manifest.entries).length} entries`);
			return;
		}
		const {manifest, problem} = await loadManifest(queue.queue);
		const entries = Object.values(manifest.entries);
		const tagCounts = new Map<string, number>();
		for (const e of entries) for (const t of e.tags) tagCounts.set(t, (tagCounts.get(t) ?? 0) + 1);
		const stats = {
			version: manifest.version,
			updated_at: manifest.updated_at,
			entries: entries.length,
			bytes: entries.reduce((s, e) => s + e.size, 0),
			paths: entries.reduce((s, e) => s + e.paths.length, 0),
			tags: tagCounts.size,
			problem,
		};
		if (argv.json) {
			printJson({...stats, topTags: [...tagCounts].sort((a, b) => b[1] - a[1]).slice(0, 10)});
			return;
		}
		printLine(`manifest  ${queue.queue.keys.manifest()} (updated ${stats.updated_at || 'never'})`);
		printLine(
			`entries   ${stats.entries} (${formatBytes(stats.bytes)}), ${stats.paths} paths, ${stats.tags} distinct tags`,
		);
		if (problem) printLine(`problem   ${problem}`);
		if (argv.v)
			printLine(
				textTable(
					['tag', 'files'],
					[...tagCounts]
						.sort((a, b) => b[1] - a[1])
						.slice(0, 10)
						.map(([t, n]) => [t, String(n)]),
				),
			);
	},
};

export const searchCommand: CommandModule<GlobalArgs, GlobalArgs & {query: string; limit: number}> = {
	command: 'search <query>',
	describe: 'Find ingested files by name, path or tag (case-insensitive)',
	builder: y =>
		y.positional('query', {type: 'string', demandOption: true}).option('limit', {type: 'number', default: 20}),
	async handler(argv) {
		const queue = await openQueue(argv);
		const {manifest} = await loadManifest(queue.queue);
		const q = argv.query.toLowerCase();
		const hits = Object.entries(manifest.entries).filter(
			([, e]) => e.paths.some(p => p.toLowerCase().includes(q)) || e.tags.some(t => t.toLowerCase().includes(q)),
		);
		if (argv.json) printJson(hits.slice(0, argv.limit).map(([hash, e]) => ({hash, ...e})));
		else if (hits.length === 0) printLine(`nothing matches "${safeText(argv.query)}"`);
		else
			printLine(
				textTable(
					['hash', 'path', 'tags'],
					hits
						.slice(0, argv.limit)
						.map(([hash, e]) => [
							hash.slice(0, 16),
							`${e.paths[0] ?? ''}${e.paths.length > 1 ? ` (+${e.paths.length - 1})` : ''}`,
							e.tags.slice(0, 5).join(', '),
						]),
				),
			);
		process.exitCode = hits.length === 0 ? exitCodes.failure : exitCodes.ok;
	},
};

export const lookupCommand: CommandModule<GlobalArgs, GlobalArgs & {hash?: string; path?: string}> = {
	command: 'lookup',
	describe: 'A manifest entry by --hash (or prefix) or by exact --path',
	builder: y => y.option('hash', {type: 'string'}).option('path', {type: 'string'}),
	async handler(argv) {
		if (!argv.hash && !argv.path) throw new UserError('give --hash or --path', {exitCode: exitCodes.usage});
		const queue = await openQueue(argv);
		const {manifest} = await loadManifest(queue.queue);
		const found = Object.entries(manifest.entries).filter(([hash, e]) =>
			argv.hash ? hash.startsWith(argv.hash.toLowerCase()) : e.paths.includes(argv.path!),
		);
		if (found.length > 1 && argv.hash)
			throw new UserError(`the prefix ${argv.hash} matches ${found.length} entries`, {exitCode: exitCodes.failure});
		if (found.length === 0) {
			if (argv.json) printJson(null);
			else printLine('not in the manifest');
			process.exitCode = exitCodes.failure;
			return;
		}
		if (argv.json) printJson(found.map(([hash, e]) => ({hash, ...e})));
		for (const [hash, e] of argv.json ? [] : found) {
			printLine(`hash      ${hash}`);
			printLine(`paths     ${e.paths.map(p => safeText(p)).join(', ')}`);
			printLine(`size      ${e.size.toLocaleString('en-US')} bytes`);
			printLine(`tags      ${e.tags.join(', ')}`);
			printLine(`ingested  ${e.ingested_at} from ${e.source}`);
		}
	},
};
