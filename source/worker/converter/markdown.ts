/**
Lines to Markdown: headings (levels from headings.ts), tables (tables.ts), paragraphs from vertical
gaps with broken words joined, bulleted and numbered lists with their nesting, code listings as fenced
blocks, run-in headings, images where they stand, and bold, italic and code spans (text-styles.ts).
*/
import {headingLevels, minorHeadingLevel} from './headings.js';
import type {Line} from './line.js';
import {findTables, tableMarkdown} from './tables.js';
import {mostUsedSize} from './text-lines.js';
import {bold, italic, joinStyled, mono, type Run, styledOf, wholeStyle} from './text-styles.js';

// Bullet glyphs may touch their text; a dash or an asterisk needs a space (`*ALLOBJ` is a word).
// Symbol fonts often map their bullets to no Unicode at all: a control character or one of the
// private use area stands first on the line.
// biome-ignore lint/suspicious/noControlCharactersInRegex: those control characters are the bullets.
const bullet = /^(?:[•◦▪▫●○■□‣⁃∙➢✓✔☐☑☒\u2010\ue000-\uf8ff\u0001-\u0008\u000e-\u001f\u007f-\u009f]\s*|[–\-*]\s+)/u;
/**
Wingdings and ZapfDingbats bullets come out as a plain letter (l ●, n ■, q ❑, r ❒, u ◆, v ❖, Ø ➢, ü ✓):
one standing alone before a capital, on two neighbouring lines, is a bullet.
*/
const letterBullet = /^([lnqruvØü§])\s+(?=\p{Lu})/u;

/** Lines that start with a letter bullet shared by the line before or after. */
function letterBullets(lines: readonly Line[]): Set<number> {
	const marks = lines.map(line => letterBullet.exec(line.text)?.[1]);
	const found = new Set<number>();
	for (const [i, mark] of marks.entries()) if (mark && (marks[i - 1] === mark || marks[i + 1] === mark)) found.add(i);
	return found;
}
const numbered = /^(\d{1,3})[.)]\s+/;

function escapeText(text: string): string {
	return text.replace(/^(#{1,6}\s|>|\d{1,3}[.)]\s|[-*+]\s)/, m => `\\${m}`);
}

/**
A paragraph's lines as one text: a word broken at a line end ("Ef-" then "fects") is joined whole;
a hyphen before a capital or a digit stays (a compound: "Reed-" "Solomon").
*/
function joinLines(lines: string[]): string {
	let text = '';
	for (const line of lines) {
		if (text === '') text = line;
		else if (/\p{Ll}-$/u.test(text) && /^\p{Ll}/u.test(line)) text = text.slice(0, -1) + line;
		else text = joinStyled(text, line, ' ');
	}
	return text;
}

/**
A paragraph that opens with a few words in bold or italic and then a new sentence ("*Boots
Self-Locking Nut* The Boots nut is…") opens with a run-in heading: its title, else undefined. A
name in bold before the rest of its sentence ("**Jim Bainbridge** is a…") is none.
*/
function runInHeading(runs: readonly Run[]): string | undefined {
	const [lead, next] = runs;
	if (!lead || !next || !(lead.style & (bold | italic)) || lead.style & mono || next.style & (bold | italic))
		return undefined;
	const title = lead.text;
	const words = title.split(' ').length;
	if (words > 10 || (title.match(/\p{L}/gu)?.length ?? 0) < 3 || /[.:;,]$/.test(title)) return undefined;
	return /^\p{Lu}/u.test(next.text) && next.spaceBefore ? title : undefined;
}

/** Lines set wholly in a monospaced font, from `start`, on one page: a code listing when two or more. */
function codeLines(lines: readonly Line[], start: number, levels: readonly number[]): number {
	let end = start;
	while (end < lines.length) {
		const line = lines[end]!;
		if (line.image || levels[end]! > 0 || line.page !== lines[start]!.page || !(wholeStyle(line.runs) & mono)) break;
		end++;
	}
	return end - start >= 2 ? end - start : 0;
}

/** A code listing as a fenced block, each line indented as far as it stands right of the leftmost. */
function codeBlock(lines: readonly Line[]): string {
	const left = Math.min(...lines.map(l => l.x));
	const body = lines.map(l => ' '.repeat(Math.max(0, Math.round((l.x - left) / (l.size * 0.6)))) + l.text);
	const fence = body.some(l => l.includes('```')) ? '````' : '```';
	return [fence, ...body, fence].join('\n');
}

/** Builds Markdown from lines: heading levels from font-size statistics, paragraphs, lists. */
export function toMarkdown(lines: Line[]): {markdown: string; headings: number} {
	const body = mostUsedSize(lines);
	const levels = headingLevels(lines, body);
	const minorLevel = minorHeadingLevel(lines, body);
	const blocks: string[] = [];
	let paragraph: string[] = [];
	let list: string[] = [];
	let headings = 0;
	const flushParagraph = () => {
		if (paragraph.length > 0) blocks.push(escapeText(joinLines(paragraph)));
		paragraph = [];
	};
	/** The indents of the open items, outermost first: an item further right than the last is nested in it. */
	let indents: number[] = [];
	/** Where the text of the last item at each depth starts: the indent of an item nested in it. */
	let contentIndents: string[] = [];
	const flushList = () => {
		if (list.length > 0) blocks.push(list.join('\n'));
		list = [];
		indents = [];
		contentIndents = [];
	};
	const depthOf = (line: Line): number => {
		const slack = Math.max(2, line.size * 0.5);
		while (indents.length > 0 && indents.at(-1)! > line.x + slack) indents.pop();
		if (indents.length === 0 || line.x > indents.at(-1)! + slack) indents.push(line.x);
		return Math.min(indents.length - 1, 5);
	};
	let previousPage = 0;
	let lastWasHeading = false;
	let lastHeadingSize = 0;
	const tables = new Map(findTables(lines).map(table => [table.start, table]));
	const lettered = letterBullets(lines);
	for (let index = 0; index < lines.length; index++) {
		const line = lines[index]!;
		if (line.image) {
			flushParagraph();
			flushList();
			const {name, page} = line.image;
			blocks.push(`![Image ${name} from page ${page}](assets/${name})`);
			lastWasHeading = false;
			previousPage = line.page;
			continue;
		}
		const table = tables.get(index);
		if (table) {
			flushParagraph();
			flushList();
			blocks.push(tableMarkdown(table.rows));
			lastWasHeading = false;
			previousPage = lines[table.end - 1]!.page;
			index = table.end - 1;
			continue;
		}
		const code = codeLines(lines, index, levels);
		if (code > 0) {
			flushParagraph();
			flushList();
			blocks.push(codeBlock(lines.slice(index, index + code)));
			lastWasHeading = false;
			previousPage = line.page;
			index += code - 1;
			continue;
		}
		const level = levels[index]!;
		const newPage = line.page !== previousPage;
		previousPage = line.page;
		if (level > 0) {
			flushParagraph();
			flushList();
			// A title set on two lines (the same level, right below, on the same page) is one heading.
			const previous = blocks.at(-1);
			const marks = `${'#'.repeat(level)} `;
			const sameSize = Math.abs(lastHeadingSize - line.size) < 0.25;
			if (lastWasHeading && sameSize && !newPage && previous?.startsWith(marks) && line.gapBefore < 1.6) {
				blocks[blocks.length - 1] = `${previous} ${line.text}`;
				continue;
			}
			blocks.push(`${marks}${line.text}`);
			headings++;
			lastWasHeading = true;
			lastHeadingSize = line.size;
			continue;
		}
		lastWasHeading = false;
		const bulletMatch = bullet.exec(line.text) ?? (lettered.has(index) ? letterBullet.exec(line.text) : null);
		const numberMatch = numbered.exec(line.text);
		// An item has words: a line of unmapped glyphs (a logo's text layer) after a control character is none.
		const itemHasWords =
			bulletMatch !== null && (line.text.slice(bulletMatch[0].length).match(/\p{L}/gu)?.length ?? 0) >= 2;
		if (itemHasWords || numberMatch) {
			flushParagraph();
			// A nested item is indented as far as its parent's text starts (CommonMark's rule for nesting).
			const depth = Math.min(depthOf(line), contentIndents.length);
			const indent = depth === 0 ? '' : contentIndents[depth - 1]!;
			const marker = numberMatch ? `${numberMatch[1]}. ` : '- ';
			contentIndents = [...contentIndents.slice(0, depth), indent + ' '.repeat(marker.length)];
			list.push(
				`${indent}${marker}${styledOf(line.runs, numberMatch ? numberMatch[0].length : bulletMatch![0].length)}`,
			);
			continue;
		}
		// A continuation of the previous list item: same paragraph, no break.
		if (list.length > 0 && !newPage && line.gapBefore > 0 && line.gapBefore < 1.5) {
			list[list.length - 1] = joinStyled(list.at(-1)!, styledOf(line.runs), ' ');
			continue;
		}
		flushList();
		const breaks = newPage ? false : line.gapBefore > 1.5 || line.gapBefore < -0.5;
		if (breaks) flushParagraph();
		const runIn = paragraph.length === 0 ? runInHeading(line.runs) : undefined;
		if (runIn) {
			blocks.push(`${'#'.repeat(minorLevel)} ${runIn}`);
			headings++;
			paragraph.push(styledOf(line.runs.slice(1)));
			continue;
		}
		paragraph.push(styledOf(line.runs));
	}
	flushParagraph();
	flushList();
	const joined = blocks
		.map(block =>
			block.startsWith('| ') || block.startsWith('```') ? block : block.replaceAll(/(\w)- (\w)/g, '$1-$2'),
		)
		.join('\n\n');
	return {markdown: `${joined}\n`, headings};
}
