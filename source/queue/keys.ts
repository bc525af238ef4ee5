/**
Every key BlobForge reads or writes, built in one place. The layout keeps the earlier Python
system's keys for what users already have (raw PDFs, results, manifest, config), so a bucket
it filled keeps working.

  <prefix>store/raw/<sha256>.pdf          the PDF, with user metadata original-name, tags, size
  <prefix>store/out/<sha256>.zip          the result; its existence means "done"
  <prefix>queue/todo/<priority>/<sha256>  a queued job
  <prefix>queue/processing/<sha256>       a lease held by a worker
  <prefix>queue/failed/<sha256>           failed, waiting for its retry
  <prefix>queue/dead/<sha256>             dead-lettered
  <prefix>registry/manifest.json          ingest manifest
  <prefix>registry/config.json            remote config
  <prefix>registry/capabilities.json      what `doctor` found the provider supports
  <prefix>registry/workers/<id>.json      worker registrations
  <prefix>registry/commands/<id>.json     an operator's command to one worker (drain, stop)
  <prefix>registry/logs/<sha256>/...      job logs, one object per attempt
*/
export const priorities = ['critical', 'high', 'normal', 'low', 'background'] as const;
export type Priority = (typeof priorities)[number];

/** Folder names of the priorities in the bucket (the earlier system's, kept for compatibility). */
export const priorityFolders: Record<Priority, string> = {
	critical: '1_critical',
	high: '2_high',
	normal: '3_normal',
	low: '4_low',
	background: '5_background',
};

/** Accepts `high`, `2_high` and `2`; undefined for anything else. */
export function parsePriority(value: string): Priority | undefined {
	const lower = value.trim().toLowerCase();
	for (const priority of priorities) {
		const folder = priorityFolders[priority];
		if (lower === priority || lower === folder || lower === folder.slice(0, 1)) return priority;
	}
	return undefined;
}

const hashPattern = /^[0-9a-f]{64}$/;

export function isJobHash(value: string): boolean {
	return hashPattern.test(value);
}

export class Keys {
	constructor(readonly prefix: string) {}

	raw(hash: string): string {
		return `${this.prefix}store/raw/${hash}.pdf`;
	}

	rawFolder(): string {
		return `${this.prefix}store/raw/`;
	}

	result(hash: string): string {
		return `${this.prefix}store/out/${hash}.zip`;
	}

	resultFolder(): string {
		return `${this.prefix}store/out/`;
	}

	todo(priority: Priority, hash: string): string {
		return `${this.todoFolder(priority)}${hash}`;
	}

	todoFolder(priority: Priority): string {
		return `${this.prefix}queue/todo/${priorityFolders[priority]}/`;
	}

	lease(hash: string): string {
		return `${this.leaseFolder()}${hash}`;
	}

	leaseFolder(): string {
		return `${this.prefix}queue/processing/`;
	}

	failed(hash: string): string {
		return `${this.prefix}queue/failed/${hash}`;
	}

	failedFolder(): string {
		return `${this.prefix}queue/failed/`;
	}

	dead(hash: string): string {
		return `${this.prefix}queue/dead/${hash}`;
	}

	deadFolder(): string {
		return `${this.prefix}queue/dead/`;
	}

	/** Journal objects sort by server time: `queue/journal/<13-digit ms>-<random>.json`. */
	journal(serverMs: number, random: string): string {
		return `${this.journalFolder()}${String(Math.floor(serverMs)).padStart(13, '0')}-${random}.json`;
	}

	journalFolder(): string {
		return `${this.prefix}queue/journal/`;
	}

	/** Server time encoded in a journal key, or undefined. */
	journalTime(key: string): number | undefined {
		const match = /(\d{13})-[0-9a-f]+\.json$/.exec(key);
		return match ? Number(match[1]) : undefined;
	}

	/** Touched whenever jobs become claimable, so idle workers poll one small object with a conditional GET. */
	signal(): string {
		return `${this.prefix}queue/signal.json`;
	}

	/**
	Touched when jobs of the two highest priorities become claimable and on every pause or resume:
	what a busy worker asks before it reuses an older listing of normal or higher jobs.
	*/
	urgentSignal(): string {
		return `${this.prefix}queue/urgent.json`;
	}

	/**
	The priorities an operator paused (queue/transitions/pause.ts); absent while none is. In the todo
	folder, before every priority folder ('0' < '1_critical/'): a listing of the queue's head shows it.
	*/
	paused(): string {
		return `${this.prefix}queue/todo/0_paused.json`;
	}

	/** Where the pause was kept before it moved into the todo folder: read when that is absent, moved by the next change. */
	legacyPaused(): string {
		return `${this.prefix}queue/paused.json`;
	}

	/** Touched on every journal append, so consoles poll one small object instead of listing the journal. */
	changes(): string {
		return `${this.prefix}queue/changes.json`;
	}

	snapshot(): string {
		return `${this.prefix}queue/snapshot.json`;
	}

	/** One shard of the snapshot: the jobs whose hashes start with `hashPrefix`, as written by one compaction. */
	snapshotShard(hashPrefix: string, id: string): string {
		return `${this.snapshotShardFolder()}${hashPrefix || 'all'}.${id}.json`;
	}

	snapshotShardFolder(): string {
		return `${this.prefix}queue/snapshot/`;
	}

	/** Who ran the last janitor pass, and when: the fleet takes turns instead of every worker running one. */
	janitorTurn(): string {
		return `${this.prefix}queue/janitor.json`;
	}

	manifest(): string {
		return `${this.prefix}registry/manifest.json`;
	}

	config(): string {
		return `${this.prefix}registry/config.json`;
	}

	capabilities(): string {
		return `${this.prefix}registry/capabilities.json`;
	}

	worker(id: string): string {
		return `${this.prefix}registry/workers/${id}.json`;
	}

	/** An operator's command to one worker (drain, stop): transitions/worker-command.ts. */
	workerCommand(id: string): string {
		return `${this.prefix}registry/commands/${id}.json`;
	}

	workerFolder(): string {
		return `${this.prefix}registry/workers/`;
	}

	jobLog(hash: string, attempt: number): string {
		return `${this.jobLogFolder(hash)}attempt-${String(attempt).padStart(3, '0')}.json`;
	}

	jobLogFolder(hash: string): string {
		return `${this.prefix}registry/logs/${hash}/`;
	}

	/** The hash at the end of a queue key, or undefined for anything that is not one. */
	hashOf(key: string): string | undefined {
		const last = key.slice(key.lastIndexOf('/') + 1).replace(/\.(pdf|zip)$/, '');
		return isJobHash(last) ? last : undefined;
	}
}
