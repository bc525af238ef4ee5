/** Two lines: where and how fresh, what the console itself costs; then warnings, if any. */
import {Box, Text} from 'ink';

import {priorities} from '../../inspector/console-source.js';
import {describeMonthlyCost} from '../describe.js';
import {formatDuration, formatWakeTime} from '../../lib/format.js';
import type {ConsoleState} from '../state/reducer.js';
import {fitText} from '../../lib/fit-text.js';
import {ago} from '../text.js';
import {useTheme} from '../theme.js';

/** The store line loses its endpoint (" at http://…") before the bucket or the prefix when space is short. */
export function Header({state, storeLine}: {state: ConsoleState; storeLine: string}) {
	const theme = useTheme();
	const {snapshot, snapshotAt, now, window} = state;
	// Running jobs and completions come from the lease sweep, which may be older than the rest: its age is shown.
	const leasesAge = snapshot && snapshotAt !== undefined ? snapshot.leasesAgeMs + (now - snapshotAt) : 0;
	const age =
		snapshotAt === undefined
			? 'loading…'
			: `updated ${ago(now - snapshotAt)}${leasesAge > Math.max(5000, now - snapshotAt + 2000) ? ` (running jobs ${ago(leasesAge)})` : ''}`;
	const sweep =
		snapshot && snapshot.leaseSweepMs > state.intervalMs ? ` (leases ${snapshot.leaseSweepMs / 1000}s)` : '';
	const pace = state.isPaused ? 'paused' : `every ${state.intervalMs / 1000}s${sweep}`;
	const cost = !snapshot
		? ''
		: snapshot.costMeasuring
			? snapshot.isPriced
				? 'measuring cost…'
				: 'free here'
			: `${Math.round(snapshot.requestsPerMinute)} req/min${snapshot.isPriced ? ` ≈ ${describeMonthlyCost(snapshot.monthlyCost)}` : ' (free here)'}`;
	const right = [age, pace, cost].filter(Boolean).join(' · ');
	const left = `BlobForge  ${state.isReadOnly ? '[read-only]  ' : ''}`;
	const room = Math.max(10, window.columns - 1 - left.length - right.length - 2);
	const warnings: Array<{text: string; tone: 'bad' | 'warn'}> = [];
	// First: a pause is the operator's doing, and it explains why nothing is claimed.
	if (snapshot?.paused) {
		const {priorities: paused, by} = snapshot.paused;
		warnings.push({
			text: `⏸ ${paused.length === priorities.length ? 'queue paused' : `paused: ${paused.join(', ')}`}${by ? ` by ${by}` : ''} (Z resumes)`,
			tone: 'warn',
		});
	}
	if (state.refreshError)
		warnings.push({
			text: `stale data: ${state.refreshError.message} (last good refresh ${snapshotAt === undefined ? 'never' : ago(now - snapshotAt)})`,
			tone: 'bad',
		});
	else if (snapshotAt !== undefined && !state.isPaused && now - snapshotAt > Math.max(10_000, 3 * state.intervalMs))
		warnings.push({text: `stale data: no answer for ${formatDuration(now - snapshotAt)}`, tone: 'warn'});
	if (snapshot?.clockSkewMs !== undefined)
		warnings.push({
			text:
				`this machine's clock is ${formatDuration(Math.abs(snapshot.clockSkewMs))} ${snapshot.clockSkewMs > 0 ? 'behind' : 'ahead of'} ` +
				`the server's (ages use the server's)`,
			tone: 'warn',
		});
	const unattended = snapshot?.unattended;
	if (unattended?.sleepingUntil !== undefined)
		warnings.push({
			text: `${unattended.waiting} waiting, workers asleep outside their run windows until ${formatWakeTime(unattended.sleepingUntil)}`,
			tone: 'warn',
		});
	else if (unattended)
		warnings.push({
			text:
				`${unattended.waiting} waiting, no live worker` +
				(unattended.sinceMs === undefined ? ' (none has registered)' : ` for ${formatDuration(unattended.sinceMs)}`),
			tone: 'bad',
		});
	for (const notice of snapshot?.notices ?? []) warnings.push({text: notice, tone: 'bad'});
	if (snapshot && snapshot.problems.length > 0)
		warnings.push({text: `${snapshot.problems.length} unreadable record(s): ${snapshot.problems[0]}`, tone: 'warn'});
	return (
		<Box flexDirection="column" height={2}>
			<Text wrap="truncate-end">
				<Text bold color={theme.color('accent')}>
					{left}
				</Text>
				<Text>{fitText(fitStoreLine(storeLine, room), room, {pad: true})}</Text>
				<Text dimColor={!state.isPaused} color={state.isPaused ? theme.color('warn') : undefined}>
					{'  '}
					{right}
				</Text>
			</Text>
			{warnings.length > 0 ? (
				<Text color={theme.color(warnings[0]!.tone)} bold={!theme.isColor} wrap="truncate-end">
					{fitText(`⚠ ${warnings.map(w => w.text).join(' · ')}`, window.columns - 1)}
				</Text>
			) : (
				<Text> </Text>
			)}
		</Box>
	);
}

/**
The store line cut to `room` columns so that what names the queue survives longest: first the
endpoint (" at http://…") goes, then the middle of the location, keeping its scheme and the end of
the bucket or path, and the prefix.
*/
export function fitStoreLine(line: string, room: number): string {
	if (line.length <= room) return line;
	const short = line.replace(/ at \S+/, '');
	if (short.length <= room) return short;
	const match = /^(.*?)( prefix .*)$/.exec(short);
	if (!match) return short;
	const [, location = '', prefix = ''] = match;
	const scheme = /^[a-z0-9]+:(\/\/)?/.exec(location)?.[0] ?? '';
	const keep = room - prefix.length - scheme.length - 1;
	if (keep >= 4) return `${scheme}…${location.slice(location.length - keep)}${prefix}`;
	// Too narrow for the scheme: the end of the location and the prefix, or the prefix alone.
	const rest = room - prefix.length - 1;
	return rest >= 1 ? `…${location.slice(location.length - rest)}${prefix}` : short;
}
