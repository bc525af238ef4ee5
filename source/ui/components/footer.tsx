/** The status line (the last action's answer, or the filter being typed) and the keys footer. */
import {Box, Text} from 'ink';

import {footerEntries} from '../state/keymap.js';
import type {ConsoleState} from '../state/reducer.js';
import {fitText} from '../../lib/fit-text.js';
import {useTheme} from '../theme.js';

export function Footer({state}: {state: ConsoleState}) {
	const theme = useTheme();
	const width = state.window.columns - 1;
	const status = state.status;
	const tone = status?.tone === 'ok' ? 'ok' : status?.tone === 'error' ? 'bad' : 'info';
	// Entries in order of use while they fit; quit always shows, last.
	const all = footerEntries().filter(e => !state.isReadOnly || !['retry', 'cancel', 'clear dead'].includes(e.label));
	const quit = all.pop()!;
	const room = width - `${quit.key} ${quit.label}`.length - (state.isReadOnly ? 10 : 0);
	const keys: typeof all = [];
	let used = 0;
	for (const entry of all) {
		used += `${entry.key} ${entry.label}  `.length;
		if (used > room) break;
		keys.push(entry);
	}
	keys.push(quit);
	return (
		<Box flexDirection="column" height={2}>
			{state.filterDraft === undefined ? (
				<Text color={status ? theme.color(tone) : undefined} wrap="truncate-end">
					{fitText(status?.text ?? '', width)}
				</Text>
			) : (
				<Text wrap="truncate-end">
					<Text bold color={theme.color('accent')}>
						/
					</Text>
					<Text>{fitText(state.filterDraft, width - 40)}</Text>
					<Text inverse> </Text>
					<Text dimColor> Enter keeps it · Esc clears it</Text>
				</Text>
			)}
			<Text wrap="truncate-end">
				{keys.map(({key, label}) => (
					<Text key={label}>
						<Text bold color={theme.color('accent')}>
							{key}
						</Text>
						<Text dimColor> {label} </Text>
					</Text>
				))}
				{state.isReadOnly ? <Text color={theme.color('warn')}>read-only</Text> : null}
			</Text>
		</Box>
	);
}
