/**
A selectable table: a heading, the visible window of rows, the selected row in inverse. Columns
have a fixed width or share what is left (`flex`), and narrow terminals drop the columns that
say they can go (`hideBelow`). Every cell is made safe and cut to its width.
*/
import {Box, Text} from 'ink';

import {fitText} from '../../lib/fit-text.js';
import {useTheme, type Tone} from '../theme.js';

export type Cell = {text: string; tone?: Tone};

export type Column<Row> = {
	title: string;
	/** Fixed width in columns; or a share of the rest with `flex`. */
	width?: number;
	flex?: number;
	alignRight?: boolean;
	/** Left out when the terminal is narrower than this. */
	hideBelow?: number;
	cell(row: Row): Cell;
};

export type TableProps<Row> = {
	columns: Array<Column<Row>>;
	rows: Row[];
	/** Index of the selected row in `rows`, or -1. */
	selected: number;
	/** First row shown. */
	offset: number;
	/** Rows that fit. */
	height: number;
	width: number;
	empty: string;
};

const gap = 1;

export function layoutColumns<Row>(columns: Array<Column<Row>>, width: number): Array<Column<Row> & {width: number}> {
	const shown = columns.filter(c => !c.hideBelow || width >= c.hideBelow);
	const fixed = shown.reduce((sum, c) => sum + (c.width ?? 0), 0) + gap * (shown.length - 1) + 1;
	const flexTotal = shown.reduce((sum, c) => sum + (c.flex ?? 0), 0);
	const rest = Math.max(0, width - fixed);
	let given = 0;
	const flexColumns = shown.filter(c => c.flex);
	return shown.map(c => {
		if (!c.flex) return {...c, width: c.width ?? 0};
		const last = c === flexColumns.at(-1);
		const share = last ? rest - given : Math.floor((rest * c.flex) / flexTotal);
		given += share;
		return {...c, width: Math.max(1, share)};
	});
}

export function Table<Row>({columns, rows, selected, offset, height, width, empty}: TableProps<Row>) {
	const theme = useTheme();
	const laid = layoutColumns(columns, width);
	const line = (cells: string[]) => cells.join(' '.repeat(gap));
	const visible = rows.slice(offset, offset + height);
	return (
		<Box flexDirection="column" height={height + 1}>
			<Text bold color={theme.color('accent')}>
				{line(laid.map(c => fitText(c.title, c.width, {pad: true, alignRight: c.alignRight})))}
			</Text>
			{visible.length === 0 ? <Text dimColor>{fitText(empty, width - 1)}</Text> : null}
			{visible.map((row, i) => {
				const isSelected = offset + i === selected;
				const cells = laid.map(c => ({column: c, cell: c.cell(row)}));
				return (
					<Text key={offset + i} inverse={isSelected} wrap="truncate-end">
						{cells.map(({column, cell}, index) => (
							<Text key={column.title} color={isSelected ? undefined : cell.tone ? theme.color(cell.tone) : undefined}>
								{fitText(cell.text, column.width, {pad: true, alignRight: column.alignRight})}
								{index < cells.length - 1 ? ' '.repeat(gap) : ''}
							</Text>
						))}
					</Text>
				);
			})}
		</Box>
	);
}
