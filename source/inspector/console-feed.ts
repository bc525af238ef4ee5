/**
The console's source on a real store: one `ConsoleSnapshot` (console-source.ts) per refresh, and the
actions the console's keys perform.

Requests, in steady state, on two clocks:
- every refresh (2 s by default): 1 conditional GET of queue/changes.json, 304 unless the journal
  grew; when it did, the read model's journal half (GET snapshot 304, LIST journal, GETs of new
  journal objects);
- every lease sweep (`leaseSweepMs`: 20 s on S3, every refresh on the local store, and at once
  after an operator action or Ctrl-R): LIST processing, plus one GET per lease that changed (a
  claim, a heartbeat, an ending), and the snapshot's GET (304);
- workers: LIST registry/workers/ every 60 s, plus one GET per registration that changed (sooner,
  once, for a worker a lease names that was not read yet);
- the pause: a conditional GET of queue/todo/0_paused.json with every lease sweep;
- the manifest (paths and tags for the filter and the detail): a conditional GET once a minute.
A LIST costs what 12.5 GETs do, so the fast path is GETs only: about $1.9 a month at a 2 s refresh
with 20 running jobs at AWS prices, where listing everything each refresh costs about $14.
*/
import {mapLimit} from '../lib/concurrency.js';
import type {Priority} from '../queue/keys.js';
import {loadManifest, type Manifest} from '../queue/manifest.js';
import {periodSeries} from '../queue/read-model/event-fold.js';
import type {QueueView} from '../queue/read-model/read-model.js';
import {actionsFor} from '../queue/job-actions.js';
import {
	isAsleep,
	parseWorkerRecord,
	type JobLog,
	type JobState,
	type Lease,
	type WorkerCommand,
	type WorkerRecord,
} from '../queue/records.js';
import type {AdminOutcome} from '../queue/transitions/admin.js';
import {collectAll, isNotModified} from '../storage/object-store.js';
import type {
	ConsoleJob,
	ConsoleJobDetail,
	ConsoleSnapshot,
	ConsoleSource,
	ConsoleWorker,
	EndedAttempt,
	HeartbeatHealth,
} from './console-source.js';
import {workerStatusOrder} from './console-source.js';
import {operatorName} from '../lib/operator-name.js';
import {PauseWatch, type PauseState} from '../queue/transitions/pause.js';
import {markLease} from '../queue/transitions/worker-command.js';
import type {Inspector} from './inspector.js';
import {ObjectWatch} from '../queue/object-watch.js';

const workersEveryMs = 60_000;
const manifestEveryMs = 60_000;
const configEveryMs = 60_000;
const skewWorthMentioningMs = 30_000;

/** Completed and failed per hour for the last day and per day for the last 30, from the read model's head. */
export function historyOf(view: Pick<QueueView, 'serverNow' | 'history'>): ConsoleSnapshot['history'] {
	const {history, serverNow} = view;
	return {
		hourly: {
			completed: periodSeries(history.completionsByHour, serverNow, 3_600_000, 24),
			failed: periodSeries(history.failuresByHour, serverNow, 3_600_000, 24),
		},
		daily: {
			completed: periodSeries(history.completionsByDay, serverNow, 86_400_000, 30),
			failed: periodSeries(history.failuresByDay, serverNow, 86_400_000, 30),
		},
	};
}

export function heartbeatHealth(ageMs: number, staleAfterMs: number, heartbeatIntervalMs: number): HeartbeatHealth {
	if (ageMs > staleAfterMs) return 'stale';
	// Late: more than two heartbeats missed, or halfway to stale, whichever comes first.
	return ageMs > Math.min(staleAfterMs / 2, 2 * heartbeatIntervalMs + 5000) ? 'late' : 'fine';
}

/** Completions per minute (oldest first) and the backlog's ETA from the last ten minutes' rate. */
export function throughput(
	view: Pick<QueueView, 'serverNow' | 'counts' | 'completionsByMinute'>,
	minutes = 30,
): {perMinute: number[]; ratePerMinute: number; backlogEtaMs?: number} {
	const perMinute = periodSeries(view.completionsByMinute, view.serverNow, 60_000, minutes);
	// The rate over the last ten full minutes and the current, partial one; when completions began
	// within that window, only the time since their first minute counts, so a fresh run is not
	// diluted by the idle minutes before it.
	const window = perMinute.slice(-11);
	const first = window.findIndex(n => n > 0);
	const elapsedOfCurrent = (view.serverNow % 60_000) / 60_000;
	const span = first < 0 ? 1 : Math.max(1, window.length - 1 - first + elapsedOfCurrent);
	const ratePerMinute = window.reduce((a, b) => a + b, 0) / span;
	const backlog = view.counts.total.todo + view.counts.total.processing;
	return {
		perMinute,
		ratePerMinute,
		...(ratePerMinute > 0 && backlog > 0 ? {backlogEtaMs: (backlog / ratePerMinute) * 60_000} : {}),
	};
}

function endedAttempt(lease: Lease): EndedAttempt | undefined {
	const {ending, endedAt} = lease;
	if (!ending || ending === 'completing' || endedAt === undefined) return undefined;
	return {
		hash: lease.hash,
		seq: lease.seq,
		outcome: ending,
		priority: lease.priority,
		claimedAt: lease.claimedAt,
		endedAt,
	};
}

export type FeedOptions = {
	/** The floor for the refresh interval, in seconds (the console_min_refresh config key). @default 1 */
	minRefreshSeconds?: number;
	/** How often the leases are listed, in ms; 0 lists them every refresh. @default 20000 */
	leaseSweepMs?: number;
	/** Messages to show beside the queue's own (the demo reports its ingest problems here). */
	notices?: () => string[];
	/** This machine's clock (for the skew warning). @default Date.now */
	now?: () => number;
	/** A monotonic clock in ms for the schedules; tests pass their own. @default performance.now */
	monotonic?: () => number;
	/** Whether requests cost money (S3), so the header shows the monthly cost. @default true */
	isPriced?: boolean;
	/**
	The remote config the queue context reads from, re-read once a minute (a conditional GET: 304 while
	unchanged), so a `config set` reaches the health and "stale after" a console shows.
	*/
	remoteConfig?: {refresh(): Promise<{problems: string[]}>};
	/** Called with every snapshot taken (the metrics exporter of `watch --metrics-listen` reads the console's). */
	onSnapshot?: (snapshot: ConsoleSnapshot) => void;
};

type CachedWorker = {etag: string; lastModified: number; record?: WorkerRecord};

export class InspectorFeed implements ConsoleSource {
	private readonly workers = new Map<string, CachedWorker>();
	private workersAt = Number.NEGATIVE_INFINITY;
	private readonly pauseWatch: PauseWatch;
	/** Commands this console sent, until their worker stops: each lease it starts meanwhile is marked too. */
	private readonly sentCommands = new Map<string, WorkerCommand>();
	private pause: PauseState = {priorities: []};
	/** Lease holders the registrations were listed again for, since none of theirs was known. */
	private readonly lookedFor = new Set<string>();
	private manifest?: {manifest: Manifest; etag?: string; at: number};
	private readonly startedAt: number;
	private readonly changes: ObjectWatch;
	private leasesAt = Number.NEGATIVE_INFINITY;
	private panes?: {
		version: number;
		jobs: QueueView['jobs'];
		manifest: InspectorFeed['manifest'];
		rows: Map<JobState, ConsoleJob[]>;
	};
	readonly minRefreshSeconds: number;
	private readonly leaseSweepMs: number;
	private readonly notices?: () => string[];
	private readonly localClock: () => number;
	private readonly monotonic: () => number;
	private readonly isPriced: boolean;
	private readonly remoteConfig?: FeedOptions['remoteConfig'];
	private readonly onSnapshot?: FeedOptions['onSnapshot'];
	/** When the first refresh finished: the console's rate is counted from then. */
	private firstRefreshedAt?: number;
	private configAt: number;

	constructor(
		private readonly inspector: Inspector,
		readonly storeLine: string,
		options: FeedOptions = {},
	) {
		this.minRefreshSeconds = options.minRefreshSeconds ?? 1;
		this.leaseSweepMs = options.leaseSweepMs ?? 20_000;
		this.notices = options.notices;
		this.localClock = options.now ?? Date.now;
		this.monotonic = options.monotonic ?? (() => performance.now());
		this.startedAt = this.monotonic();
		this.isPriced = options.isPriced ?? true;
		this.remoteConfig = options.remoteConfig;
		this.onSnapshot = options.onSnapshot;
		this.pauseWatch = new PauseWatch(inspector.context);
		// The caller read the config just before opening the console.
		this.configAt = this.startedAt;
		this.changes = new ObjectWatch(inspector.context.store, inspector.context.keys.changes());
	}

	async snapshot(options: {full?: boolean} = {}): Promise<ConsoleSnapshot> {
		const {context} = this.inspector;
		const config = context.config();
		const now = this.monotonic();
		const leases = options.full === true || now - this.leasesAt >= this.leaseSweepMs;
		// The journal half when the change object moved (always checked, so it stays current), or with a full read.
		const journal = (await this.changes.changed()) || options.full === true;
		const sweptAt = this.leasesAt;
		if (leases) this.leasesAt = now;
		const [view, problems] = await Promise.all([
			this.inspector.overview({journal, snapshot: leases, leases}).catch((error: unknown) => {
				// What was due but not read is due again at the next refresh.
				if (journal) this.changes.forget();
				this.leasesAt = sweptAt;
				throw error;
			}),
			this.refreshSideData(now, leases),
		]);
		const localNow = this.localClock();
		const staleAfterMs = config.stale_timeout_minutes * 60_000;
		const tagsOf = (hash: string) => this.manifest?.manifest.entries[hash]?.tags ?? [];
		const running = new Set(view.active.map(a => a.lease.hash));
		const panes = this.paneRows(view, tagsOf);
		const byState = (state: JobState): ConsoleJob[] => (panes.get(state) ?? []).filter(r => !running.has(r.hash));
		const active: ConsoleJob[] = view.active.map(({lease, heartbeatAgeMs}) => {
			const progress = lease.progress;
			// A lease is created before its holder has read the todo entry; until its first heartbeat
			// the name, size and attempt come from the entry the read model still holds.
			const queued = view.jobs[lease.hash];
			const attempt = lease.attempt || (queued ? queued.attempts + 1 : 1);
			return {
				hash: lease.hash,
				state: 'processing',
				priority: lease.priority,
				name: lease.name ?? queued?.name,
				size: lease.size ?? queued?.size,
				attempts: attempt - 1,
				at: lease.claimedAt,
				tags: tagsOf(lease.hash),
				actions: actionsFor('processing'),
				run: {
					worker: lease.worker,
					attempt,
					stage: lease.ending === 'completing' ? 'uploading' : (progress?.stage ?? 'claimed'),
					pagesDone: progress?.pagesDone ?? 0,
					pagesTotal: progress?.pagesTotal ?? 0,
					elapsedMs: Math.max(0, view.serverNow - lease.claimedAt),
					...(progress?.etaMs === undefined ? {} : {etaMs: Math.max(0, progress.etaMs - heartbeatAgeMs)}),
					heartbeatAgeMs,
					health: heartbeatHealth(heartbeatAgeMs, staleAfterMs, config.heartbeat_interval * 1000),
				},
			};
		});
		const workers = this.workerRows(view, staleAfterMs);
		if (leases && this.sentCommands.size > 0) await this.markCommandedLeases(view, workers, problems);
		// A lease held (or ended, for jobs shorter than a sweep) by a worker whose registration was not read
		// yet: a worker started since the last listing (every minute). The registrations are listed again at
		// the next refresh, not a minute later. Once per such worker: one that never registers (the earlier
		// system's) must not cost a LIST a refresh.
		const known = new Set(workers.map(w => w.id));
		const holders = new Set([...view.active.map(a => a.lease.worker), ...view.ended.map(lease => lease.worker)]);
		const unknown = [...holders].filter(w => !known.has(w) && !this.lookedFor.has(w));
		for (const worker of unknown) this.lookedFor.add(worker);
		// Listed in this very refresh: such a holder has no registration (yet); nothing to list again.
		if (unknown.length > 0 && this.workersAt !== now) this.workersAt = Number.NEGATIVE_INFINITY;
		const unattended = this.unattended(view, workers, staleAfterMs);
		// Without a live worker nothing will finish: no ETA for the backlog.
		const flow = throughput(view);
		if (unattended) delete flow.backlogEtaMs;
		const rate = this.requestRate();
		this.firstRefreshedAt ??= this.monotonic();
		const skew = view.serverNow - localNow;
		const notices = this.notices?.() ?? [];
		const snapshot: ConsoleSnapshot = {
			serverNow: view.serverNow,
			localNow,
			...(Math.abs(skew) > skewWorthMentioningMs ? {clockSkewMs: skew} : {}),
			counts: view.counts,
			completionsPerMinute: flow.perMinute,
			failuresPerMinute: periodSeries(view.failuresByMinute, view.serverNow, 60_000, flow.perMinute.length),
			history: historyOf(view),
			throughputPerMinute: flow.ratePerMinute,
			...(flow.backlogEtaMs === undefined ? {} : {backlogEtaMs: flow.backlogEtaMs}),
			active: active.sort((a, b) => a.at - b.at),
			todo: byState('todo'),
			failed: byState('failed'),
			dead: byState('dead'),
			done: byState('done'),
			endings: view.ended.flatMap(lease => endedAttempt(lease) ?? []),
			...(view.complete ? {} : {partial: true as const}),
			workers,
			...(unattended ? {unattended} : {}),
			staleAfterMs,
			leasesAgeMs: Math.max(0, this.monotonic() - this.leasesAt),
			leaseSweepMs: this.leaseSweepMs,
			isPriced: this.isPriced,
			requestsPerMinute: rate.requestsPerMinute,
			...(rate.measuring ? {costMeasuring: true as const} : {}),
			monthlyCost: rate.dollarsPerMinute * 60 * 24 * 30,
			problems: [...view.problems, ...problems],
			...(this.pause.priorities.length > 0
				? {
						paused: {
							priorities: this.pause.priorities,
							...(this.pause.by ? {by: this.pause.by} : {}),
							...(this.pause.at ? {at: this.pause.at} : {}),
						},
					}
				: {}),
			...(notices.length > 0 ? {notices: [...notices]} : {}),
		};
		this.onSnapshot?.(snapshot);
		return snapshot;
	}

	async job(hash: string): Promise<ConsoleJobDetail> {
		return this.inspector.job(hash, this.manifest ? {manifest: this.manifest.manifest} : {});
	}

	async logs(hash: string): Promise<{logs: JobLog[]; problems: string[]}> {
		return this.inspector.logs(hash);
	}

	async preview(hash: string): Promise<string | undefined> {
		const result = await this.inspector.result(hash);
		if (!result) return undefined;
		// Only the Markdown, and not more of it than a screen can use: a hostile archive cannot freeze the console.
		const contents = result.contents({only: ['content.md'], maxEntryBytes: 32 * 2 ** 20});
		if (!contents.ok) return `(${contents.reason})`;
		const markdown = contents.files['content.md'];
		if (markdown) return Buffer.from(markdown).toString('utf8');
		const refused = contents.refused[0];
		return refused ? `(content.md refused: ${refused.reason})` : '(the result has no content.md)';
	}

	async retry(hashes: string[]): Promise<AdminOutcome[]> {
		return mapLimit(hashes, 8, async hash => this.inspector.retry(hash));
	}

	async cancel(hash: string): Promise<AdminOutcome> {
		return this.inspector.cancel(hash);
	}

	async reprioritize(hash: string, priority: Priority): Promise<AdminOutcome> {
		return this.inspector.reprioritize(hash, priority);
	}

	async remove(hashes: string[]): Promise<AdminOutcome[]> {
		return mapLimit(hashes, 8, async hash => this.inspector.remove(hash));
	}

	/**
	A worker that claimed a job just as a command was sent (its lease was not there to mark) hears it
	from this: each of its leases without the mark gets it (GET + PUT If-Match, once per job).
	*/
	private async markCommandedLeases(view: QueueView, workers: ConsoleWorker[], problems: string[]): Promise<void> {
		for (const [worker, command] of this.sentCommands) {
			const row = workers.find(w => w.id === worker);
			if (row && (row.status === 'stopped' || row.status === 'gone')) {
				this.sentCommands.delete(worker);
				continue;
			}
			for (const {lease} of view.active)
				if (lease.worker === worker && lease.workerCommand !== command && lease.ending === undefined)
					await markLease(this.inspector.context, lease.hash, worker, command).catch((error: unknown) => {
						problems.push(`marking ${worker}'s lease: ${(error as Error).message}`);
					});
		}
	}

	async commandWorker(
		worker: string,
		command: WorkerCommand,
		leases: string[],
	): Promise<{ok: true; message: string} | {ok: false; reason: string}> {
		const answer = await this.inspector.commandWorker(worker, command, {leases});
		if (answer.ok) this.sentCommands.set(worker, command);
		// The registrations are read again at the next refresh, so the pane shows draining at once.
		this.workersAt = Number.NEGATIVE_INFINITY;
		return answer;
	}

	async clearDead(): Promise<{count: number}> {
		return this.inspector.clearDead();
	}

	async setPaused(pause: boolean): Promise<Priority[]> {
		const paused = await this.inspector.setPaused(pause, operatorName());
		this.pause = await this.pauseWatch.read();
		return paused;
	}

	/**
	Requests per minute of this console since its first refresh (over at most the last 10 minutes): the
	first refresh reads everything once, and counted into the first minute's rate it made a console
	look three times as dear as it is. Half a minute of refreshes is needed before a rate is shown.
	*/
	private requestRate(): {requestsPerMinute: number; dollarsPerMinute: number; measuring?: true} {
		const stats = this.inspector.stats;
		if (!stats) return {requestsPerMinute: 0, dollarsPerMinute: 0};
		const since = this.firstRefreshedAt;
		if (since === undefined || this.monotonic() - since < 30_000)
			return {requestsPerMinute: 0, dollarsPerMinute: 0, measuring: true};
		const window = Math.min(600_000, this.monotonic() - since);
		return stats.rate(window);
	}

	/** Workers and the manifest, each on its own slower schedule; problems reported, never thrown. */
	/**
	The rows of each pane, built once per change of the read model's jobs (or of the manifest's tags):
	at 1,000,000 queued, building them on every refresh would take the console's CPU.
	*/
	private paneRows(view: QueueView, tagsOf: (hash: string) => string[]): Map<JobState, ConsoleJob[]> {
		const cached = this.panes;
		if (cached && cached.version === view.version && cached.jobs === view.jobs && cached.manifest === this.manifest)
			return cached.rows;
		const rows = new Map<JobState, ConsoleJob[]>();
		for (const r of this.inspector.queueRows(view)) {
			const list = rows.get(r.state) ?? [];
			list.push({...r, tags: tagsOf(r.hash), actions: actionsFor(r.state)});
			rows.set(r.state, list);
		}
		this.panes = {version: view.version, jobs: view.jobs, manifest: this.manifest, rows};
		return rows;
	}

	private async refreshSideData(now = this.monotonic(), withLeases = false): Promise<string[]> {
		const problems: string[] = [];
		const tasks: Array<Promise<void>> = [];
		const workersDue = now - this.workersAt >= workersEveryMs;
		if (workersDue) {
			this.workersAt = now;
			tasks.push(
				this.refreshWorkers(problems).catch((error: unknown) => {
					problems.push(`workers: ${(error as Error).message}`);
				}),
			);
		}
		// The pause with every lease sweep (a conditional GET, 304 while unchanged): a pause explains why
		// nothing is claimed, so it should be no older than the running jobs shown.
		if (workersDue || withLeases)
			tasks.push(
				this.pauseWatch.read().then(
					pause => {
						this.pause = pause;
						if (pause.problem) problems.push(pause.problem);
					},
					(error: unknown) => {
						problems.push(`pause: ${(error as Error).message}`);
					},
				),
			);
		const remoteConfig = this.remoteConfig;
		if (remoteConfig && now - this.configAt >= configEveryMs) {
			this.configAt = now;
			tasks.push(
				remoteConfig.refresh().then(
					read => {
						problems.push(...read.problems);
					},
					(error: unknown) => {
						problems.push(`config: ${(error as Error).message}`);
					},
				),
			);
		}
		if (!this.manifest || now - this.manifest.at >= manifestEveryMs) {
			tasks.push(
				this.refreshManifest(now, problems).catch((error: unknown) => {
					problems.push(`manifest: ${(error as Error).message}`);
				}),
			);
		}
		await Promise.all(tasks);
		return problems;
	}

	private async refreshWorkers(problems: string[]): Promise<void> {
		const {store, keys} = this.inspector.context;
		const listed = await collectAll(store, keys.workerFolder());
		const seen = new Set(listed.map(e => e.key));
		for (const key of this.workers.keys()) if (!seen.has(key)) this.workers.delete(key);
		const changed = listed.filter(e => this.workers.get(e.key)?.etag !== e.etag);
		await mapLimit(changed, 8, async entry => {
			const got = await store.get(entry.key);
			if (!got || isNotModified(got)) return;
			const parsed = parseWorkerRecord(got.body);
			if (!parsed.ok) problems.push(`${entry.key}: ${parsed.reason}`);
			this.workers.set(entry.key, {
				etag: got.etag,
				lastModified: got.lastModified,
				...(parsed.ok ? {record: parsed.value} : {}),
			});
		});
	}

	private async refreshManifest(now: number, problems: string[]): Promise<void> {
		const loaded = await loadManifest(this.inspector.context, this.manifest?.etag);
		if (loaded === 'not-modified') {
			this.manifest = {...this.manifest!, at: now};
			return;
		}
		if (loaded.problem) problems.push(`manifest: ${loaded.problem}`);
		this.manifest = {manifest: loaded.manifest, ...(loaded.etag === undefined ? {} : {etag: loaded.etag}), at: now};
	}

	/** Waiting jobs with no live worker: no registration that is not gone or stopped, no lease that is not stale. */
	private unattended(
		view: QueueView,
		workers: ConsoleWorker[],
		staleAfterMs: number,
	): ConsoleSnapshot['unattended'] | undefined {
		const stale = view.active.filter(a => a.heartbeatAgeMs > staleAfterMs).length;
		const waiting = view.counts.total.todo + view.counts.total.failed + stale;
		if (waiting === 0) return undefined;
		if (workers.some(w => w.status === 'idle' || w.status === 'processing')) return undefined;
		if (view.active.some(a => a.heartbeatAgeMs <= staleAfterMs)) return undefined;
		const wakes = workers.flatMap(w => (w.sleepingUntil === undefined ? [] : [w.sleepingUntil]));
		if (wakes.length > 0) return {waiting, sleepingUntil: Math.min(...wakes)};
		let lastSign = Number.NEGATIVE_INFINITY;
		for (const cached of this.workers.values()) lastSign = Math.max(lastSign, cached.lastModified);
		for (const a of view.active) lastSign = Math.max(lastSign, a.lastWrite);
		return Number.isFinite(lastSign) ? {waiting, sinceMs: Math.max(0, view.serverNow - lastSign)} : {waiting};
	}

	private workerRows(view: QueueView, staleAfterMs: number): ConsoleWorker[] {
		const activeOf = new Map<string, (typeof view.active)[number]>();
		const running = new Map<string, number>();
		// Maps, not a search of the leases per worker: at 10,000 workers a refresh would compare 10⁸ pairs.
		const lastWriteOf = new Map<string, number>();
		for (const a of view.active) {
			if (!activeOf.has(a.lease.worker)) activeOf.set(a.lease.worker, a);
			running.set(a.lease.worker, (running.get(a.lease.worker) ?? 0) + 1);
			lastWriteOf.set(a.lease.worker, Math.max(lastWriteOf.get(a.lease.worker) ?? 0, a.lastWrite));
		}
		const rows: ConsoleWorker[] = [];
		for (const cached of this.workers.values()) {
			const record = cached.record;
			if (!record) continue;
			const ago = Math.max(0, view.serverNow - cached.lastModified);
			const active = activeOf.get(record.worker);
			const lease = active?.lease;
			// A registration is rewritten at least every ten minutes while idle (30 while busy, when its lease
			// is renewed): older, with no lease renewed in time, means the process is gone (a kill -9). A worker
			// whose leases are all past the stale timeout stopped renewing them: gone (or hung) however fresh
			// its registration, which it wrote when the job began.
			const renewing = active !== undefined && active.heartbeatAgeMs <= staleAfterMs;
			const gone =
				record.status !== 'stopped' &&
				!renewing &&
				!isAsleep(record, view.serverNow) &&
				(active !== undefined || ago > Math.max(staleAfterMs, 20 * 60_000));
			const finished = record.jobsCompleted + record.jobsFailed;
			const sleeping = !lease && record.status === 'idle' && isAsleep(record, view.serverNow);
			rows.push({
				id: record.worker,
				host: record.host,
				status: gone
					? 'gone'
					: lease
						? 'processing'
						: sleeping
							? 'sleeping'
							: record.status === 'processing'
								? 'idle'
								: record.status,
				...(sleeping && record.sleepingUntil !== undefined ? {sleepingUntil: record.sleepingUntil} : {}),
				// Until its first heartbeat a lease has no name: the queue entry the read model holds has it.
				...(lease ? {currentJob: lease.name ?? view.jobs[lease.hash]?.name ?? lease.hash.slice(0, 12)} : {}),
				...(lease?.progress?.cpuPercent === undefined
					? record.cpuPercent === undefined
						? {}
						: {cpuPercent: record.cpuPercent}
					: {cpuPercent: lease.progress.cpuPercent}),
				...(lease?.progress?.memoryPercent === undefined
					? record.memoryPercent === undefined
						? {}
						: {memoryPercent: record.memoryPercent}
					: {memoryPercent: lease.progress.memoryPercent}),
				jobsCompleted: record.jobsCompleted,
				jobsFailed: record.jobsFailed,
				...(finished > 0 ? {avgJobMs: record.busyMs / finished} : {}),
				pid: record.pid,
				version: record.softwareVersion,
				startedAt: record.startedAt,
				// busyMs sums the slots: a share of the time all of them could have worked.
				...(record.lastSeen > record.startedAt
					? {busyShare: Math.min(1, record.busyMs / ((record.lastSeen - record.startedAt) * (record.slots ?? 1)))}
					: {}),
				slots: record.slots ?? 1,
				runningJobs: running.get(record.worker) ?? 0,
				pagesProcessed: record.pagesProcessed,
				...(lease ? {currentJobHash: lease.hash} : {}),
				...(record.runWindows ? {runWindows: record.runWindows} : {}),
				...(record.command ? {command: {command: record.command.command, by: record.command.by}} : {}),
				lastSeenAgoMs: lease ? Math.min(ago, Math.max(0, view.serverNow - (lastWriteOf.get(record.worker) ?? 0))) : ago,
			});
		}
		return rows.sort((a, b) => workerStatusOrder[a.status] - workerStatusOrder[b.status] || a.id.localeCompare(b.id));
	}
}
