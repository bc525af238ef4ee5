/** The confirmation and the priority picker: small boxes over the list. */
import {Box, Text} from 'ink';

import {priorities, type Priority} from '../../inspector/console-source.js';
import {fitText} from '../../lib/fit-text.js';
import {useTheme} from '../theme.js';

export function ConfirmDialog({prompt, width}: {prompt: string; width: number}) {
	const theme = useTheme();
	const inner = Math.min(width - 6, 76);
	return (
		<Box borderStyle="round" borderColor={theme.color('warn')} flexDirection="column" paddingX={1} width={inner + 4}>
			<Text bold wrap="wrap">
				{fitText(prompt, inner * 3)}
			</Text>
			<Text>
				Type{' '}
				<Text bold color={theme.color('warn')}>
					y
				</Text>{' '}
				to go ahead; any other key cancels.
			</Text>
		</Box>
	);
}

export function PriorityPicker({
	title,
	index,
	current,
	width,
}: {
	title: string;
	index: number;
	current?: Priority;
	width: number;
}) {
	const theme = useTheme();
	const inner = Math.min(width - 6, 50);
	return (
		<Box borderStyle="round" borderColor={theme.color('accent')} flexDirection="column" paddingX={1} width={inner + 4}>
			<Text bold>{fitText(`Priority of ${title}`, inner)}</Text>
			{priorities.map((p, i) => (
				<Text key={p} inverse={i === index}>
					{` ${i + 1} ${p}${p === current ? ' (now)' : ''}`.padEnd(inner)}
				</Text>
			))}
			<Text dimColor>↑↓ or 1-5, Enter sets it, Esc cancels</Text>
		</Box>
	);
}
