/** A full-screen text (detail, logs, preview, help): a title bar, the visible lines, a key hint. */
import {Box, Text} from 'ink';

import {fitText} from '../../lib/fit-text.js';
import {wrapLines} from '../text.js';
import {useTheme} from '../theme.js';

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
};

export function TextOverlay({title, lines, error, tail = [], scroll, height, width, hint}: TextOverlayProps) {
	const theme = useTheme();
	const room = Math.max(1, height - tail.length);
	const body = wrapLines(error ? [`error: ${error}`] : (lines ?? ['loading…']), width - 1);
	const shown = body.slice(scroll, scroll + room);
	const position =
		body.length > room ? `  ${scroll + 1}-${Math.min(body.length, scroll + room)} of ${body.length}` : '';
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
						{line === '' ? ' ' : fitText(line, width - 1)}
					</Text>
				))}
			</Box>
			{tail.map((line, i) => (
				<Text key={`tail-${i}`} color={theme.color('ok')} wrap="truncate-end">
					{fitText(line, width - 1)}
				</Text>
			))}
			<Text dimColor wrap="truncate-end">
				{fitText(hint, width - 1)}
			</Text>
		</Box>
	);
}
