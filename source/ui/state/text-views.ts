/**
The lines of the console's text views (a job's detail, its logs, a result preview), built from
inspector answers. Pure, so the components only scroll and draw them. Every line is made safe for
the terminal here; the overlay cuts lines to the width.
*/
import {jobName, type ConsoleJob, type JobDetail, type JobLog} from '../../inspector/console-source.js';
import {formatBytes, formatDuration, safeText} from '../../lib/format.js';

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
