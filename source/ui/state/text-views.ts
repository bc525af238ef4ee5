/**
The lines of the console's text views (a job's detail, its logs, a result preview), built from
inspector answers. Pure, so the components only scroll and draw them. Every line is made safe for
the terminal here; the overlay cuts lines to the width.
*/
import {
	jobName,
	type ConsoleJob,
	type ConsoleSnapshot,
	type ConsoleWorker,
	type JobDetail,
	type JobLog,
	type PeriodCounts,
} from '../../inspector/console-source.js';
import {formatBytes, formatDuration, safeText} from '../../lib/format.js';
import {bar} from '../text.js';

const iso = (ms: number) =>
	new Date(ms)
		.toISOString()
		.replace('T', ' ')
		.replace(/\.\d+Z$/, 'Z');

export function detailLines(detail: JobDetail, serverNow: number): string[] {
	const lines: string[] = [];
	const add = (label: string, text: string) => lines.push(`${label.padEnd(10)}${safeText(text)}`);
	add('why', detail.explanation);
	add('hash', detail.hash);
	add('state', detail.state);
	const name = jobName(detail);
	if (name) add('file', `${name}${detail.raw ? ` (${formatBytes(detail.raw.size)})` : ''}`);
	if (!detail.raw) add('raw PDF', 'missing from the store');
	const {manifest} = detail;
	if (manifest) {
		for (const path of manifest.paths) add('path', path);
		if (manifest.tags.length > 0) add('tags', manifest.tags.join(', '));
	}
	const lease = detail.lease;
	if (lease) {
		const l = lease.lease;
		lines.push('');
		add(
			'lease',
			`worker ${l.worker}, attempt ${l.attempt || '?'}, claimed ${formatDuration(serverNow - l.claimedAt)} ` +
				`ago${l.ending ? `, ended: ${l.ending}` : ''}`,
		);
		add('heartbeat', `last renewed ${formatDuration(serverNow - lease.lastModified)} ago (renewal #${l.counter})`);
		const p = l.progress;
		if (p) {
			add(
				'progress',
				p.stage +
					(p.pagesTotal ? `, page ${p.pagesDone ?? 0} of ${p.pagesTotal}` : '') +
					(p.etaMs === undefined ? '' : `, about ${formatDuration(p.etaMs)} left`),
			);
			const load = [
				p.cpuPercent === undefined ? '' : `CPU ${p.cpuPercent}%`,
				p.memoryPercent === undefined ? '' : `RAM ${p.memoryPercent}%`,
				p.childRssBytes === undefined ? '' : `converter ${formatBytes(p.childRssBytes)}`,
			]
				.filter(Boolean)
				.join(', ');
			if (load) add('machine', load);
		}
	}
	for (const {entry} of detail.todo) {
		lines.push('');
		add(
			'queued',
			`${entry.priority} since ${iso(entry.queuedAt)} (${entry.reason}), ${entry.attempts} attempt(s) ` +
				`used${entry.notBefore && entry.notBefore > serverNow ? `, not before ${iso(entry.notBefore)}` : ''}`,
		);
	}
	for (const [label, record] of [
		['failed', detail.failed],
		['dead', detail.dead],
	] as const) {
		if (!record) continue;
		lines.push('');
		add(
			label,
			`${record.reason}, ${record.attempts} attempt(s)${record.retryAt ? `, retry at ${iso(record.retryAt)}` : ''}`,
		);
	}
	const history = detail.dead?.history ?? detail.failed?.history ?? detail.todo[0]?.entry.history ?? [];
	if (history.length > 0) {
		lines.push('', 'attempts');
		for (const failure of history)
			lines.push(
				`  #${failure.attempt} ${iso(failure.at)} on ${safeText(failure.worker)}: ` +
					`${safeText(failure.error)}${failure.counted === false ? ' (not counted)' : ''}`,
			);
	}
	if (detail.result) {
		lines.push('');
		add('result', `${formatBytes(detail.result.size)}, stored ${iso(detail.result.lastModified)} (p previews it)`);
	}
	for (const problem of detail.problems) add('problem', problem);
	return lines;
}

export function logLines(logs: JobLog[], problems: string[]): string[] {
	const lines: string[] = [];
	if (logs.length === 0) lines.push('no attempt has finished yet: a log is written when an attempt ends');
	// Oldest attempt first, so the newest output is at the end, where a followed log sits.
	for (const log of [...logs].reverse()) {
		lines.push(
			`── attempt ${log.attempt} on ${safeText(log.worker)}: ${log.outcome}, ${iso(log.startedAt)}, ` +
				formatDuration(log.endedAt - log.startedAt) +
				(log.pages === undefined ? '' : `, ${log.pages} pages`) +
				(log.converter ? `, ${safeText(log.converter)}` : ''),
		);
		const timings = Object.entries(log.timings).map(([k, v]) => `${k.replace(/Ms$/, '')} ${formatDuration(v ?? 0)}`);
		if (timings.length > 0) lines.push(`   timings: ${timings.join(', ')}`);
		if (log.error) lines.push(`   error: ${safeText(log.error)}`);
		for (const line of log.output.split('\n')) if (line.trim() !== '') lines.push(`   │ ${safeText(line)}`);
	}
	for (const problem of problems) lines.push(`unreadable: ${safeText(problem)}`);
	return lines;
}

/** The running attempt, from its lease as the last refresh saw it: what a followed log ends with. */
export function liveLines(job: ConsoleJob | undefined): string[] {
	const run = job?.run;
	if (!run) return [];
	return [
		`── attempt ${run.attempt} on ${safeText(run.worker)}: running, ` +
			`${run.stage}${run.pagesTotal ? `, page ${run.pagesDone} of ${run.pagesTotal}` : ''}, ${formatDuration(run.elapsedMs)} so ` +
			`far${run.etaMs === undefined ? '' : `, about ${formatDuration(run.etaMs)} left`}; heartbeat ${formatDuration(run.heartbeatAgeMs)} ago`,
	];
}

export function previewLines(markdown: string | undefined): string[] {
	if (markdown === undefined) return ['no result yet: a preview is there once the job is done'];
	return markdown.split('\n').map(line => safeText(line));
}

/**
The History view: completed and failed per hour for the last day, per day for the last month, each
row with a bar scaled to the busiest period of its table. Times are UTC, as the store's are.
*/
export function historyLines(history: ConsoleSnapshot['history'], serverNow: number): string[] {
	const table = (title: string, counts: PeriodCounts, periodMs: number, label: (start: number) => string): string[] => {
		const max = Math.max(1, ...counts.completed, ...counts.failed);
		const first = (Math.floor(serverNow / periodMs) - counts.completed.length + 1) * periodMs;
		const rows = counts.completed.map((done, i) => {
			const failed = counts.failed[i] ?? 0;
			return (
				`${label(first + i * periodMs).padEnd(12)}${done.toLocaleString('en-US').padStart(9)}` +
				`${failed.toLocaleString('en-US').padStart(9)}  ${bar(done / max, 30)}`
			).trimEnd();
		});
		const total = (list: number[]) => list.reduce((a, b) => a + b, 0).toLocaleString('en-US');
		return [
			`── ${title}`,
			`${'UTC'.padEnd(12)}${'done'.padStart(9)}${'failed'.padStart(9)}`,
			...rows,
			`${'total'.padEnd(12)}${total(counts.completed).padStart(9)}${total(counts.failed).padStart(9)}`,
		];
	};
	const at = (ms: number) => new Date(ms).toISOString();
	return [
		'Jobs completed, and attempts that failed (a retried job counts each failure), kept in the read model.',
		'',
		...table(
			'per hour, the last 24 hours (the current hour last)',
			history.hourly,
			3_600_000,
			ms => `${at(ms).slice(5, 10)} ${at(ms).slice(11, 16)}`,
		),
		'',
		...table('per day, the last 30 days (today last)', history.daily, 86_400_000, ms => at(ms).slice(0, 10)),
	];
}

/** A worker's detail: who it is, what it does now, what it has done. */
export function workerLines(worker: ConsoleWorker, snapshot: Pick<ConsoleSnapshot, 'serverNow' | 'active'>): string[] {
	const lines: string[] = [];
	const add = (label: string, text: string) => lines.push(`${label.padEnd(11)}${safeText(text)}`);
	add('worker', worker.id);
	add('host', `${worker.host}, pid ${worker.pid}, BlobForge ${worker.version}`);
	const status =
		worker.command && worker.status !== 'stopped'
			? `${worker.status}, ${worker.command.command === 'drain' ? 'draining' : 'stopping'} (asked by ${worker.command.by})`
			: worker.command
				? `stopped: ${worker.command.command === 'drain' ? 'drained' : 'stopped'} by ${worker.command.by}`
				: worker.status === 'sleeping' && worker.sleepingUntil !== undefined
					? `sleeping until ${iso(worker.sleepingUntil)}`
					: worker.status;
	add('status', status);
	if (worker.startedAt > 0)
		add('started', `${iso(worker.startedAt)} (${formatDuration(snapshot.serverNow - worker.startedAt)} ago)`);
	add('last seen', `${formatDuration(worker.lastSeenAgoMs)} ago`);
	if (worker.slots > 1) {
		add('slots', `${worker.runningJobs} of ${worker.slots} busy`);
		const jobs = snapshot.active.filter(row => row.run?.worker === worker.id);
		add('jobs', jobs.length > 0 ? jobs.map(row => row.name ?? row.hash.slice(0, 12)).join(', ') : 'none');
	} else
		add(
			'job',
			worker.currentJob ? `${worker.currentJob}${worker.currentJobHash ? ` (${worker.currentJobHash})` : ''}` : 'none',
		);
	add(
		'done',
		`${worker.jobsCompleted} completed, ${worker.jobsFailed} failed, ${worker.pagesProcessed} pages` +
			(worker.avgJobMs === undefined ? '' : `, ${formatDuration(worker.avgJobMs)} a job`),
	);
	if (worker.busyShare !== undefined) add('busy', `${Math.round(worker.busyShare * 100)}% of its time on jobs`);
	const load = [
		worker.cpuPercent === undefined ? '' : `CPU ${worker.cpuPercent}%`,
		worker.memoryPercent === undefined ? '' : `RAM ${worker.memoryPercent}%`,
	].filter(Boolean);
	if (load.length > 0) add('machine', load.join(', '));
	if (worker.runWindows) add('windows', worker.runWindows.join(', '));
	lines.push('', 'Counters are as of its last registration write (every 30 minutes while busy).');
	return lines;
}
