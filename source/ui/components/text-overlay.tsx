/**
A full-screen text (detail, logs, preview, help, history, a worker): a title bar, the visible lines,
a key hint. A search's matches are drawn inverse; while it is typed the hint line is its prompt.
*/
import {Box, Text} from 'ink';

import {fitText} from '../../lib/fit-text.js';
import type {TextSearch} from '../state/console-state.js';
import {matchingLines} from '../state/overlay-keys.js';
import {wrapLines} from '../text.js';
import {useTheme} from '../theme.js';

/** A line cut into plain and matching parts (case-insensitive). */
function highlighted(line: string, query: string): Array<{text: string; match: boolean}> {
	if (query === '') return [{text: line, match: false}];
	const parts: Array<{text: string; match: boolean}> = [];
	const lower = line.toLowerCase();
	const q = query.toLowerCase();
	let at = 0;
	for (let found = lower.indexOf(q); found >= 0; found = lower.indexOf(q, at)) {
		if (found > at) parts.push({text: line.slice(at, found), match: false});
		parts.push({text: line.slice(found, found + q.length), match: true});
		at = found + q.length;
	}
	if (at < line.length) parts.push({text: line.slice(at), match: false});
	return parts;
}

export type TextOverlayProps = {
	title: string;
	lines?: string[];
	error?: string;
	/** Lines after the scrolled text that always show (a followed log's live line). */
	tail?: string[];
	scroll: number;
	height: number;
	width: number;
	hint: string;
	search?: TextSearch | undefined;
};

export function TextOverlay({title, lines, error, tail = [], scroll, height, width, hint, search}: TextOverlayProps) {
	const theme = useTheme();
	const room = Math.max(1, height - tail.length);
	const body = wrapLines(error ? [`error: ${error}`] : (lines ?? ['loading…']), width - 1);
	const shown = body.slice(scroll, scroll + room);
	const position =
		body.length > room ? `  ${scroll + 1}-${Math.min(body.length, scroll + room)} of ${body.length}` : '';
	const query = search?.query ?? '';
	const matches = matchingLines(body, query);
	const current = matches.filter(m => m <= scroll).length;
	const found =
		query === '' ? '' : matches.length === 0 ? '  no match' : `  match ${Math.max(1, current)} of ${matches.length}`;
	const footer = search?.typing
		? `/${query}▏ Enter keeps it · Esc ends the search${found}`
		: search
			? `/${query}${found} · n next · N previous · Esc ends the search`
			: hint;
	return (
		<Box flexDirection="column" height={height + 2}>
			<Text inverse bold wrap="truncate-end">
				{fitText(` ${title}${position}`, width - 1, {pad: true})}
			</Text>
			<Box flexDirection="column" height={room}>
				{shown.map((line, i) => (
					<Text
						key={scroll + i}
						wrap="truncate-end"
						color={error ? theme.color('bad') : line.startsWith('──') ? theme.color('accent') : undefined}
					>
						{/* An empty Text takes no row in Ink: a blank line (between paragraphs) is drawn as a space. */}
						{line === ''
							? ' '
							: highlighted(fitText(line, width - 1), query).map((part, j) => (
									<Text key={j} inverse={part.match}>
										{part.text}
									</Text>
								))}
					</Text>
				))}
			</Box>
			{tail.map((line, i) => (
				<Text key={`tail-${i}`} color={theme.color('ok')} wrap="truncate-end">
					{fitText(line, width - 1)}
				</Text>
			))}
			<Text dimColor={!search} wrap="truncate-end">
				{fitText(footer, width - 1)}
			</Text>
		</Box>
	);
}
