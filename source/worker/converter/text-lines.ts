/**
A page's text items (pdf.js) grouped into lines, in content-stream order (which keeps two-column pages
in reading order): each with its runs of one style, its size (that of most of its characters) and its
segments (the cells of a table row); running headers, footers and page numbers dropped; images set in.
*/
import type {ConvertedImage, Line} from './line.js';
import {bold, type FontStyles, italic, mono, plainOf, runsOf, type Style, wholeStyle} from './text-styles.js';

export type TextItem = {str: string; transform: number[]; width: number; hasEOL?: boolean; fontName?: string};

const rightToLeft = /[\p{Script=Arabic}\p{Script=Hebrew}]/u;
const leftToRight = /[\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}\d]/u;
/**
A right-to-left word next to a left-to-right one ("بلغة" then "R"): two words, whatever the gap (their
items often abut, each run set from its own end).
*/
function scriptsMeet(before: string, after: string): boolean {
	const end = before.at(-1) ?? '';
	const start = after[0] ?? '';
	return (rightToLeft.test(end) && leftToRight.test(start)) || (leftToRight.test(end) && rightToLeft.test(start));
}

/** Groups text items into lines, in content-stream order. */
export function linesOf(items: TextItem[], page: number, pageHeight: number, fonts?: FontStyles): Line[] {
	const lines: Line[] = [];
	let current:
		| {
				parts: string[];
				/** Each part's style (a space put between two items takes the style of the one before). */
				styles: Style[];
				size: number;
				x: number;
				y: number;
				endX: number;
				weights: Map<number, number>;
				/** Where each segment starts: an index into parts, and its x. */
				cuts: Array<{part: number; x: number; endX: number}>;
				/** pdf.js filled a wide gap with a space item: the next item with letters starts a segment. */
				wideSpace: boolean;
				/** Where the last item started: right-to-left text runs leftwards from it. */
				lastX: number;
		  }
		| undefined;
	let previousY: number | undefined;
	let previousSize = 0;
	const flush = () => {
		if (!current) return;
		const runs = runsOf(current.parts, current.styles);
		const text = plainOf(runs);
		// The line's size is the size of most of its characters: one larger glyph (a symbol, a drop
		// cap, a check box) does not make a heading of a line of body text.
		const dominant = [...current.weights].sort((a, b) => b[1] - a[1])[0]?.[0];
		if (dominant !== undefined) current.size = dominant;
		if (text) {
			const gap = previousY === undefined ? 0 : previousY - current.y;
			const {parts, cuts} = current;
			const segments = cuts
				.map((cut, i) => ({
					text: parts
						.slice(cut.part, cuts[i + 1]?.part ?? parts.length)
						.join('')
						.replaceAll(/\s+/g, ' ')
						.trim(),
					x: cut.x,
					endX: cut.endX,
				}))
				.filter(segment => segment.text !== '');
			lines.push({
				text,
				runs,
				emphasized: (wholeStyle(runs) & mono) === 0 && (wholeStyle(runs) & (bold | italic)) !== 0,
				segments,
				size: current.size,
				x: current.x,
				y: current.y,
				page,
				gapBefore: gap / Math.max(1, previousSize || current.size),
				pageHeight,
			});
			previousY = current.y;
			previousSize = current.size;
		}
		current = undefined;
	};
	for (const item of items) {
		const [a = 0, b = 0, c = 0, d = 0, x = 0, y = 0] = item.transform;
		const size = Math.hypot(c, d) || Math.hypot(a, b);
		if (item.str === '') continue;
		if (current && Math.abs(current.y - y) > Math.max(current.size, size) * 0.4) flush();
		const letters = item.str.replaceAll(/\s/g, '').length;
		// Turned a quarter (a table's header cells set upright): its width runs up the page, not along the
		// line, and each is a cell of its own.
		const upright = Math.abs(b) > Math.abs(a) * 2 && Math.abs(c) > Math.abs(d) * 2;
		const width = upright ? size : item.width;
		const style = fonts?.of(item.fontName) ?? 0;
		if (!current) {
			current = {
				parts: [item.str],
				styles: [style],
				size,
				x,
				y,
				endX: x + width,
				weights: new Map(),
				cuts: [{part: 0, x, endX: x + width}],
				wideSpace: false,
				lastX: x,
			};
			if (letters > 0) current.weights.set(size, letters);
			continue;
		}
		if (letters > 0) current.weights.set(size, (current.weights.get(size) ?? 0) + letters);
		const gap = x - current.endX;
		const last = current.parts.at(-1) ?? '';
		// Right to left (Arabic, Hebrew, and the Latin words set among them), the gap is before the last item.
		const leftwards = x + width <= current.lastX + size * 0.1 && x < current.lastX;
		const wordGap = leftwards ? current.lastX - (x + width) : gap;
		if (
			(wordGap > size * 0.15 || upright || scriptsMeet(last, item.str)) &&
			!/\s$/.test(last) &&
			!/^\s/.test(item.str)
		) {
			current.parts.push(' ');
			current.styles.push(current.styles.at(-1) ?? 0);
		}
		// Wider than a justified line stretches a word space: the next cell of a table row.
		if (letters === 0 && item.width > size * cellSpaceEm) current.wideSpace = true;
		if ((gap > size * cellGapEm || current.wideSpace || upright) && letters > 0) {
			current.cuts.push({part: current.parts.length, x, endX: x});
			current.wideSpace = false;
		}
		current.parts.push(item.str);
		current.styles.push(style);
		current.endX = x + width;
		current.lastX = x;
		if (letters > 0) current.cuts.at(-1)!.endX = current.endX;
	}
	flush();
	return lines;
}

/**
A gap between two items of a line wider than this many ems starts a new segment (a table cell); so
does a space pdf.js put between two items that is wider than `cellSpaceEm` (a word space inside a run
of text is part of its item; one of its own marks a jump in position, as between two cells).
*/
const cellGapEm = 1.2;
const cellSpaceEm = 0.5;

/**
Drops page numbers and running headers or footers: lines in the top or bottom eighth of the page
that repeat (digits aside) at the same height on most pages (both of two), in a size no larger than
the body text, and lone page numbers there, on pages with text of their own outside the margins.
Headings repeated on every page stay: they are larger.
*/
export function stripRunningLines(lines: Line[], pages: number): Line[] {
	const bodySize = mostUsedSize(lines);
	const signature = (l: Line) => `${Math.round(l.y)}|${l.text.replaceAll(/\d+/g, '#')}`;
	const seen = new Map<string, Set<number>>();
	for (const l of lines) {
		const key = signature(l);
		if (!seen.has(key)) seen.set(key, new Set());
		seen.get(key)!.add(l.page);
	}
	const inMargin = (l: Line) => l.y > l.pageHeight * 0.875 || l.y < l.pageHeight * 0.125;
	// A header runs above a page's own text: on a page that has nothing outside its margins, the lines there are the text.
	const withBody = new Set(lines.filter(l => !inMargin(l)).map(l => l.page));
	return lines.filter(l => {
		if (l.image || !inMargin(l) || !withBody.has(l.page)) return true;
		const repeated =
			pages >= 2 && (seen.get(signature(l))?.size ?? 0) >= Math.max(2, pages * 0.5) && l.size <= bodySize * 1.05;
		const pageNumber = /^(page\s+)?\d{1,4}(\s*(of|\/)\s*\d{1,4})?$/i.test(l.text);
		return !repeated && !pageNumber;
	});
}

/** The font size carrying the most characters: the body text. */
export function mostUsedSize(lines: Line[]): number {
	const weight = new Map<number, number>();
	for (const l of lines) {
		const size = Math.round(l.size * 2) / 2;
		weight.set(size, (weight.get(size) ?? 0) + l.text.length);
	}
	return [...weight].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 11;
}

/**
A page's images set into its lines: each before the first line (in reading order) that stands below
its top edge, or at the page's end; an image line has no text and breaks paragraphs and tables.
*/
export function withImages(lines: Line[], images: ConvertedImage[], pageHeight: number): Line[] {
	const placed = [...lines];
	for (const image of [...images].sort((a, b) => b.top - a.top)) {
		const at = placed.findIndex(l => !l.image && l.y < image.top);
		const line: Line = {
			text: '',
			runs: [],
			size: 0,
			x: 0,
			y: image.top,
			page: image.page,
			gapBefore: 99,
			pageHeight,
			segments: [],
			image,
		};
		if (at < 0) placed.push(line);
		else placed.splice(at, 0, line);
	}
	return placed;
}
