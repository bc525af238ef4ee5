/**
Pure derivations from the console state: which rows a pane shows (filtered and sorted), the sort
columns, and how many table rows fit the window. The reducer and the components share them.
*/
import {
	priorities,
	workerStatusOrder,
	type ConsoleJob,
	type ConsoleSnapshot,
	type ConsoleWorker,
} from '../../inspector/console-source.js';
import {errorSignature, groupFailures, type FailureGroup} from '../../inspector/failure-groups.js';

export type PaneId = 'active' | 'todo' | 'failed' | 'dead' | 'done' | 'workers';
export const panes: PaneId[] = ['active', 'todo', 'failed', 'dead', 'done', 'workers'];
export const paneTitles: Record<PaneId, string> = {
	active: 'Active',
	todo: 'Queue',
	failed: 'Failed',
	dead: 'Dead',
	done: 'Done',
	workers: 'Workers',
};

export type Window = {columns: number; rows: number};

/**
Lines the screen uses besides the table: header (2), overview (7), tabs (1), table heading (1), status (1),
footer (1), and one spare so a frame is never as tall as the terminal.
*/
const chromeLines = 14;

export function tableRows(window: Window): number {
	return Math.max(3, window.rows - chromeLines);
}

/** Rows a pane shows at once: the Workers pane's boxed grid takes two lines a row and three for its frame. */
export function visibleRows(pane: PaneId, window: Window): number {
	const lines = tableRows(window) + 1;
	return pane === 'workers' ? Math.max(1, Math.floor((lines - 3) / 2)) : tableRows(window);
}

/**
Lines a text view (help, detail, logs, preview) shows at once: all but the header (2), its title and key hint
(2), the footer (2) and the spare line.
*/
export function overlayRows(window: Window): number {
	return Math.max(3, window.rows - 7);
}

type Comparator<T> = (a: T, b: T) => number;
export type SortColumn<T> = {name: string; compare: Comparator<T>};

const byName: Comparator<ConsoleJob> = (a, b) => (a.name ?? a.hash).localeCompare(b.name ?? b.hash);
const byPriority: Comparator<ConsoleJob> = (a, b) => priorities.indexOf(a.priority) - priorities.indexOf(b.priority);
const byOldest: Comparator<ConsoleJob> = (a, b) => a.at - b.at;
const byNewest: Comparator<ConsoleJob> = (a, b) => b.at - a.at;
const bySize: Comparator<ConsoleJob> = (a, b) => (b.size ?? 0) - (a.size ?? 0);
const byAttempts: Comparator<ConsoleJob> = (a, b) => b.attempts - a.attempts;
const progressOf = (job: ConsoleJob) =>
	job.run && job.run.pagesTotal > 0 ? job.run.pagesDone / job.run.pagesTotal : 0;

/** Failed, dead and done jobs: newest first. */
const settledSorts: Array<SortColumn<ConsoleJob>> = [
	{name: 'when', compare: byNewest},
	{name: 'name', compare: byName},
	{name: 'size', compare: bySize},
	{name: 'priority', compare: byPriority},
	{name: 'attempts', compare: byAttempts},
];

const jobSorts: Record<Exclude<PaneId, 'workers'>, Array<SortColumn<ConsoleJob>>> = {
	active: [
		{name: 'elapsed', compare: byOldest},
		{name: 'progress', compare: (a, b) => progressOf(b) - progressOf(a)},
		{name: 'heartbeat', compare: (a, b) => (b.run?.heartbeatAgeMs ?? 0) - (a.run?.heartbeatAgeMs ?? 0)},
		{name: 'worker', compare: (a, b) => (a.run?.worker ?? '').localeCompare(b.run?.worker ?? '')},
		{name: 'name', compare: byName},
		{name: 'size', compare: bySize},
	],
	// The queue's own order first: priority, then oldest.
	todo: [
		{name: 'priority', compare: (a, b) => byPriority(a, b) || byOldest(a, b)},
		{name: 'age', compare: byOldest},
		{name: 'name', compare: byName},
		{name: 'size', compare: bySize},
		{name: 'attempts', compare: byAttempts},
	],
	failed: settledSorts,
	done: settledSorts,
	dead: settledSorts,
};

export const workerSorts: Array<SortColumn<ConsoleWorker>> = [
	{
		name: 'status',
		compare: (a, b) => workerStatusOrder[a.status] - workerStatusOrder[b.status] || a.id.localeCompare(b.id),
	},
	{name: 'worker', compare: (a, b) => a.id.localeCompare(b.id)},
	{name: 'jobs', compare: (a, b) => b.jobsCompleted - a.jobsCompleted},
	{name: 'last seen', compare: (a, b) => a.lastSeenAgoMs - b.lastSeenAgoMs},
];

export function sortColumnNames(pane: PaneId): string[] {
	return pane === 'workers' ? workerSorts.map(s => s.name) : jobSorts[pane].map(s => s.name);
}

export type SortState = {index: number; descending: boolean};

function sorted<T>(rows: T[], columns: Array<SortColumn<T>>, sort: SortState): T[] {
	const column = columns[sort.index % columns.length]!;
	const result = [...rows].sort(column.compare);
	return sort.descending ? result.reverse() : result;
}

/** Case-insensitive match on file name, hash, worker or tag. */
export function jobMatches(job: ConsoleJob, filter: string): boolean {
	if (filter === '') return true;
	const f = filter.toLowerCase();
	return (
		(job.name ?? '').toLowerCase().includes(f) ||
		job.hash.startsWith(f) ||
		(job.run?.worker ?? '').toLowerCase().includes(f) ||
		job.tags.some(t => t.toLowerCase().includes(f))
	);
}

export function workerMatches(worker: ConsoleWorker, filter: string): boolean {
	if (filter === '') return true;
	const f = filter.toLowerCase();
	return (
		worker.id.toLowerCase().includes(f) ||
		worker.host.toLowerCase().includes(f) ||
		(worker.currentJob ?? '').toLowerCase().includes(f)
	);
}

/** The panes whose jobs can be grouped by error signature. */
export type GroupedPane = 'failed' | 'dead';
export const isGroupedPane = (pane: PaneId): pane is GroupedPane => pane === 'failed' || pane === 'dead';

/** Grouping of a Failed or Dead pane: on, it lists groups; `open` lists the jobs of one signature. */
export type Grouping = {on: boolean; open?: string};

export type JobGroup = FailureGroup<ConsoleJob>;

export const signatureOf = (job: ConsoleJob): string => errorSignature(job.error ?? '(no error recorded)');

const lastGroups = new Map<GroupedPane, {snapshot: ConsoleSnapshot; filter: string; groups: JobGroup[]}>();

/** The pane's jobs that match the filter, grouped by error signature, the largest group first. */
export function jobGroups(snapshot: ConsoleSnapshot | undefined, pane: GroupedPane, filter: string): JobGroup[] {
	if (!snapshot) return [];
	const cached = lastGroups.get(pane);
	if (cached && cached.snapshot === snapshot && cached.filter === filter) return cached.groups;
	const groups = groupFailures(snapshot[pane].filter(job => jobMatches(job, filter)));
	lastGroups.set(pane, {snapshot, filter, groups});
	return groups;
}

// The last result per pane: a key press and the render that follows ask for the same rows, and a
// queue of 100,000 jobs should be filtered and sorted once per refresh, not once per key.
const lastJobRows = new Map<
	string,
	{
		snapshot: ConsoleSnapshot;
		filter: string;
		group: string | undefined;
		index: number;
		descending: boolean;
		rows: ConsoleJob[];
	}
>();

export function jobRows(
	snapshot: ConsoleSnapshot | undefined,
	pane: Exclude<PaneId, 'workers'>,
	filter: string,
	sort: SortState,
	/** Only the jobs of this error signature (an open group). */
	group?: string,
): ConsoleJob[] {
	if (!snapshot) return [];
	const cached = lastJobRows.get(pane);
	if (
		cached &&
		cached.snapshot === snapshot &&
		cached.filter === filter &&
		cached.group === group &&
		cached.index === sort.index &&
		cached.descending === sort.descending
	)
		return cached.rows;
	const rows = sorted(
		snapshot[pane].filter(job => jobMatches(job, filter) && (group === undefined || signatureOf(job) === group)),
		jobSorts[pane],
		sort,
	);
	lastJobRows.set(pane, {snapshot, filter, group, index: sort.index, descending: sort.descending, rows});
	return rows;
}

export function workerRows(snapshot: ConsoleSnapshot | undefined, filter: string, sort: SortState): ConsoleWorker[] {
	if (!snapshot) return [];
	return sorted(
		snapshot.workers.filter(w => workerMatches(w, filter)),
		workerSorts,
		sort,
	);
}

/** The identities of a pane's rows, in display order: job hashes, worker ids, or error signatures. */
export function rowKeys(
	snapshot: ConsoleSnapshot | undefined,
	pane: PaneId,
	filter: string,
	sort: SortState,
	grouping?: Grouping,
): string[] {
	if (pane === 'workers') return workerRows(snapshot, filter, sort).map(w => w.id);
	if (isGroupedPane(pane) && grouping?.on && grouping.open === undefined)
		return jobGroups(snapshot, pane, filter).map(g => g.signature);
	const rows = jobRows(snapshot, pane, filter, sort, grouping?.on ? grouping.open : undefined);
	let keys = keysOfRows.get(rows);
	if (!keys) {
		keys = rows.map(j => j.hash);
		keysOfRows.set(rows, keys);
	}
	return keys;
}

const keysOfRows = new WeakMap<ConsoleJob[], string[]>();
