/** The Active, Queue, Failed, Dead and Done panes: one table each, columns chosen by pane. */

import type {ConsoleJob} from '../../inspector/console-source.js';
import {formatBytes, formatDuration} from '../../lib/format.js';
import {sortColumnNames, type JobGroup, type PaneId, type SortState} from '../state/view.js';
import {ago, bar} from '../text.js';
import {Table, type Column} from './table.js';

const file: Column<ConsoleJob> = {title: 'FILE', flex: 3, cell: j => ({text: j.name ?? j.hash.slice(0, 16)})};
const size: Column<ConsoleJob> = {
	title: 'SIZE',
	width: 8,
	alignRight: true,
	hideBelow: 100,
	cell: j => ({text: j.size === undefined ? '' : formatBytes(j.size)}),
};
const priority: Column<ConsoleJob> = {title: 'PRIO', width: 6, hideBelow: 90, cell: j => ({text: j.priority})};

function activeColumns(): Array<Column<ConsoleJob>> {
	return [
		file,
		size,
		priority,
		{title: 'WORKER', width: 10, cell: j => ({text: j.run?.worker ?? ''})},
		{title: 'STAGE', width: 10, cell: j => ({text: j.run?.stage ?? ''})},
		{
			title: 'PROGRESS',
			width: 19,
			cell: j => {
				const run = j.run;
				if (!run || run.pagesTotal === 0) return {text: ''};
				return {text: `${bar(run.pagesDone / run.pagesTotal, 10)} ${run.pagesDone}/${run.pagesTotal}`, tone: 'accent'};
			},
		},
		{title: 'ELAPSED', width: 7, alignRight: true, cell: j => ({text: formatDuration(j.run?.elapsedMs ?? 0)})},
		{
			title: 'ETA',
			width: 7,
			alignRight: true,
			hideBelow: 100,
			cell: j => ({text: j.run?.etaMs === undefined ? '' : formatDuration(j.run.etaMs)}),
		},
		{
			title: 'BEAT',
			width: 8,
			alignRight: true,
			cell: j => {
				const run = j.run;
				if (!run) return {text: ''};
				const tone = run.health === 'stale' ? 'bad' : run.health === 'late' ? 'warn' : 'ok';
				return {
					text: `${formatDuration(run.heartbeatAgeMs)}${run.health === 'fine' ? '' : run.health === 'late' ? '!' : '!!'}`,
					tone,
				};
			},
		},
	];
}

function listColumns(pane: PaneId, serverNow: number): Array<Column<ConsoleJob>> {
	if (pane === 'done')
		return [
			file,
			size,
			priority,
			{title: 'TRIES', width: 5, alignRight: true, cell: j => ({text: String(j.attempts + 1)})},
			{title: 'DONE', width: 8, alignRight: true, cell: j => ({text: ago(serverNow - j.at)})},
		];
	return [
		file,
		size,
		priority,
		{title: 'TRIES', width: 5, alignRight: true, cell: j => ({text: String(j.attempts)})},
		{
			title: pane === 'todo' ? 'LAST ERROR' : 'ERROR',
			flex: 2,
			cell: j => ({text: j.error ?? '', tone: pane === 'dead' ? 'bad' : 'warn'}),
		},
		{
			title: pane === 'todo' ? 'QUEUED' : 'WHEN',
			width: 8,
			alignRight: true,
			cell: j => ({text: ago(serverNow - j.at)}),
		},
	];
}

const emptyText: Record<Exclude<PaneId, 'workers'>, string> = {
	active: 'no job is running',
	todo: 'the queue is empty',
	failed: 'no failed jobs (failed jobs wait here for their retry)',
	dead: 'the dead-letter queue is empty',
	done: 'nothing finished in the last 30 minutes (older results: blobforge download, preview)',
};

export function JobPane(props: {
	pane: Exclude<PaneId, 'workers'>;
	rows: ConsoleJob[];
	/** Hashes marked for one action: a ● before the file name. */
	marked?: ReadonlySet<string>;
	selected: number;
	offset: number;
	height: number;
	width: number;
	serverNow: number;
	filter: string;
	sort?: SortState;
}) {
	const sortedBy = marked(
		props.pane === 'active' ? activeColumns() : listColumns(props.pane, props.serverNow),
		props.pane,
		props.sort,
	);
	const marks = props.marked;
	const columns =
		marks && marks.size > 0
			? [
					{
						title: '',
						width: 1,
						cell: (j: ConsoleJob) => ({text: marks.has(j.hash) ? '●' : ' ', tone: 'accent' as const}),
					},
					...sortedBy,
				]
			: sortedBy;
	const empty = props.filter ? `nothing matches "${props.filter}" (Esc clears the filter)` : emptyText[props.pane];
	return (
		<Table
			columns={columns}
			rows={props.rows}
			selected={props.selected}
			offset={props.offset}
			height={props.height}
			width={props.width}
			empty={empty}
		/>
	);
}

/** A Failed or Dead pane grouped by error signature: one row per group, the largest first. */
export function GroupPane(props: {
	groups: JobGroup[];
	selected: number;
	offset: number;
	height: number;
	width: number;
	serverNow: number;
}) {
	const columns: Array<Column<JobGroup>> = [
		{title: 'JOBS', width: 5, alignRight: true, cell: g => ({text: String(g.count)})},
		{
			title: 'ERROR (its signature: numbers #, paths <path>, quotes "…")',
			flex: 3,
			cell: g => ({text: g.signature, tone: 'warn'}),
		},
		{title: 'EXAMPLE', flex: 1, hideBelow: 90, cell: g => ({text: g.example.name ?? g.example.hash.slice(0, 16)})},
		{title: 'NEWEST', width: 8, alignRight: true, cell: g => ({text: ago(props.serverNow - g.example.at)})},
	];
	return (
		<Table
			columns={columns}
			rows={props.groups}
			selected={props.selected}
			offset={props.offset}
			height={props.height}
			width={props.width}
			empty="no failures to group"
		/>
	);
}

/** Which column each sort of view.ts orders by (a sort by priority then age marks PRIO). */
const sortedTitles: Record<string, string[]> = {
	elapsed: ['ELAPSED'],
	progress: ['PROGRESS'],
	heartbeat: ['BEAT'],
	worker: ['WORKER'],
	name: ['FILE'],
	size: ['SIZE'],
	priority: ['PRIO'],
	age: ['QUEUED'],
	attempts: ['TRIES'],
	when: ['WHEN', 'DONE'],
};

/** The column the pane is sorted by gets an arrow: ↓ in the sort's own order, ↑ reversed (as the tabs say). */
function marked(columns: Array<Column<ConsoleJob>>, pane: Exclude<PaneId, 'workers'>, sort: SortState | undefined) {
	if (!sort) return columns;
	const names = sortColumnNames(pane);
	const titles = sortedTitles[names[sort.index % names.length]!] ?? [];
	return columns.map(c => {
		if (!titles.includes(c.title)) return c;
		const title = `${c.title}${sort.descending ? '↑' : '↓'}`;
		// A fixed column widens by the arrow rather than cut its title.
		return {...c, title, ...(c.width === undefined ? {} : {width: Math.max(c.width, title.length)})};
	});
}
