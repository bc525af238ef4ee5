/**
Repair metadata: restores `original-name`, `tags` and `size` on raw PDFs that lost them (a sync
tool that drops `x-amz-meta-*` headers), from the manifest. S3 cannot change an object's metadata in
place, so the PDF is copied through a temporary file (GET to disk, PUT from disk: it never sits in
memory) with the repaired metadata; a raw PDF is content-addressed, so rewriting it is safe.

Requests: GET registry/manifest.json · LIST store/raw/ · HEAD each raw PDF · for each repaired one,
GET + PUT of the PDF.
*/
import {mkdtemp, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {mapLimit} from '../lib/concurrency.js';
import {loadManifest} from '../queue/manifest.js';
import type {QueueContext} from '../queue/queue-context.js';
import {collectAll, type Metadata} from '../storage/object-store.js';

export type MetadataRepair = {hash: string; missing: string[]; restored: Metadata} | {hash: string; reason: string};

export async function repairMetadata(
	context: QueueContext,
	options: {dryRun?: boolean} = {},
): Promise<{repairs: MetadataRepair[]; checked: number; problems: string[]}> {
	const {manifest, problem} = await loadManifest(context);
	const raws = await collectAll(context.store, context.keys.rawFolder());
	const folder = await mkdtemp(path.join(os.tmpdir(), 'blobforge-repair-'));
	try {
		const repairs = await mapLimit(raws, 8, async entry => {
			const hash = /([0-9a-f]{64})\.pdf$/.exec(entry.key)?.[1];
			if (!hash) return undefined;
			const info = await context.store.head(entry.key);
			if (!info) return undefined;
			const missing = ['original-name', 'tags', 'size'].filter(name => !info.metadata[name]);
			if (missing.length === 0) return undefined;
			const known = manifest.entries[hash];
			if (!known) return {hash, reason: `lacks ${missing.join(', ')} and the manifest does not know it`};
			const first = known.paths[0];
			const restored: Metadata = {
				...info.metadata,
				...(info.metadata['original-name'] || !first ? {} : {'original-name': path.posix.basename(first)}),
				...(info.metadata['tags'] ? {} : {tags: JSON.stringify(known.tags)}),
				...(info.metadata['size'] ? {} : {size: String(known.size || info.size)}),
				...(info.metadata['path'] || !first || first.length > 512 ? {} : {path: first}),
			};
			if (!options.dryRun) {
				const file = path.join(folder, `${hash}.pdf`);
				await context.store.getFile(entry.key, file);
				await context.store.putFile(entry.key, file, {contentType: 'application/pdf', metadata: restored});
				await rm(file, {force: true});
			}
			return {hash, missing, restored};
		});
		return {
			repairs: repairs.filter((r): r is MetadataRepair => r !== undefined),
			checked: raws.length,
			problems: problem ? [problem] : [],
		};
	} finally {
		await rm(folder, {recursive: true, force: true});
	}
}
