/**
The one API the CLI and the console use: reads (overview, jobs, one job's records) and operator
actions. Nothing above this file touches the store; everything below it is the queue layer.
Like asynq's Inspector, it returns views made for display, not raw bucket records.
*/
import {isJobHash, type Priority} from '../queue/keys.js';
import type {JanitorReport} from '../queue/janitor-report.js';
import {runJanitor} from '../queue/janitor.js';
import {locateJob, type JobRecords} from '../queue/locate.js';
import {loadManifest, type Manifest} from '../queue/manifest.js';
import type {QueueContext} from '../queue/queue-context.js';
import {ReadModel, type QueueView, type RefreshParts} from '../queue/read-model/read-model.js';
import {reconcile} from '../queue/read-model/reconcile.js';
import {
	isAsleep,
	parseJobLog,
	parseWorkerRecord,
	type JobLog,
	type JobState,
	type WorkerCommand,
	type WorkerRecord,
} from '../queue/records.js';
import {collectAll} from '../storage/object-store.js';
import {mapLimit} from '../lib/concurrency.js';
import {
	cancelJob,
	clearDead,
	reprioritizeJob,
	retryAll,
	retryJob,
	type AdminOutcome,
} from '../queue/transitions/admin.js';
import type {RequestStats} from '../storage/request-stats.js';
import {explainJob} from './explain.js';
import {groupFailures, type FailureGroup} from './failure-groups.js';
import {removeJob} from '../queue/transitions/remove.js';
import {forgetWorkers} from '../queue/transitions/forget-workers.js';
import {sendWorkerCommand} from '../queue/transitions/worker-command.js';
import {operatorName} from '../lib/operator-name.js';
import {changePause, readPause, type PauseState} from '../queue/transitions/pause.js';
import {type ArchiveContents, type ArchiveLimits, readArchive} from '../lib/read-archive.js';
import {isNotModified} from '../storage/object-store.js';

/** A job as list views show it. */
export type JobRow = {
	hash: string;
	state: JobState;
	priority: Priority;
	name?: string;
	size?: number;
	attempts: number;
	error?: string;
	at: number;
	worker?: string;
};

export type JobDetail = JobRecords & {
	explanation: string;
	/** The job's manifest entry, when one was asked for and the manifest has it. */
	manifest?: {paths: string[]; tags: string[]};
};

/**
The job's file name: from its queue records (ingest writes it), else the raw PDF's metadata, else the
last segment of its first manifest path (a sync tool that drops `x-amz-meta-*` leaves only that).
*/
export function jobName(detail: JobDetail): string | undefined {
	return (
		detail.lease?.lease.name ??
		detail.todo[0]?.entry.name ??
		detail.dead?.name ??
		detail.failed?.name ??
		detail.raw?.metadata['original-name'] ??
		detail.manifest?.paths[0]?.split(/[\\/]/).pop()
	);
}

export type ResolvedHash = {ok: true; hash: string} | {ok: false; reason: string};

export class Inspector {
	private readonly readModel: ReadModel;
	private fullModel?: ReadModel;
	private lastView?: QueueView;
	private rowsCache?: {version: number; jobs: QueueView['jobs']; rows: JobRow[]};

	constructor(
		readonly context: QueueContext,
		/** The request counters of the store, for the console's own cost. */
		readonly stats?: RequestStats,
	) {
		this.readModel = new ReadModel(context);
	}

	/**
	Counts, jobs and active leases: three requests in steady state, whatever the history. `parts` may skip a
	half (see ReadModel).
	*/
	async overview(parts?: RefreshParts): Promise<QueueView> {
		this.lastView = await this.readModel.refresh(parts);
		return this.lastView;
	}

	/**
	The overview with every job in todo, failed and dead, however many: it reads every shard of the
	snapshot (once per shard version). For CLI listings and searches, not a console's refresh.
	*/
	async fullOverview(): Promise<QueueView> {
		this.fullModel ??= new ReadModel(this.context, {full: true});
		this.lastView = await this.fullModel.refresh();
		return this.lastView;
	}

	/** Jobs in a state (from the read model), newest first; processing from the active leases. */
	async jobs(filter: {state?: JobState; priority?: Priority} = {}, view?: QueueView): Promise<JobRow[]> {
		const current = view ?? (await this.overview());
		const active = new Map(current.active.map(a => [a.lease.hash, a]));
		const running: JobRow[] = current.active
			.map(a => ({
				hash: a.lease.hash,
				state: 'processing' as const,
				priority: a.lease.priority,
				name: a.lease.name,
				size: a.lease.size,
				attempts: Math.max(0, a.lease.attempt - 1),
				at: a.lease.claimedAt,
				worker: a.lease.worker,
			}))
			.sort((a, b) => b.at - a.at);
		const rest = this.queueRows(current).filter(r => !active.has(r.hash));
		const keep = (r: JobRow) =>
			(!filter.state || r.state === filter.state) && (!filter.priority || r.priority === filter.priority);
		return mergeNewestFirst(running.filter(keep), rest.filter(keep));
	}

	/** The rows of the jobs (those under a lease too, as their queue entry), newest first: kept until the read model's jobs change. */
	queueRows(view: QueueView): JobRow[] {
		if (this.rowsCache?.version === view.version && this.rowsCache.jobs === view.jobs) return this.rowsCache.rows;
		const rows: JobRow[] = [];
		for (const [hash, job] of Object.entries(view.jobs)) {
			if (job.state === 'removed') continue;
			rows.push({
				hash,
				state: job.state,
				priority: job.priority,
				name: job.name,
				size: job.size,
				attempts: job.attempts,
				error: job.error,
				at: job.at,
				worker: job.worker,
			});
		}
		rows.sort((a, b) => b.at - a.at);
		this.rowsCache = {version: view.version, jobs: view.jobs, rows};
		return rows;
	}

	/** A full hash, or an unambiguous prefix of one the read model knows. */
	async resolveHash(input: string): Promise<ResolvedHash> {
		const text = input.trim().toLowerCase();
		if (isJobHash(text)) return {ok: true, hash: text};
		if (!/^[0-9a-f]{4,63}$/.test(text))
			return {ok: false, reason: `"${input}" is not a SHA-256 hash or a prefix of at least 4 hex digits`};
		let view = this.lastView ?? (await this.overview());
		const matching = (v: QueueView) =>
			[...new Set([...Object.keys(v.jobs), ...v.active.map(a => a.lease.hash)])].filter(h => h.startsWith(text));
		let matches = matching(view);
		// A large queue's head shows only some jobs: a prefix it does not know is looked up among all.
		if (matches.length === 0 && !view.complete) {
			view = await this.fullOverview();
			matches = matching(view);
		}
		if (matches.length === 1) return {ok: true, hash: matches[0]!};
		if (matches.length > 1)
			return {
				ok: false,
				reason: `the prefix ${text} matches ${matches.length} jobs: ${matches
					.slice(0, 3)
					.map(h => h.slice(0, 16))
					.join(', ')}…`,
			};
		return {
			ok: false,
			reason: `no queued, active, failed or dead job starts with ${text} (done jobs need the full hash)`,
		};
	}

	/** Every record of one job and a sentence on why it is where it is (ten parallel reads). */
	/** Failed and dead jobs, newest first, from a full read (every shard): what failure groups are made of. */
	async failures(): Promise<JobRow[]> {
		const view = await this.fullOverview();
		return [...(await this.jobs({state: 'failed'}, view)), ...(await this.jobs({state: 'dead'}, view))];
	}

	/** Failures grouped by error signature, the largest group first. */
	async failureGroups(): Promise<Array<FailureGroup<JobRow>>> {
		return groupFailures(await this.failures());
	}

	/** What an operator paused (queue/transitions/pause.ts): one GET. */
	async pauseState(): Promise<PauseState> {
		const {etag: _etag, ...state} = await readPause(this.context);
		return state;
	}

	/** Pauses (or resumes) the named priorities, all of them when none is named; what is paused afterwards. */
	async setPaused(pause: boolean, by: string, named?: Priority[]): Promise<Priority[]> {
		return changePause(this.context, {pause, by, ...(named ? {priorities: named} : {})});
	}

	/** `manifest`: the one the caller holds, or 'load' to read it (one GET of the whole manifest). */
	async job(hash: string, options: {manifest?: Manifest | 'load'} = {}): Promise<JobDetail> {
		const [records, now, loaded] = await Promise.all([
			locateJob(this.context, hash),
			this.context.store.serverTime(),
			options.manifest === 'load' ? loadManifest(this.context) : {manifest: options.manifest, problem: undefined},
		]);
		const entry = loaded.manifest?.entries[hash];
		return {
			...records,
			...(loaded.problem ? {problems: [...records.problems, loaded.problem]} : {}),
			explanation: explainJob(records, now, this.context.config()),
			...(entry ? {manifest: {paths: entry.paths, tags: entry.tags}} : {}),
		};
	}

	/**
	The result of a done job: its bytes, and its files read with limits (lib/read-archive.ts), only
	when asked; undefined when the job has no result.
	*/
	async result(
		hash: string,
	): Promise<{bytes: Uint8Array; contents: (limits?: ArchiveLimits) => ArchiveContents} | undefined> {
		const got = await this.context.store.get(this.context.keys.result(hash));
		if (!got || isNotModified(got)) return undefined;
		const bytes = got.body;
		return {bytes, contents: limits => readArchive(bytes, limits)};
	}

	/**
	The job's attempt logs, newest first; unreadable ones are reported by key. The completed
	attempt's log is inside the result archive (log.json): read from it when the job is done.
	*/
	async logs(hash: string): Promise<{logs: JobLog[]; problems: string[]}> {
		const [entries, result] = await Promise.all([
			collectAll(this.context.store, this.context.keys.jobLogFolder(hash)),
			this.result(hash),
		]);
		const logs: JobLog[] = [];
		const problems: string[] = [];
		if (result) {
			const contents = result.contents({only: ['log.json']});
			const body = contents.ok ? contents.files['log.json'] : undefined;
			const parsed = body ? parseJobLog(body) : undefined;
			if (parsed?.ok) logs.push(parsed.value);
			else if (parsed) problems.push(`${this.context.keys.result(hash)} log.json: ${parsed.reason}`);
		}
		for (const entry of entries.reverse()) {
			const got = await this.context.store.get(entry.key);
			if (!got || isNotModified(got)) continue;
			const parsed = parseJobLog(got.body);
			if (parsed.ok) logs.push(parsed.value);
			else problems.push(`${entry.key}: ${parsed.reason}`);
		}
		logs.sort((a, b) => b.attempt - a.attempt || b.startedAt - a.startedAt);
		return {logs, problems};
	}

	/**
	Registered workers, most recently seen first, with whether each looks alive by the server's clock.
	A busy worker rewrites its registration only every 30 minutes: its current job and liveness come
	from its lease.
	*/
	async workers(): Promise<{
		workers: Array<WorkerRecord & {alive: boolean; lastSeenAgoMs: number; runningJobs: number}>;
		problems: string[];
	}> {
		const [entries, view] = await Promise.all([
			collectAll(this.context.store, this.context.keys.workerFolder()),
			this.overview(),
		]);
		const now = view.serverNow;
		const staleMs = this.context.config().stale_timeout_minutes * 60_000;
		const leaseOf = new Map(view.active.map(a => [a.lease.worker, a]));
		const running = new Map<string, number>();
		for (const a of view.active) running.set(a.lease.worker, (running.get(a.lease.worker) ?? 0) + 1);
		const workers: Array<WorkerRecord & {alive: boolean; lastSeenAgoMs: number; runningJobs: number}> = [];
		const problems: string[] = [...view.problems];
		const got = await mapLimit(entries, 16, async entry => ({entry, got: await this.context.store.get(entry.key)}));
		for (const {entry, got: object} of got) {
			if (!object || isNotModified(object)) continue;
			const parsed = parseWorkerRecord(object.body);
			if (!parsed.ok) {
				problems.push(`${entry.key}: ${parsed.reason}`);
				continue;
			}
			const active = leaseOf.get(parsed.value.worker);
			const ago = Math.min(now - object.lastModified, active ? active.heartbeatAgeMs : Number.POSITIVE_INFINITY);
			const {currentJob: _registered, ...record} = parsed.value;
			workers.push({
				...record,
				...(active
					? {
							status: 'processing' as const,
							currentJob: {
								hash: active.lease.hash,
								...(active.lease.name === undefined ? {} : {name: active.lease.name}),
								startedAt: active.lease.claimedAt,
							},
						}
					: {status: parsed.value.status === 'processing' ? ('idle' as const) : parsed.value.status}),
				// A worker whose lease went stale stopped renewing it (a kill -9, a hang): not alive, however
				// fresh the registration it wrote when the job began.
				alive:
					parsed.value.status !== 'stopped' &&
					(active
						? active.heartbeatAgeMs <= staleMs
						: ago < Math.max(staleMs, 20 * 60_000) || isAsleep(parsed.value, now)),
				lastSeenAgoMs: ago,
				runningJobs: running.get(parsed.value.worker) ?? 0,
			});
		}
		return {workers: workers.sort((a, b) => a.lastSeenAgoMs - b.lastSeenAgoMs), problems};
	}

	/** Deletes the registrations of workers that are gone or stopped and hold no lease; the ids forgotten. */
	async pruneWorkers(options: {dryRun?: boolean} = {}): Promise<string[]> {
		const {workers} = await this.workers();
		const ids = workers.filter(w => !w.alive && w.status !== 'processing').map(w => w.worker);
		if (!options.dryRun) await forgetWorkers(this.context, ids);
		return ids;
	}

	/**
	Sends drain or stop to a registered worker that has not stopped; refused (with why) otherwise.
	`leases`: the worker's running jobs when the caller knows them (the console), saving a listing.
	*/
	async commandWorker(
		worker: string,
		command: WorkerCommand,
		options: {leases?: string[]} = {},
	): Promise<{ok: true; message: string} | {ok: false; reason: string}> {
		const {workers} = await this.workers();
		const target = workers.find(w => w.worker === worker);
		if (!target) return {ok: false, reason: `no worker ${worker} is registered`};
		if (target.status === 'stopped') return {ok: false, reason: `${worker} has stopped already`};
		if (!target.alive)
			return {ok: false, reason: `${worker} is gone (silent): nothing would read it; see workers --prune`};
		const leases = options.leases ?? (target.currentJob ? [target.currentJob.hash] : []);
		const {leasesMarked} = await sendWorkerCommand(this.context, {worker, command, by: operatorName(), leases});
		const when = leasesMarked > 0 ? 'at its next heartbeat' : 'at its next idle poll (or within ten minutes)';
		return {
			ok: true,
			message:
				command === 'drain'
					? `asked ${worker} to drain: it finishes its job, claims no other and exits; it reads this ${when}`
					: `asked ${worker} to stop: its job is handed back (not counted) and it exits; it reads this ${when}`,
		};
	}

	async retry(hash: string, options: {priority?: Priority; resetRetries?: boolean} = {}): Promise<AdminOutcome> {
		return retryJob(this.context, hash, options);
	}

	async retryAll(
		from: Array<'failed' | 'dead'>,
		options: {priority?: Priority; resetRetries?: boolean} = {},
	): Promise<AdminOutcome[]> {
		return retryAll(this.context, from, options);
	}

	async cancel(hash: string): Promise<AdminOutcome> {
		return cancelJob(this.context, hash);
	}

	async reprioritize(hash: string, priority: Priority): Promise<AdminOutcome> {
		return reprioritizeJob(this.context, hash, priority);
	}

	async remove(hash: string, options: {force?: boolean; dryRun?: boolean} = {}): Promise<AdminOutcome> {
		return removeJob(this.context, hash, options);
	}

	/** Queued and active jobs whose file name contains `query` (case-insensitive), from the read model. */
	async searchQueue(query: string): Promise<JobRow[]> {
		const q = query.toLowerCase();
		const view = this.lastView?.complete ? this.lastView : await this.fullOverview();
		return (await this.jobs({}, view)).filter(
			r => (r.state === 'todo' || r.state === 'processing') && (r.name ?? '').toLowerCase().includes(q),
		);
	}

	async clearDead(options: {dryRun?: boolean} = {}): Promise<{count: number}> {
		return clearDead(this.context, options);
	}

	async janitor(
		options: {dryRun?: boolean; reconcile?: boolean; readAllLeases?: boolean} = {},
	): Promise<JanitorReport & {corrected?: number}> {
		// An operator's pass reads every lease by default: what ended a moment ago is swept now, not at a worker's next turn.
		const report = await runJanitor(this.context, {
			dryRun: options.dryRun,
			readAllLeases: options.readAllLeases ?? true,
		});
		if (options.reconcile && !options.dryRun) return {...report, corrected: (await reconcile(this.context)).corrected};
		return report;
	}
}

/** Two lists sorted newest first, merged. */
function mergeNewestFirst(a: JobRow[], b: JobRow[]): JobRow[] {
	const out: JobRow[] = [];
	let i = 0;
	let j = 0;
	while (i < a.length || j < b.length) {
		if (j >= b.length || (i < a.length && a[i]!.at >= b[j]!.at)) out.push(a[i++]!);
		else out.push(b[j++]!);
	}
	return out;
}
