/**
The Workers pane. Workers are few (one per machine or so) and have no actions, so this pane uses
ink-table's boxed grid; values are cut to a per-column budget first, so the grid fits the width.
*/
import {Table} from '@alcalzone/ink-table';
import {Text} from 'ink';

import type {ConsoleWorker} from '../../inspector/console-source.js';
import {formatDuration, formatWakeTime} from '../../lib/format.js';
import {fitText} from '../../lib/fit-text.js';
import {ago} from '../text.js';
import {useTheme} from '../theme.js';

type WorkerCells = {
	worker: string;
	host: string;
	status: string;
	job: string;
	cpu: string;
	ram: string;
	done: string;
	failed: string;
	'avg/job': string;
	seen: string;
};

/** A sleeping worker's job cell: "until 22:00 UTC", or "22:00Z" where the column is narrow (80 columns). */
function wakeCell(at: number, width: number): string {
	const long = `until ${formatWakeTime(at)}`;
	return long.length <= width ? long : `${formatWakeTime(at).slice(0, 5)}Z`;
}

/** The running job; with several slots, how many are busy first ("3/4 report.pdf"). */
function jobCell(w: ConsoleWorker): string {
	if (w.slots <= 1) return w.currentJob ?? '';
	return `${w.runningJobs}/${w.slots}${w.currentJob ? ` ${w.currentJob}` : ''}`;
}

/** `visible`: rows that fit (visibleRows in view.ts: a frame of three lines, two lines a row). */
export function WorkersPane({
	rows,
	offset,
	visible,
	width,
	filter,
}: {
	rows: ConsoleWorker[];
	offset: number;
	visible: number;
	width: number;
	filter: string;
}) {
	const theme = useTheme();
	if (rows.length === 0)
		return (
			<Text dimColor>
				{filter
					? `no worker matches "${fitText(filter, 40)}"`
					: 'no worker has registered yet: start one with `blobforge worker`'}
			</Text>
		);
	const wide = width >= 110;
	// Budgets per column; the job column takes what is left after borders and padding (3 per column).
	const fixed = {
		worker: 12,
		...(wide ? {host: 12} : {}),
		status: 10,
		cpu: 4,
		ram: 4,
		done: 6,
		...(wide ? {failed: 6} : {}),
		'avg/job': 7,
		seen: 8,
	};
	const columns = Object.keys(fixed).length + 1;
	const jobWidth = Math.max(6, width - 2 - columns * 3 - Object.values(fixed).reduce((a, b) => a + b, 0));
	const shown = rows.slice(offset, offset + visible);
	const data: Array<Partial<WorkerCells>> = shown.map(w => ({
		worker: fitText(w.id, fixed.worker),
		...(wide ? {host: fitText(w.host, 12)} : {}),
		// An operator's command shows in place of the status it changes: draining until it exits, then drained.
		status: w.command
			? w.status === 'stopped'
				? w.command.command === 'drain'
					? 'drained'
					: 'stopped'
				: w.command.command === 'drain'
					? 'draining'
					: 'stopping'
			: w.status,
		job: fitText(w.sleepingUntil === undefined ? jobCell(w) : wakeCell(w.sleepingUntil, jobWidth), jobWidth),
		cpu: w.cpuPercent === undefined ? '' : `${w.cpuPercent}%`,
		ram: w.memoryPercent === undefined ? '' : `${w.memoryPercent}%`,
		done: String(w.jobsCompleted),
		...(wide ? {failed: String(w.jobsFailed)} : {}),
		'avg/job': w.avgJobMs === undefined ? '' : formatDuration(w.avgJobMs),
		seen: ago(w.lastSeenAgoMs),
	}));
	const keys = (
		wide
			? ['worker', 'host', 'status', 'job', 'cpu', 'ram', 'done', 'failed', 'avg/job', 'seen']
			: ['worker', 'status', 'job', 'cpu', 'ram', 'done', 'avg/job', 'seen']
	) as Array<keyof WorkerCells>;
	return (
		<Table
			data={data}
			columns={keys}
			header={({children}) => (
				<Text bold color={theme.color('accent')}>
					{children}
				</Text>
			)}
		/>
	);
}
