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
const insideGap = 2.6;
const listMark = /^(?:[•◦▪▫●○■□‣⁃\uf0b7\uf0a7–\-*]|\d{1,3}[.)])$/;
/** A caption above a table is not its header row. */
const caption = /^(?:table|figure|fig\.|example|listing)\s*[\dA-Z]/i;

/** A contents line: its title, a dot leader and a page number (arabic or roman). */
const contentsLine = /^(.*\S)\s*((?:\.\s?){3,})\s*(\d{1,4}|[ivxlc]{1,7})$/i;

/** Three contents lines or more in a row (on one page): a table of title and page. */
function contentsTable(lines: readonly TableLine[], start: number): FoundTable | undefined {
	const rows: string[][] = [];
	let end = start;
	while (end < lines.length && lines[end]!.page === lines[start]!.page) {
		const text = lines[end]!.segments.map(s => s.text).join(' ');
		const match = contentsLine.exec(text);
		if (!match) break;
		rows.push([`${match[1]} ${match[2]!.trim()}`, match[3]!]);
		end++;
	}
	return rows.length >= 3 ? {start, end, rows} : undefined;
}

export function findTables(lines: readonly TableLine[]): FoundTable[] {
	const tables: FoundTable[] = [];
	for (let i = 0; i < lines.length; ) {
		const contents = contentsTable(lines, i);
		if (contents) {
			tables.push(contents);
			i = contents.end;
			continue;
		}
		if (lines[i]!.segments.length < 2) {
			i++;
			continue;
		}
		const end = runEnd(lines, i);
		// With as many of the short lines above as fit its columns (header cells set on lines of their own).
		let table: FoundTable | undefined;
		for (let from = headerStart(lines, i); from <= i && !table && !belowListing(lines, from); from++)
			table = tableOf(lines, from, i, end);
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

/**
Short lines right above a run (header cells set one per line, a header of two lines, a cell
centred on its row's height): from where the table may start instead. Not past a caption, a line of
prose, a larger size (a heading) or a break of more than four lines.
*/
function headerStart(lines: readonly TableLine[], start: number): number {
	const first = lines[start]!;
	let top = first.y;
	let from = start;
	for (let i = start - 1; i >= 0 && start - i <= 12; i--) {
		const line = lines[i]!;
		const text = line.segments.map(s => s.text).join(' ');
		if (line.page !== first.page || line.size > first.size * 1.15 || caption.test(text)) break;
		if ((line.segments.length === 1 && text.length > 60) || line.segments.some(s => s.text.length > 40)) break;
		// The last line of a paragraph ("… pendebant" then "non."): prose, not a header cell.
		const before = lines[i - 1];
		const endsProse =
			before?.segments.length === 1 &&
			before.segments[0]!.text.length > 40 &&
			line.gapBefore < 1.5 &&
			line.gapBefore > 0;
		if (line.segments.length === 1 && (endsProse || /[.;,]$/.test(text))) break;
		// Below the first row's top by up to two lines: header cells drawn one by one, each at its own height.
		if (line.y > top + first.size * 4 || line.y < first.y - first.size * 2) break;
		top = Math.max(top, line.y);
		from = i;
	}
	return from;
}

/** Lines under a "Listing 3:" caption are code, whose tokens line up like cells: no table. */
function belowListing(lines: readonly TableLine[], from: number): boolean {
	const above = lines[from - 1];
	return above !== undefined && /^listing\s*\d/i.test(above.segments.map(s => s.text).join(' '));
}

type Column = {x: number; endX: number};

/** The columns of a run: its segments' x-ranges (header cells' too), merged where they overlap (or nearly touch). */
function columnsOf(lines: readonly TableLine[], size: number): Column[] {
	const ranges = lines
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

/**
A segment of several words that runs across columns the other rows keep apart (two values set with
a narrow gap, which pdf.js gives as one item): cut into one piece per column, each word placed by
its share of the segment's characters. Single words make those columns; prose cells, whose words
fall into no two of them, stay whole.
*/
function splitAcrossColumns(lines: readonly TableLine[], size: number): TableLine[] {
	const single = lines.flatMap(l => l.segments.filter(s => !/\s/.test(s.text)));
	if (single.length === 0) return [...lines];
	const columns = columnsOf([{segments: single, size, page: 0, gapBefore: 0, y: 0}], size);
	const columnAt = (x: number) => columns.findIndex(c => x >= c.x - size * 0.3 && x <= c.endX + size * 0.3);
	return lines.map(line => ({
		...line,
		segments: line.segments.flatMap(segment => {
			const words = [...segment.text.matchAll(/\S+/g)];
			if (words.length < 2) return [segment];
			const perChar = (segment.endX - segment.x) / Math.max(1, segment.text.length);
			const placed = words.map(word => {
				const x = segment.x + word.index * perChar;
				const endX = x + word[0].length * perChar;
				return {word: word[0], x, endX, column: columnAt((x + endX) / 2)};
			});
			const distinct = new Set(placed.map(p => p.column));
			if (distinct.size < 2 || distinct.has(-1)) return [segment];
			const pieces: Segment[] = [];
			for (const p of placed) {
				const last = pieces.at(-1);
				if (last && columnAt((last.x + last.endX) / 2) === p.column) {
					last.text += ` ${p.word}`;
					last.endX = p.endX;
				} else pieces.push({text: p.word, x: p.x, endX: p.endX});
			}
			return pieces;
		}),
	}));
}

/**
The body's columns with the header's cells fitted in: a header cell over one column widens it, one
over none (a column whose body cells are all empty) adds a column; one over two is not this table's.
*/
function withHeader(columns: Column[], header: readonly TableLine[], size: number): Column[] | undefined {
	const fitted = columns.map(c => ({...c}));
	for (const segment of header.flatMap(l => l.segments)) {
		const endX = Math.max(segment.endX, segment.x + 1);
		const over = fitted.filter(c => segment.x <= c.endX + size * 0.3 && endX >= c.x - size * 0.3);
		if (over.length > 1) return undefined;
		const column = over[0];
		if (column) {
			column.x = Math.min(column.x, segment.x);
			column.endX = Math.max(column.endX, endX);
		} else fitted.push({x: segment.x, endX});
	}
	return fitted.sort((a, b) => a.x - b.x);
}

/** The table of lines [from, end): [from, start) its header lines, if any; [start, end) its rows. */
function tableOf(lines: readonly TableLine[], from: number, start: number, end: number): FoundTable | undefined {
	const size = median(lines.slice(start, end).map(l => l.size));
	const body = splitAcrossColumns(lines.slice(start, end), size);
	const multi = body.filter(l => l.segments.length >= 2);
	const wide = multi.filter(l => l.segments.length >= 3).length;
	if (multi.length < 3 && !(multi.length >= 2 && wide >= 2)) return undefined;
	const header = lines.slice(from, start);
	const columns = withHeader(columnsOf(body, size), header, size);
	if (!columns || columns.length < 2) return undefined;
	// The last row's wrapped cells: lines close below, set in a column past the first.
	let last = end;
	while (
		last < lines.length &&
		lines[last]!.page === lines[start]!.page &&
		lines[last]!.segments.length === 1 &&
		lines[last]!.gapBefore > 0 &&
		lines[last]!.gapBefore < continuationGap &&
		lines[last]!.segments[0]!.x >= columns[1]!.x - size * 0.3
	)
		last++;
	const run = byHeight([...header, ...body, ...lines.slice(end, last)]);
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
		// Close below, and fewer cells, or none under the row's key (the first column): the same row.
		const keyless = cells[0] === '' && previous?.[0] !== '';
		const continues =
			previous !== undefined && offset > 0 && line.gapBefore < continuationGap && (filled < previousFilled || keyless);
		if (continues) {
			for (const [column, text] of cells.entries())
				if (text) previous[column] = previous[column] ? joinCell(previous[column], text) : text;
			previousFilled = previous.filter(Boolean).length;
		} else {
			rows.push(cells);
			previousFilled = filled;
		}
	}
	// A header and two rows at least: two lines side by side are too often something else (code).
	if (rows.length < 3) return undefined;
	// A first column of bullets or item numbers only is a list whose marks stand apart from their text.
	const keys = rows.map(r => r[0]!).filter(Boolean);
	if (keys.length > 0 && keys.every(key => listMark.test(key))) return undefined;
	// Prose set in two columns has long lines in both; a table has at least one column of short cells.
	const shortColumn = columns.some((_, column) => median(rows.map(r => r[column]!.length).filter(n => n > 0)) <= 30);
	if (!shortColumn) return undefined;
	return {start: from, end: last, rows};
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
