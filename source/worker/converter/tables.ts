/**
Tables from text positions alone (no ruling lines, no model): a run of lines on one page whose
segments (parts of a line cut where a gap is wider than a word space, pdf-to-markdown.ts) fall into
the same columns. Columns are the x-ranges the run's segments cover, merged where they overlap; a
gap that no row crosses separates two columns. A line that fills fewer cells than the row above, set
close below it, continues that row's cells (a wrapped cell); any other line starts a row.

What is not taken for a table: fewer than three rows with two cells or more (two if they have three
or more), a run in which no column holds short cells (two columns of prose set side by side), and a
segment that spans two columns.
*/

export type Segment = {text: string; x: number; endX: number};

export type TableLine = {segments: Segment[]; size: number; page: number; gapBefore: number; y: number};

export type FoundTable = {
	/** The lines [start, end) the table replaces. */
	start: number;
	end: number;
	rows: string[][];
};

/** Lines below the previous closer than this many line heights may continue its cells. */
const continuationGap = 1.35;
/** A line of one segment may sit inside a table (a wrapped cell) when the previous is this close. */
const insideGap = 1.8;

export function findTables(lines: readonly TableLine[]): FoundTable[] {
	const tables: FoundTable[] = [];
	for (let i = 0; i < lines.length; ) {
		if (lines[i]!.segments.length < 2) {
			i++;
			continue;
		}
		const end = runEnd(lines, i);
		const table = tableOf(lines, i, end);
		if (table) {
			tables.push(table);
			i = end;
		} else i++;
	}
	return tables;
}

/**
Where a run of table-like lines from `start` (a line of two segments or more) ends. A line may go
back up within the run's height: tables are often drawn cell by cell (a wrapped cell's lines, then
the next cell, back at the row's top).
*/
function runEnd(lines: readonly TableLine[], start: number): number {
	let lastMulti = start;
	const first = lines[start]!;
	let top = first.y;
	let bottom = first.y;
	for (let i = start + 1; i < lines.length; i++) {
		const line = lines[i]!;
		const slack = line.size * 0.5;
		const withinRun = line.y <= top + slack && line.y >= bottom - slack;
		if (line.page !== first.page || line.gapBefore > 4 || (line.gapBefore < -0.5 && !withinRun)) break;
		top = Math.max(top, line.y);
		bottom = Math.min(bottom, line.y);
		if (line.segments.length >= 2) lastMulti = i;
		else if (line.gapBefore > insideGap || i - lastMulti > 3) break;
	}
	// Lines of one segment after the last row of cells are text after the table, not in it.
	return lastMulti + 1;
}

type Column = {x: number; endX: number};

/** The columns of a run: its segments' x-ranges, merged where they overlap (or nearly touch). */
function columnsOf(lines: readonly TableLine[], size: number): Column[] {
	const ranges = lines
		.filter(l => l.segments.length >= 2)
		.flatMap(l => l.segments.map(s => ({x: s.x, endX: Math.max(s.endX, s.x + 1)})))
		.sort((a, b) => a.x - b.x);
	const columns: Column[] = [];
	for (const range of ranges) {
		const last = columns.at(-1);
		if (last && range.x <= last.endX + size * 0.3) last.endX = Math.max(last.endX, range.endX);
		else columns.push({...range});
	}
	return columns;
}

/** The run's lines top to bottom, lines at one height (cells drawn one by one) merged into one. */
function byHeight(lines: readonly TableLine[]): TableLine[] {
	const sorted = lines.map((line, order) => ({line, order})).sort((a, b) => b.line.y - a.line.y || a.order - b.order);
	const merged: TableLine[] = [];
	for (const {line} of sorted) {
		const last = merged.at(-1);
		if (last && Math.abs(last.y - line.y) <= Math.max(last.size, line.size) * 0.4) {
			last.segments = [...last.segments, ...line.segments].sort((a, b) => a.x - b.x);
			continue;
		}
		const gapBefore = last ? (last.y - line.y) / Math.max(1, last.size) : line.gapBefore;
		merged.push({...line, gapBefore, segments: [...line.segments]});
	}
	return merged;
}

function tableOf(lines: readonly TableLine[], start: number, end: number): FoundTable | undefined {
	const run = byHeight(lines.slice(start, end));
	const multi = run.filter(l => l.segments.length >= 2);
	const wide = multi.filter(l => l.segments.length >= 3).length;
	if (multi.length < 3 && !(multi.length >= 2 && wide >= 2)) return undefined;
	const size = median(run.map(l => l.size));
	const columns = columnsOf(run, size);
	if (columns.length < 2) return undefined;
	const columnOf = (segment: Segment): number | undefined => {
		const index = columns.findIndex(c => segment.x >= c.x - size * 0.3 && segment.x <= c.endX);
		if (index < 0) return undefined;
		// A segment running on past its column's end into the next spans two: not a grid.
		const next = columns[index + 1];
		return next && segment.endX > next.x + size * 0.3 ? undefined : index;
	};
	const rows: string[][] = [];
	let previousFilled = 0;
	for (const [offset, line] of run.entries()) {
		const cells: string[] = columns.map(() => '');
		let filled = 0;
		for (const segment of line.segments) {
			const column = columnOf(segment);
			if (column === undefined) return undefined;
			cells[column] = cells[column] ? `${cells[column]} ${segment.text}` : segment.text;
			filled++;
		}
		const previous = rows.at(-1);
		const continues =
			previous !== undefined && offset > 0 && line.gapBefore < continuationGap && filled < previousFilled;
		if (continues) {
			for (const [column, text] of cells.entries())
				if (text) previous[column] = previous[column] ? joinCell(previous[column], text) : text;
		} else {
			rows.push(cells);
			previousFilled = filled;
		}
	}
	if (rows.length < 2) return undefined;
	// Prose set in two columns has long lines in both; a table has at least one column of short cells.
	const shortColumn = columns.some((_, column) => median(rows.map(r => r[column]!.length).filter(n => n > 0)) <= 30);
	if (!shortColumn) return undefined;
	return {start, end, rows};
}

/** A cell's wrapped lines as one text (a word broken at the line end joined whole). */
function joinCell(text: string, more: string): string {
	return /\p{Ll}-$/u.test(text) && /^\p{Ll}/u.test(more) ? text.slice(0, -1) + more : `${text} ${more}`;
}

function median(values: number[]): number {
	if (values.length === 0) return 0;
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)]!;
}

/** A table as GitHub-flavoured Markdown: its first row the header. */
export function tableMarkdown(rows: readonly string[][]): string {
	const cell = (text: string) => text.replaceAll('\\', '\\\\').replaceAll('|', '\\|');
	const line = (row: readonly string[]) => `| ${row.map(cell).join(' | ')} |`;
	const [header, ...body] = rows;
	return [line(header!), `| ${header!.map(() => '-').join(' | ')} |`, ...body.map(line)].join('\n');
}
