/** The pane tabs with their row counts, and the filter and sort in force. */
import {Text} from 'ink';

import type {ConsoleSnapshot} from '../../inspector/console-source.js';
import {
	jobMatches,
	paneTitles,
	panes,
	sortColumnNames,
	workerMatches,
	type PaneId,
	type SortState,
} from '../state/view.js';
import {fitText} from '../../lib/fit-text.js';
import {useTheme} from '../theme.js';

export function Tabs({
	pane,
	snapshot,
	filter,
	sort,
	width,
	position,
}: {
	pane: PaneId;
	snapshot?: ConsoleSnapshot;
	filter: string;
	sort: SortState;
	width: number;
	/** The selected row and how many rows the pane has: shown when they do not all fit. */
	position?: {index: number; rows: number; visible: number};
}) {
	const theme = useTheme();
	// With a filter, each tab counts the rows that match it: what the pane would list.
	const count = (p: PaneId) => {
		if (!snapshot) return 0;
		if (p === 'workers')
			return filter ? snapshot.workers.filter(w => workerMatches(w, filter)).length : snapshot.workers.length;
		return filter ? snapshot[p].filter(j => jobMatches(j, filter)).length : snapshot[p].length;
	};
	// A large queue's lists show the newest jobs of each priority: the tab says of how many.
	const label = (p: PaneId) => {
		const total = p === 'todo' || p === 'failed' || p === 'dead' ? snapshot?.counts.total[p] : undefined;
		return !filter && snapshot?.partial && total !== undefined && total > count(p)
			? `${count(p)}/${compactCount(total)}`
			: String(count(p));
	};
	const sortName = sortColumnNames(pane)[sort.index % sortColumnNames(pane).length]!;
	const where = position && position.rows > position.visible ? `row ${position.index + 1} of ${position.rows} · ` : '';
	const right = `${where}${filter ? `filter "${fitText(filter, 20)}" · ` : ''}sort ${sortName}${sort.descending ? ' ↑' : ''}`;
	const tabsWidth = panes.reduce((sum, p) => sum + ` ${panes.indexOf(p) + 1} ${paneTitles[p]} ${label(p)} `.length, 0);
	const room = width - 1 - tabsWidth;
	return (
		<Text wrap="truncate-end">
			{panes.map((p, i) => {
				const text = ` ${i + 1} ${paneTitles[p]} ${label(p)} `;
				const tone = p === 'failed' && count(p) > 0 ? 'warn' : p === 'dead' && count(p) > 0 ? 'bad' : undefined;
				return p === pane ? (
					<Text key={p} inverse bold>
						{text}
					</Text>
				) : (
					<Text key={p} color={tone ? theme.color(tone) : undefined}>
						{text}
					</Text>
				);
			})}
			{room > 8 ? <Text dimColor>{fitText(right, room - 1, {pad: true, alignRight: true})}</Text> : null}
		</Text>
	);
}

/** 1234 → 1234, 12345 → 12k, 1234567 → 1.2M: a count in a tab's few columns. */
export function compactCount(n: number): string {
	if (n < 10_000) return String(n);
	if (n < 1_000_000) return `${Math.round(n / 1000)}k`;
	return `${(n / 1_000_000).toFixed(n < 10_000_000 ? 1 : 0)}M`;
}
