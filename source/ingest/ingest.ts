/**
Ingest: files in, jobs out. State-aware and cheap in requests:

Requests for a run: GET snapshot + LIST journal + LIST processing (the read model: queued,
failed, dead, processing), LIST store/out/ (done) and LIST store/raw/ (raw PDFs already stored),
a page per 1,000 keys each; then per batch of up to 100 files: GET + PUT manifest, a PUT per raw
PDF missing from the store, a PUT per job queued, one journal PUT. About 2 requests per new file.

Order per batch: manifest, then raw PDFs, then todo entries. An interrupted ingest (Ctrl-C, a
crash) therefore never leaves a job queued without its raw PDF, nor a queued job missing from the
manifest; a manifest entry without a job is harmless (the next ingest queues it).
*/
import path from 'node:path';
import {mapLimit} from '../lib/concurrency.js';
import type {Priority} from '../queue/keys.js';
import {mergeEntry, updateManifest} from '../queue/manifest.js';
import type {QueueContext} from '../queue/queue-context.js';
import {isStoreError} from '../storage/store-error.js';
import {ReadModel} from '../queue/read-model/read-model.js';
import {enqueueMany, type EnqueueRequest} from '../queue/transitions/enqueue.js';
import {collectAll} from '../storage/object-store.js';
import {readLfsObject} from './git-lfs.js';
import {inspectFile, type InspectedFile} from './inspect-file.js';
import {scanPaths, tagsFromPath, type FoundFile} from './scan.js';

export type FileOutcome = 'queued' | 'would-queue' | 'skipped' | 'failed';

export type FileResult = {path: string; hash?: string; size?: number; outcome: FileOutcome; reason: string};

export type IngestSummary = {
	found: number;
	queued: number;
	uploaded: number;
	skipped: Record<string, number>;
	failed: number;
	interrupted: boolean;
	results: FileResult[];
};

export type IngestOptions = {
	/** @default 'normal' */
	priority?: Priority;
	/** Extra tags for every file. */
	tags?: string[];
	/** Decide and report, write nothing. */
	dryRun?: boolean;
	/** Uploads in flight at once. @default 8 */
	concurrency?: number;
	/** Files per manifest update and enqueue batch. @default 100 */
	batchSize?: number;
	/** Progress while hashing and uploading. */
	onProgress?: (phase: 'hashing' | 'uploading', done: number, total: number) => void;
	/** Aborting stops before the next batch; what was done stays consistent. */
	signal?: AbortSignal;
};

type Candidate = FoundFile & {inspected: InspectedFile};

export async function ingest(
	context: QueueContext,
	inputs: string[],
	options: IngestOptions = {},
): Promise<IngestSummary> {
	const priority = options.priority ?? 'normal';
	const summary: IngestSummary = {
		found: 0,
		queued: 0,
		uploaded: 0,
		skipped: {},
		failed: 0,
		interrupted: false,
		results: [],
	};
	const skip = (result: FileResult) => {
		summary.results.push(result);
		summary.skipped[result.reason] = (summary.skipped[result.reason] ?? 0) + 1;
	};
	const scan = await scanPaths(inputs);
	for (const problem of scan.problems) {
		summary.failed++;
		summary.results.push({path: problem.path, outcome: 'failed', reason: problem.reason});
	}
	summary.found = scan.files.length;
	let hashed = 0;
	const candidates: Candidate[] = await mapLimit(scan.files, 16, async file => {
		let inspected: InspectedFile;
		try {
			inspected = await inspectFile(file.file);
		} catch (error) {
			inspected = {
				kind: 'not-pdf',
				reason: `cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
			};
		}
		options.onProgress?.('hashing', ++hashed, scan.files.length);
		return {...file, inspected};
	});

	const [view, results, raws] = await Promise.all([
		// Every job, not the head's few: a queued job must not be queued again at another priority.
		new ReadModel(context, {full: true}).refresh(),
		collectAll(context.store, context.keys.resultFolder()),
		collectAll(context.store, context.keys.rawFolder()),
	]);
	const done = new Set(results.map(e => context.keys.hashOf(e.key)));
	const storedRaw = new Set(raws.map(e => context.keys.hashOf(e.key)));
	const firstPathOf = new Map<string, string>();
	const valid: Array<Candidate & {hash: string; size: number; isNew: boolean}> = [];
	for (const candidate of candidates) {
		const display = candidate.file;
		if (candidate.inspected.kind === 'not-pdf') {
			summary.failed++;
			summary.results.push({path: display, outcome: 'failed', reason: candidate.inspected.reason});
			continue;
		}
		const {hash, size} = candidate.inspected;
		const first = firstPathOf.get(hash);
		const state = done.has(hash) ? 'done' : view.stateOf(hash);
		let isNew = false;
		if (first) skip({path: display, hash, size, outcome: 'skipped', reason: 'duplicate in this run'});
		else if (state) skip({path: display, hash, size, outcome: 'skipped', reason: `already ${state}`});
		else isNew = true;
		firstPathOf.set(hash, first ?? display);
		valid.push({...candidate, hash, size, isNew});
	}

	const batchSize = options.batchSize ?? 100;
	let uploaded = 0;
	const toUpload = valid.filter(v => v.isNew && !storedRaw.has(v.hash)).length;
	for (let start = 0; start < valid.length; start += batchSize) {
		if (options.signal?.aborted) {
			summary.interrupted = true;
			for (const v of valid.slice(start).filter(x => x.isNew))
				summary.results.push({
					path: v.file,
					hash: v.hash,
					size: v.size,
					outcome: 'failed',
					reason: 'interrupted before it was queued',
				});
			break;
		}
		const batch = valid.slice(start, start + batchSize);
		const fresh = batch.filter(v => v.isNew);
		if (options.dryRun) {
			for (const v of fresh)
				summary.results.push({
					path: v.file,
					hash: v.hash,
					size: v.size,
					outcome: 'would-queue',
					reason: storedRaw.has(v.hash)
						? `would queue at ${priority} (raw PDF already stored)`
						: `would upload and queue at ${priority}`,
				});
			continue;
		}
		await updateManifest(context, manifest => {
			const now = new Date().toISOString();
			for (const v of batch)
				mergeEntry(manifest, v.hash, {
					paths: [v.relative],
					size: v.size,
					tags: [...tagsFromPath(v.relative), ...(options.tags ?? [])],
					ingested_at: now,
					source: path.basename(v.root),
				});
		});
		const upload = async (v: (typeof fresh)[number]) => {
			if (storedRaw.has(v.hash)) return {v, ok: true as const};
			try {
				// The path too, so a worker needs no manifest for info.json (S3 allows 2 KB of metadata: long paths are left out).
				const metadata = {
					'original-name': path.basename(v.file),
					tags: JSON.stringify([...tagsFromPath(v.relative), ...(options.tags ?? [])]),
					...(v.relative.length <= 512 ? {path: v.relative} : {}),
				};
				// Files stream from disk (a 200 MB PDF never sits in memory); an LFS object comes from git.
				if (v.inspected.kind === 'lfs-pointer') {
					const body = await readLfsObject(v.file, v.hash);
					await context.store.put(context.keys.raw(v.hash), body, {
						contentType: 'application/pdf',
						metadata: {...metadata, size: String(body.byteLength)},
					});
				} else {
					await context.store.putFile(context.keys.raw(v.hash), v.file, {
						contentType: 'application/pdf',
						metadata: {...metadata, size: String(v.size)},
					});
				}
				storedRaw.add(v.hash);
				uploaded++;
				options.onProgress?.('uploading', uploaded, toUpload);
				return {v, ok: true as const};
			} catch (error) {
				return {v, ok: false as const, reason: (error as Error).message, noSpace: isStoreError(error, 'no-space')};
			}
		};
		const uploads = await mapLimit(fresh, options.concurrency ?? 8, upload);
		// Parallel uploads into a nearly full store each take part of the room and all fail: those that
		// ran out of room are tried again one at a time, so what fits is stored.
		for (const [index, done] of uploads.entries())
			if (!done.ok && done.noSpace && !options.signal?.aborted) uploads[index] = await upload(done.v);
		const requests: EnqueueRequest[] = [];
		const requested: typeof fresh = [];
		for (const upload of uploads) {
			if (!upload.ok) {
				summary.failed++;
				summary.results.push({
					path: upload.v.file,
					hash: upload.v.hash,
					size: upload.v.size,
					outcome: 'failed',
					reason: upload.reason,
				});
				continue;
			}
			requests.push({
				hash: upload.v.hash,
				priority,
				name: path.basename(upload.v.file),
				size: upload.v.size,
				previousSeq: view.jobs[upload.v.hash]?.seq,
			});
			requested.push(upload.v);
		}
		const outcomes = await enqueueMany(context, requests);
		for (const [index, outcome] of outcomes.entries()) {
			const v = requested[index]!;
			if (outcome.kind === 'queued') {
				summary.queued++;
				summary.results.push({
					path: v.file,
					hash: v.hash,
					size: v.size,
					outcome: 'queued',
					reason: `queued at ${priority}`,
				});
			} else {
				skip({path: v.file, hash: v.hash, size: v.size, outcome: 'skipped', reason: 'already queued'});
			}
		}
	}
	summary.uploaded = uploaded;
	return summary;
}
