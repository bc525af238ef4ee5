/**
Bold, italic and monospaced text, from the fonts' names and descriptors. pdf.js's text items name
their font only by an id. The scan of the file (page-scan.ts) reads the fonts each page's text is shown
in, in order; lined up with the page's items, each id gets the font it stands for (a vote per page:
the runs of one font must line up one to one, else the page does not vote). An id no page could vote
for is looked up the costly way: its font reaches pdf.js's common objects when an operator list uses
it, so that page's operator list is built (images left out of it).
*/

/** A bit set: bold, italic, monospaced. */
export type Style = number;
export const bold = 1;
export const italic = 2;
export const mono = 4;

type FontObject = {name?: unknown; isMonospace?: unknown; composite?: unknown; widths?: unknown};
type Page = {
	getOperatorList(): Promise<unknown>;
	commonObjs: {has(id: string): boolean; get(id: string): unknown};
};

/**
Whether a font said to have a fixed pitch has one: two glyphs or more, all one width (0 aside). A
one-glyph subset (a bullet in lorem.pdf) has one width by itself, and pdf.js calls it monospaced;
a producer may also set the flag on a proportional font. Without widths (a standard font), the flag.
*/
export function fixedPitch(flagged: boolean, widths: readonly number[] | undefined): boolean {
	if (!flagged) return false;
	if (widths === undefined) return true;
	const used = widths.filter(w => w > 0);
	return used.length >= 2 && new Set(used).size === 1;
}

/** A font's style from its name: subset prefix ("ABCDEF+") aside, the weight and slant words in it. */
export function styleOfFont(name: string, monospaced: boolean): Style {
	const base = name.replace(/^[A-Z]{6}\+/, '');
	let style = 0;
	if (/bold|black|heavy|demi|semibold|extrabold|ultrabold|^CMBX|^CMB\d/i.test(base)) style |= bold;
	if (/italic|oblique|slanted|-It$|-BoldIt$|^CMTI|^CMSL/i.test(base)) style |= italic;
	if (monospaced || /courier|mono|consol|menlo|inconsolata|^CMTT|^LMMono|code/i.test(base)) style |= mono;
	return style;
}

/** Each value once for each stretch of equal ones: [a a b a] → [a b a]. */
function runsOfEqual(values: readonly string[]): string[] {
	return values.filter((value, i) => value !== values[i - 1]);
}

/** Font ids to styles for one document. */
export class FontStyles {
	readonly #looked = new Map<string, Style>();
	readonly #votes = new Map<string, Map<string, number>>();

	/** `scanned`: the file's fonts and their styles, by the scan's keys. */
	constructor(private readonly scanned: ReadonlyMap<string, Style> = new Map()) {}

	/**
	Learns the fonts of a page's items (pdf.js ids), from the fonts the scan saw its text shown in,
	else from its operator list.
	*/
	async learn(
		page: Page,
		items: ReadonlyArray<{fontName?: string; str: string}>,
		shown: string[] | undefined,
	): Promise<void> {
		const ids = runsOfEqual(items.flatMap(item => (item.fontName && item.str.trim() !== '' ? [item.fontName] : [])));
		const keys = shown ? runsOfEqual(shown) : [];
		if (keys.length === ids.length)
			for (const [i, id] of ids.entries()) {
				const votes = this.#votes.get(id) ?? new Map<string, number>();
				votes.set(keys[i]!, (votes.get(keys[i]!) ?? 0) + 1);
				this.#votes.set(id, votes);
			}
		const unknown = [...new Set(ids)].filter(id => !this.#votes.has(id) && !this.#looked.has(id));
		if (unknown.length === 0) return;
		await page.getOperatorList();
		for (const id of unknown) {
			const font = (page.commonObjs.has(id) ? page.commonObjs.get(id) : undefined) as FontObject | undefined;
			const name = typeof font?.name === 'string' ? font.name : '';
			const widths = Array.isArray(font?.widths)
				? font.widths.filter((w): w is number => typeof w === 'number')
				: undefined;
			// CJK fonts (composite, CID-keyed) set every glyph one width: monospaced, but no code.
			this.#looked.set(
				id,
				styleOfFont(name, fixedPitch(font?.isMonospace === true && font.composite !== true, widths)),
			);
		}
	}

	of(fontName: string | undefined): Style {
		if (fontName === undefined) return 0;
		const votes = this.#votes.get(fontName);
		if (!votes) return this.#looked.get(fontName) ?? 0;
		const [key] = [...votes].sort((a, b) => b[1] - a[1])[0]!;
		return this.scanned.get(key) ?? 0;
	}
}

const markers = (style: Style): string =>
	style & mono ? '`' : style & bold && style & italic ? '***' : style & bold ? '**' : style & italic ? '*' : '';

/** A stretch of a line in one style: its text with white space made single, and whether a space comes before it. */
export type Run = {text: string; style: Style; spaceBefore: boolean};

/** A line's parts (pdf.js items and the spaces put between them) as runs of one style each. */
export function runsOf(parts: readonly string[], styles: readonly Style[]): Run[] {
	const runs: Run[] = [];
	let space = false;
	for (const [i, part] of parts.entries()) {
		const core = part.trim().replaceAll(/\s+/g, ' ');
		if (/^\s/.test(part)) space = true;
		if (core === '') continue;
		const style = styles[i] ?? 0;
		const last = runs.at(-1);
		if (last?.style === style) last.text += (space ? ' ' : '') + core;
		else runs.push({text: core, style, spaceBefore: space && runs.length > 0});
		space = /\s$/.test(part);
	}
	return runs;
}

/** The runs' text, unstyled. */
export function plainOf(runs: readonly Run[]): string {
	return runs.map((run, i) => (i > 0 && run.spaceBefore ? ' ' : '') + run.text).join('');
}

/**
The runs as Markdown: each wrapped in its markers, against its text (spaces outside them, as CommonMark
needs); the first `drop` characters of the plain text (a list item's bullet) left out.
*/
export function styledOf(runs: readonly Run[], drop = 0): string {
	let out = '';
	let skip = drop;
	for (const [i, run] of runs.entries()) {
		let text = run.text;
		let spaceBefore = i > 0 && run.spaceBefore;
		if (skip > 0) {
			const spent = Math.min(skip, (spaceBefore ? 1 : 0) + text.length);
			const fromText = spent - (spaceBefore ? 1 : 0);
			skip -= spent;
			if (fromText >= 0) {
				text = text.slice(fromText).trimStart();
				spaceBefore = false;
			}
			if (text === '') continue;
		}
		if (out !== '' && spaceBefore) out += ' ';
		const marker = markers(run.style);
		// An asterisk inside emphasis would close it ("***ALLOBJ**"): escaped there.
		if (marker !== '' && marker !== '`') text = text.replaceAll(/[*_]/g, '\\$&');
		// A code span holding a backtick is fenced by two.
		const fence = marker === '`' && text.includes('`') ? '``' : marker;
		out += fence === '``' ? `\`\` ${text} \`\`` : `${fence}${text}${fence}`;
	}
	return out;
}

/** The line's text in one style, or 0 when it mixes styles (or has none). */
export function wholeStyle(runs: readonly Run[]): Style {
	const first = runs[0]?.style ?? 0;
	return runs.every(run => run.style === first) ? first : 0;
}

/** Two lines of a paragraph joined: a run that closes one and opens the next in the same style is one run. */
export function joinStyled(before: string, after: string, joint: string): string {
	for (const marker of ['`', '***', '**', '*']) {
		const closes = before.endsWith(marker) && !before.endsWith(`*${marker}`) && before.length > marker.length;
		const opens = after.startsWith(marker) && !after.startsWith(`${marker}*`);
		if (closes && opens) return before.slice(0, -marker.length) + joint + after.slice(marker.length);
	}
	return before + joint + after;
}
