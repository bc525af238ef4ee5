/**
A reader of PDF content streams that sees only what places images: the graphics state stack (q, Q),
the transformation (cm) and XObjects painted (Do). Everything else is tokenised and passed over:
strings (nested parentheses, escapes), hex strings, dictionaries, arrays, comments and inline images,
whose binary data runs from ID to EI.
*/

/** A PDF transformation matrix [a b c d e f]. */
export type Matrix = [number, number, number, number, number, number];

export const identity: Matrix = [1, 0, 0, 1, 0, 0];

/** Two matrices in one: points go through `m` first, then `by` (as `cm` does). */
export function multiply(by: readonly number[], m: readonly number[]): Matrix {
	const [a1 = 1, b1 = 0, c1 = 0, d1 = 1, e1 = 0, f1 = 0] = m;
	const [a2 = 1, b2 = 0, c2 = 0, d2 = 1, e2 = 0, f2 = 0] = by;
	return [
		a1 * a2 + b1 * c2,
		a1 * b2 + b1 * d2,
		c1 * a2 + d1 * c2,
		c1 * b2 + d1 * d2,
		e1 * a2 + f1 * c2 + e2,
		e1 * b2 + f1 * d2 + f2,
	];
}

const isWhite = (c: number) => c === 32 || c === 10 || c === 13 || c === 9 || c === 12 || c === 0;
/** ( ) < > [ ] { } / % */
const isDelimiter = (c: number) =>
	c === 40 ||
	c === 41 ||
	c === 60 ||
	c === 62 ||
	c === 91 ||
	c === 93 ||
	c === 123 ||
	c === 125 ||
	c === 47 ||
	c === 37;

/** What the graphics state holds that this reader follows: the transformation and the font. */
export type ContentState = {ctm: Matrix; font?: string | undefined};

export type ContentHandlers = {
	/** An XObject painted, in the state in force there (a form starts from it). */
	paint?: (name: string, state: ContentState) => void;
	/** The font Tf sets, from its resource name: what the state keeps (undefined: none known). */
	font?: (name: string) => string | undefined;
	/** Text shown (Tj, TJ, ', "): the font in force and the strings' bytes, escapes undone. */
	text?: (font: string | undefined, strings: Uint8Array[]) => void;
};

/** A literal string's bytes, from after its "(" to before its ")", with its escapes undone. */
function literal(bytes: Uint8Array, from: number, to: number): Uint8Array {
	if (bytes.subarray(from, to).indexOf(92) < 0) return bytes.subarray(from, to);
	const out: number[] = [];
	for (let k = from; k < to; k++) {
		const c = bytes[k]!;
		if (c !== 92) {
			out.push(c);
			continue;
		}
		const next = bytes[++k];
		if (next === undefined) break;
		const simple = {110: 10, 114: 13, 116: 9, 98: 8, 102: 12}[next];
		if (simple !== undefined) out.push(simple);
		else if (next >= 48 && next <= 55) {
			let value = next - 48;
			for (let d = 0; d < 2 && (bytes[k + 1] ?? 0) >= 48 && (bytes[k + 1] ?? 0) <= 55; d++)
				value = value * 8 + bytes[++k]! - 48;
			out.push(value & 0xff);
		} else if (next === 13) {
			if (bytes[k + 1] === 10) k++; // a line break after a backslash is no character
		} else if (next !== 10) out.push(next);
	}
	return Uint8Array.from(out);
}

/** A hex string's bytes (an odd last digit is followed by 0). */
function hexBytes(bytes: Uint8Array, from: number, to: number): Uint8Array {
	const out = new Uint8Array(Math.ceil((to - from) / 2));
	let length = 0;
	let high = -1;
	for (let k = from; k < to; k++) {
		const c = bytes[k]!;
		const digit = c >= 48 && c <= 57 ? c - 48 : c >= 65 && c <= 70 ? c - 55 : c >= 97 && c <= 102 ? c - 87 : -1;
		if (digit < 0) continue;
		if (high < 0) high = digit;
		else {
			out[length++] = (high << 4) | digit;
			high = -1;
		}
	}
	if (high >= 0) out[length++] = high << 4;
	return out.subarray(0, length);
}

const code = (operator: string) =>
	operator.length === 1 ? operator.charCodeAt(0) : operator.charCodeAt(0) * 256 + operator.charCodeAt(1);
const [q, Q, cm, Do, Tf, Tj, TJ, quote, quotes, ID] = ['q', 'Q', 'cm', 'Do', 'Tf', 'Tj', 'TJ', "'", '"', 'ID'].map(
	code,
);

/**
Reads a content stream from the state `start`. Unbalanced Q and unreadable bytes are passed over, as
viewers do.
*/
export function readContent(bytes: Uint8Array, start: ContentState, on: ContentHandlers): void {
	const stack: ContentState[] = [];
	let {ctm, font} = start;
	// Operands are kept as byte ranges and read only for the operators that use them: most of a
	// content stream is path and text operators whose operands no one here needs.
	// The last six numbers' ranges, in a ring (cm needs six; no other operator read here needs one).
	const numberStarts = [0, 0, 0, 0, 0, 0];
	const numberEnds = [0, 0, 0, 0, 0, 0];
	let numbers = 0;
	let nameStart = -1;
	let nameEnd = -1;
	/** The string operands since the last operator (inside TJ's array too). */
	let strings: Uint8Array[] = [];
	const n = bytes.length;
	let i = 0;
	const latin1 = (from: number, to: number) =>
		Buffer.from(bytes.buffer, bytes.byteOffset + from, to - from).toString('latin1');
	const name = () => decodeName(latin1(nameStart, nameEnd));
	const operands = () => {
		numbers = 0;
		nameStart = -1;
	};
	while (i < n) {
		const c = bytes[i]!;
		if (isWhite(c)) {
			i++;
		} else if (c === 37) {
			while (i < n && bytes[i] !== 10 && bytes[i] !== 13) i++;
		} else if (c === 40) {
			const from = i;
			i = afterString(bytes, i);
			if (on.text) strings.push(literal(bytes, from + 1, i - 1));
			operands();
		} else if (c === 60 && bytes[i + 1] !== 60) {
			const from = i + 1;
			while (i < n && bytes[i] !== 62) i++;
			if (on.text) strings.push(hexBytes(bytes, from, i));
			i++;
			operands();
		} else if (c === 47) {
			operands();
			nameStart = ++i;
			while (i < n && !isWhite(bytes[i]!) && !isDelimiter(bytes[i]!)) i++;
			nameEnd = i;
		} else if (isDelimiter(c)) {
			i += (c === 60 || c === 62) && bytes[i + 1] === c ? 2 : 1;
			operands();
		} else {
			const from = i;
			while (i < n && !isWhite(bytes[i]!) && !isDelimiter(bytes[i]!)) i++;
			// + - . 0–9 start a number; anything else is an operator (true, false and null included).
			if (c === 43 || c === 45 || c === 46 || (c >= 48 && c <= 57)) {
				numberStarts[numbers % 6] = from;
				numberEnds[numbers % 6] = i;
				numbers++;
				continue;
			}
			// Operators of one or two bytes, by their bytes: most tokens are operators no one here reads.
			const operator = i - from === 1 ? c : i - from === 2 ? c * 256 + bytes[from + 1]! : 0;
			if (operator === q) stack.push({ctm, font});
			else if (operator === Q) ({ctm, font} = stack.pop() ?? {ctm, font});
			else if (operator === cm && numbers >= 6) {
				const m = [0, 1, 2, 3, 4, 5].map(j => {
					const at = (numbers - 6 + j) % 6;
					return Number(latin1(numberStarts[at]!, numberEnds[at]!));
				});
				if (m.every(Number.isFinite)) ctm = multiply(ctm, m);
			} else if (operator === Do && nameStart >= 0) on.paint?.(name(), {ctm, font});
			else if (operator === Tf && nameStart >= 0) font = on.font?.(name());
			else if (strings.length > 0 && (operator === Tj || operator === TJ || operator === quote || operator === quotes))
				on.text?.(font, strings);
			else if (operator === ID) i = afterInlineImage(bytes, i);
			operands();
			if (strings.length > 0) strings = [];
		}
	}
}

/** The index after a literal string that opens at `at`. */
function afterString(bytes: Uint8Array, at: number): number {
	let depth = 0;
	for (let i = at; i < bytes.length; i++) {
		const c = bytes[i];
		if (c === 92) i++;
		else if (c === 40) depth++;
		else if (c === 41 && --depth === 0) return i + 1;
	}
	return bytes.length;
}

/** The index after an inline image's data: "EI" standing alone after white space. */
function afterInlineImage(bytes: Uint8Array, at: number): number {
	for (let i = at + 1; i + 1 < bytes.length; i++) {
		if (bytes[i] === 69 && bytes[i + 1] === 73 && isWhite(bytes[i - 1]!)) {
			const next = bytes[i + 2];
			if (next === undefined || isWhite(next) || isDelimiter(next)) return i + 2;
		}
	}
	return bytes.length;
}

/** A name's #xx escapes undone. */
function decodeName(raw: string): string {
	return raw.includes('#')
		? raw.replace(/#([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)))
		: raw;
}
