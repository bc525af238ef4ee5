/** The pane tabs with their row counts, and the filter and sort in force. */
import {Text} from 'ink';

import type {ConsoleSnapshot} from '../../inspector/console-source.js';
import {paneTitles, panes, sortColumnNames, type PaneId, type SortState} from '../state/view.js';
import {fitText} from '../../lib/fit-text.js';
import {useTheme} from '../theme.js';

export function Tabs({
	pane,
	snapshot,
	filter,
	sort,
	width,
}: {
	pane: PaneId;
	snapshot?: ConsoleSnapshot;
	filter: string;
	sort: SortState;
	width: number;
}) {
	const theme = useTheme();
	const count = (p: PaneId) => (snapshot ? (p === 'workers' ? snapshot.workers.length : snapshot[p].length) : 0);
	const sortName = sortColumnNames(pane)[sort.index % sortColumnNames(pane).length]!;
	const right = `${filter ? `filter "${fitText(filter, 20)}" · ` : ''}sort ${sortName}${sort.descending ? ' ↑' : ''}`;
	const tabsWidth = panes.reduce((sum, p) => sum + ` ${panes.indexOf(p) + 1} ${paneTitles[p]} ${count(p)} `.length, 0);
	const room = width - 1 - tabsWidth;
	return (
		<Text wrap="truncate-end">
			{panes.map((p, i) => {
				const label = ` ${i + 1} ${paneTitles[p]} ${count(p)} `;
				const tone = p === 'failed' && count(p) > 0 ? 'warn' : p === 'dead' && count(p) > 0 ? 'bad' : undefined;
				return p === pane ? (
					<Text key={p} inverse bold>
						{label}
					</Text>
				) : (
					<Text key={p} color={tone ? theme.color(tone) : undefined}>
						{label}
					</Text>
				);
			})}
			{room > 8 ? <Text dimColor>{fitText(right, room - 1, {pad: true, alignRight: true})}</Text> : null}
		</Text>
	);
}
