/** Text shapes for the console: bars, sparklines, ages, wrapped lines (cutting to a width is lib/fit-text.ts). */
import stringWidth from 'string-width';

/** A bar of `width` cells filled to `fraction` (0..1), in eighths for a smooth edge. */
export function bar(fraction: number, width: number): string {
	const eighths = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
	const f = Math.max(0, Math.min(1, Number.isFinite(fraction) ? fraction : 0));
	const total = Math.round(f * width * 8);
	const full = Math.floor(total / 8);
	const partial = eighths[total % 8]!;
	return ('█'.repeat(full) + partial).padEnd(width, ' ').slice(0, width);
}

/** A sparkline of `values` (one character each), scaled to the largest. */
export function sparkline(values: number[]): string {
	const ticks = '▁▂▃▄▅▆▇█';
	const max = Math.max(0, ...values);
	return values.map(v => (max === 0 || v === 0 ? ' ' : ticks[Math.min(7, Math.floor((v / max) * 7.999))]!)).join('');
}

/** "3s ago" from milliseconds. */
export function ago(ms: number): string {
	const seconds = Math.max(0, Math.round(ms / 1000));
	if (seconds < 60) return `${seconds}s ago`;
	if (seconds < 3600) return `${Math.floor(seconds / 60)}m ago`;
	if (seconds < 172_800) return `${Math.floor(seconds / 3600)}h ago`;
	return `${Math.floor(seconds / 86_400)}d ago`;
}

/**
Lines wrapped to `width` columns: at spaces where possible, mid-word where a word is too long.
Continuation lines keep the first line's indentation, so detail labels and log gutters stay aligned.
*/
export function wrapLines(lines: string[], width: number): string[] {
	const cached = lastWrap.get(lines);
	if (cached?.width === width) return cached.wrapped;
	const wrapped = lines.flatMap(line => wrapLine(line, Math.max(10, width)));
	lastWrap.set(lines, {width, wrapped});
	return wrapped;
}

const lastWrap = new WeakMap<string[], {width: number; wrapped: string[]}>();

function wrapLine(line: string, width: number): string[] {
	if (stringWidth(line) <= width) return [line];
	// Continuations line up under the text of a labelled line ("why       …", two or more spaces after
	// the label) or under a leading indent; ordinary prose starts at the margin again.
	const indent = ' '.repeat(
		Math.min(Math.floor(width / 3), /^ */.exec(line)![0].length || (/^\S+\s{2,}/.exec(line)?.[0].length ?? 0)),
	);
	const out: string[] = [];
	let current = '';
	for (const word of line.split(/(?<= )/)) {
		if (stringWidth(current + word.trimEnd()) <= width) {
			current += word;
			continue;
		}
		if (current.trim() !== '') out.push(current.trimEnd());
		current = out.length > 0 || current.trim() !== '' ? indent : '';
		let rest = word;
		while (stringWidth(current + rest.trimEnd()) > width) {
			let take = '';
			for (const char of rest) {
				if (stringWidth(current + take + char) > width) break;
				take += char;
			}
			if (take === '') break;
			out.push(current + take);
			rest = rest.slice(take.length);
			current = indent;
		}
		current += rest;
	}
	if (current.trim() !== '') out.push(current.trimEnd());
	return out;
}
