/** Counts per state and priority with bars, and the completions sparkline with the backlog's ETA. */
import {Box, Text} from 'ink';

import {priorities, type ConsoleSnapshot, type JobState} from '../../inspector/console-source.js';
import {describeEta} from '../describe.js';
import {fitText} from '../../lib/fit-text.js';
import {bar, sparkline} from '../text.js';
import {useTheme, type Tone} from '../theme.js';

const states: Array<{state: JobState; label: string; tone: Tone}> = [
	{state: 'todo', label: 'todo', tone: 'info'},
	{state: 'processing', label: 'processing', tone: 'accent'},
	{state: 'failed', label: 'failed', tone: 'warn'},
	{state: 'dead', label: 'dead', tone: 'bad'},
	{state: 'done', label: 'done', tone: 'ok'},
];
const short: Record<string, string> = {critical: 'crit', high: 'high', normal: 'normal', low: 'low', background: 'bg'};

export function Overview({snapshot, width}: {snapshot?: ConsoleSnapshot; width: number}) {
	const theme = useTheme();
	const cell = 8;
	const fixed = 11 + 8 + priorities.length * cell;
	const barWidth = Math.max(0, width - 1 - fixed - 2);
	const largest = Math.max(1, ...states.map(s => snapshot?.counts.total[s.state] ?? 0));
	const spark = snapshot ? sparkline(snapshot.completionsPerMinute) : '';
	const backlog = snapshot ? snapshot.counts.total.todo + snapshot.counts.total.processing : 0;
	// A queue paused whole claims nothing more: only the running jobs will finish, so no ETA for the rest.
	const pausedWhole = snapshot?.paused?.priorities.length === priorities.length;
	const eta = backlog === 0 ? 'none' : pausedWhole ? 'paused' : describeEta(snapshot?.backlogEtaMs);
	const flow = snapshot ? `done/min ${snapshot.throughputPerMinute.toFixed(1)} · backlog ${backlog} · ETA ${eta}` : '';
	return (
		<Box flexDirection="column" height={7}>
			<Text dimColor wrap="truncate-end">
				{fitText('STATE', 11, {pad: true})}
				{fitText('TOTAL', 7, {pad: true, alignRight: true})}{' '}
				{priorities.map(p => fitText(short[p]!, cell, {pad: true, alignRight: true})).join('')}
			</Text>
			{states.map(({state, label, tone}) => {
				const total = snapshot?.counts.total[state] ?? 0;
				return (
					<Text key={state} wrap="truncate-end">
						<Text color={theme.color(tone)} bold>
							{fitText(label, 11, {pad: true})}
						</Text>
						<Text bold>{fitText(String(total), 7, {pad: true, alignRight: true})} </Text>
						{priorities.map(p => {
							const n = snapshot?.counts[state][p] ?? 0;
							return (
								<Text key={p} dimColor={n === 0}>
									{fitText(n === 0 ? '·' : String(n), cell, {pad: true, alignRight: true})}
								</Text>
							);
						})}
						{barWidth > 3 ? (
							<Text color={theme.color(tone)}>
								{'  '}
								{bar(total / largest, barWidth)}
							</Text>
						) : null}
					</Text>
				);
			})}
			<Text wrap="truncate-end">
				<Text bold>{fitText('last 30 min', 11, {pad: true})}</Text>
				<Text color={theme.color('ok')}>{spark} </Text>
				<Text>{fitText(flow, Math.max(0, width - 1 - 12 - spark.length))}</Text>
			</Text>
		</Box>
	);
}
