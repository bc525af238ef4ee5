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

/**
Calls `paint` for each XObject the stream paints, with the transformation in force there (starting
from `start`). Unbalanced Q and unreadable bytes are passed over, as viewers do.
*/
export function paintedXObjects(bytes: Uint8Array, start: Matrix, paint: (name: string, ctm: Matrix) => void): void {
	const stack: Matrix[] = [];
	let ctm = start;
	// Operands are kept as byte ranges and read only for the operators that use them: most of a
	// content stream is path and text operators whose operands no one here needs.
	const numberStarts: number[] = [];
	const numberEnds: number[] = [];
	let nameStart = -1;
	let nameEnd = -1;
	const n = bytes.length;
	let i = 0;
	const latin1 = (from: number, to: number) =>
		Buffer.from(bytes.buffer, bytes.byteOffset + from, to - from).toString('latin1');
	const operands = () => {
		numberStarts.length = 0;
		numberEnds.length = 0;
		nameStart = -1;
	};
	while (i < n) {
		const c = bytes[i]!;
		if (isWhite(c)) {
			i++;
		} else if (c === 37) {
			while (i < n && bytes[i] !== 10 && bytes[i] !== 13) i++;
		} else if (c === 40) {
			i = afterString(bytes, i);
			operands();
		} else if (c === 60 && bytes[i + 1] !== 60) {
			while (i < n && bytes[i] !== 62) i++;
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
				numberStarts.push(from);
				numberEnds.push(i);
				continue;
			}
			const length = i - from;
			const second = bytes[from + 1];
			if (length === 1 && c === 113) stack.push(ctm);
			else if (length === 1 && c === 81) ctm = stack.pop() ?? ctm;
			else if (length === 2 && c === 99 && second === 109 && numberStarts.length >= 6) {
				const k = numberStarts.length - 6;
				const m = numberStarts.slice(k).map((at, j) => Number(latin1(at, numberEnds[k + j]!)));
				if (m.every(Number.isFinite)) ctm = multiply(ctm, m);
			} else if (length === 2 && c === 68 && second === 111 && nameStart >= 0)
				paint(decodeName(latin1(nameStart, nameEnd)), ctm);
			else if (length === 2 && c === 73 && second === 68) i = afterInlineImage(bytes, i);
			operands();
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
