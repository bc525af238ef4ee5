/**
Heading levels from font sizes: every size above the body's (the most used) is a heading size,
ranked; past the sixth they share level 6, so a cover page's many large sizes do not push real
section headings back into body text. A numbered section title on a line of its own at body size
(often bold) is a heading too, its depth its level; so is a short line wholly bold or italic at body size that
stands apart from the text above it and is followed by text that is neither, one level below the
smallest heading size.

Runs of headings with no text between are looked at again, and pages of code-like large lines: three or more unnumbered ones of one
size in a row are the lines of a figure or a box set large (a syntax diagram, a list of features on
a cover), not headings; and where four or more unnumbered ones of different sizes follow each other
(a cover page, a back cover), only the largest is the title.
*/

export type HeadingLine = {
	text: string;
	size: number;
	page: number;
	gapBefore: number;
	/** Set wholly in a bold or italic (not monospaced) font. */
	emphasized?: boolean;
};

/** A numbered section heading at body size: "5.1 Hyper Parameter Optimization" (not "1. item"). */
const sectionNumber = /^(\d{1,2}(?:\.\d{1,2}){1,3})\.?\s+\p{Lu}/u;
const hasWords = (text: string) => (text.match(/\p{L}/gu)?.length ?? 0) >= 2;
const rounded = (size: number) => Math.round(size * 2) / 2;

/** The sizes above the body's, largest first: heading levels 1, 2, … */
function sizesAbove(lines: readonly HeadingLine[], bodySize: number): number[] {
	return [...new Set(lines.map(l => rounded(l.size)))].filter(s => s > bodySize * 1.12).sort((a, b) => b - a);
}

/** The level of headings set at body size (bold lines, run-in headings): one below the smallest heading size. */
export function minorHeadingLevel(lines: readonly HeadingLine[], bodySize: number): number {
	return Math.min(6, Math.max(2, sizesAbove(lines, bodySize).length + 1));
}

/** Each line's heading level, 0 for body text. */
export function headingLevels(lines: readonly HeadingLine[], bodySize: number): number[] {
	const headingSizes = sizesAbove(lines, bodySize);
	const boldLevel = minorHeadingLevel(lines, bodySize);
	const apart = (line: HeadingLine) => line.gapBefore > 1.2 || line.gapBefore < -0.5;
	const levelOf = (line: HeadingLine, k: number): number => {
		if (!hasWords(line.text) || line.text.length > 200) return 0;
		const index = headingSizes.indexOf(rounded(line.size));
		if (index >= 0) return Math.min(6, index + 1);
		const section = sectionNumber.exec(line.text);
		if (
			section &&
			line.text.length <= 80 &&
			!/[.:;,]$/.test(line.text) &&
			(line.gapBefore > 1.2 || line.gapBefore < -0.5)
		)
			return Math.min(6, Math.max(2, section[1]!.split('.').length));
		const next = lines[k + 1];
		if (
			line.emphasized &&
			Math.abs(line.size - bodySize) <= bodySize * 0.12 &&
			line.text.length <= 80 &&
			!/[.:;,]$/.test(line.text) &&
			apart(line) &&
			next !== undefined &&
			next.page === line.page &&
			!next.emphasized &&
			next.gapBefore < 1.6
		)
			return boldLevel;
		return 0;
	};
	const levels = lines.map(levelOf);
	for (let i = 0; i < lines.length; ) {
		if (levels[i] === 0) {
			i++;
			continue;
		}
		let j = i;
		while (j < lines.length && levels[j]! > 0 && lines[j]!.page === lines[i]!.page) j++;
		demoteRun(lines, levels, unitsOf(lines, i, j));
		i = j;
	}
	demoteSyntax(lines, levels);
	return levels;
}

/** Placeholders, statement ends, operators: the text of code or a syntax diagram. */
const codeLike = /<[^>]+>|;$|[{}=]/;

/**
A page whose large lines of one size include three or more that read as code ("CREATE PERMISSION
<permission name>", "DISABLE;") shows a syntax diagram: none of that size there is a heading.
*/
function demoteSyntax(lines: readonly HeadingLine[], levels: number[]): void {
	const groups = new Map<string, number[]>();
	for (const [k, line] of lines.entries()) {
		if (levels[k] === 0 || sectionNumber.test(line.text)) continue;
		const key = `${line.page}|${rounded(line.size)}`;
		groups.set(key, [...(groups.get(key) ?? []), k]);
	}
	for (const members of groups.values())
		if (members.filter(k => codeLike.test(lines[k]!.text)).length >= 3) for (const k of members) levels[k] = 0;
}

/** A run's headings, a title set on two lines or more (one size, right below) counted once. */
function unitsOf(lines: readonly HeadingLine[], from: number, to: number): number[][] {
	const units: number[][] = [];
	for (let k = from; k < to; k++) {
		const last = units.at(-1);
		const previous = last ? lines[last.at(-1)!]! : undefined;
		const line = lines[k]!;
		if (previous && Math.abs(previous.size - line.size) < 0.25 && line.gapBefore > 0 && line.gapBefore < 1.6)
			last!.push(k);
		else units.push([k]);
	}
	return units;
}

function demoteRun(lines: readonly HeadingLine[], levels: number[], units: number[][]): void {
	const numbered = (unit: number[]) =>
		sectionNumber.test(lines[unit[0]!]!.text) || /^chapter\s/i.test(lines[unit[0]!]!.text);
	const demote = (unit: number[]) => {
		for (const k of unit) levels[k] = 0;
	};
	const sizeOf = (unit: number[]) => rounded(lines[unit[0]!]!.size);
	// Three or more of one size in a row, none numbered: a figure's or a box's lines.
	for (let a = 0; a < units.length; ) {
		let b = a;
		while (b < units.length && sizeOf(units[b]!) === sizeOf(units[a]!) && !numbered(units[b]!)) b++;
		if (b - a >= 3) for (const unit of units.slice(a, b)) demote(unit);
		a = Math.max(b, a + 1);
	}
	const kept = units.filter(unit => levels[unit[0]!]! > 0);
	if (kept.length < 4 || kept.some(numbered)) return;
	// A cover: the largest is the title, the rest its captions.
	const largest = Math.max(...kept.map(sizeOf));
	const title = kept.find(unit => sizeOf(unit) === largest);
	for (const unit of kept) if (unit !== title) demote(unit);
}
