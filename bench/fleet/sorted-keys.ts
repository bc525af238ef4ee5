/**
A sorted set of keys in S3's order (UTF-8 bytes, which is code point order) for the simulated
store: chunks of at most 1,024 sorted keys, so an insert or delete at a million keys moves a
chunk, not the whole set.
*/

/** Code point order on UTF-16 strings: a surrogate sorts above every other code unit. */
export function compareCodePoints(a: string, b: string): number {
	const n = Math.min(a.length, b.length);
	for (let i = 0; i < n; i++) {
		let x = a.charCodeAt(i);
		let y = b.charCodeAt(i);
		if (x === y) continue;
		if (x >= 0xd800) x = x <= 0xdfff ? x + 0x2000 : x - 0x800;
		if (y >= 0xd800) y = y <= 0xdfff ? y + 0x2000 : y - 0x800;
		return x - y;
	}
	return a.length - b.length;
}

const chunkLimit = 1024;

/** Whether a key has a code unit where UTF-16 order and code point order part (a surrogate or above). */
const highUnit = /[\ud800-\uffff]/;

export class SortedKeys {
	private chunks: string[][] = [];
	private count = 0;
	/**
	While no key has a code unit from U+D800 up, UTF-16 order is code point order and the engine's own
	comparison serves (seeding a million keys spent half its time comparing character by character).
	*/
	private compare: (a: string, b: string) => number = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

	private see(key: string): void {
		if (this.compare !== compareCodePoints && highUnit.test(key)) this.compare = compareCodePoints;
	}

	get size(): number {
		return this.count;
	}

	/** Adds a key; false when it was there. */
	add(key: string): boolean {
		this.see(key);
		if (this.chunks.length === 0) {
			this.chunks.push([key]);
			this.count++;
			return true;
		}
		const c = this.chunkFor(key);
		const chunk = this.chunks[c]!;
		const i = lowerBound(chunk, key, this.compare);
		if (chunk[i] === key) return false;
		chunk.splice(i, 0, key);
		this.count++;
		if (chunk.length > chunkLimit)
			this.chunks.splice(c, 1, chunk.slice(0, chunkLimit / 2), chunk.slice(chunkLimit / 2));
		return true;
	}

	/** Removes a key; false when it was not there. */
	delete(key: string): boolean {
		this.see(key);
		if (this.chunks.length === 0) return false;
		const c = this.chunkFor(key);
		const chunk = this.chunks[c]!;
		const i = lowerBound(chunk, key, this.compare);
		if (chunk[i] !== key) return false;
		chunk.splice(i, 1);
		this.count--;
		if (chunk.length === 0) this.chunks.splice(c, 1);
		return true;
	}

	/** Up to `limit` keys that start with `prefix` and sort after `after` (or from the prefix's start). */
	range(prefix: string, after: string | undefined, limit: number): string[] {
		this.see(prefix);
		if (after !== undefined) this.see(after);
		const from = after !== undefined && this.compare(after, prefix) > 0 ? after : undefined;
		const out: string[] = [];
		if (this.chunks.length === 0) return out;
		let c = this.chunkFor(from ?? prefix);
		let i =
			from === undefined
				? lowerBound(this.chunks[c]!, prefix, this.compare)
				: upperBound(this.chunks[c]!, from, this.compare);
		for (; c < this.chunks.length && out.length < limit; c++, i = 0) {
			const chunk = this.chunks[c]!;
			for (; i < chunk.length && out.length < limit; i++) {
				const key = chunk[i]!;
				if (!key.startsWith(prefix)) {
					if (this.compare(key, prefix) > 0) return out;
					continue;
				}
				out.push(key);
			}
		}
		return out;
	}

	/** The last chunk whose first key is ≤ key (or the first chunk). */
	private chunkFor(key: string): number {
		let lo = 0;
		let hi = this.chunks.length - 1;
		while (lo < hi) {
			const mid = (lo + hi + 1) >> 1;
			if (this.compare(this.chunks[mid]![0]!, key) <= 0) lo = mid;
			else hi = mid - 1;
		}
		return lo;
	}
}

type Compare = (a: string, b: string) => number;

function lowerBound(list: string[], key: string, compare: Compare): number {
	let lo = 0;
	let hi = list.length;
	while (lo < hi) {
		const mid = (lo + hi) >> 1;
		if (compare(list[mid]!, key) < 0) lo = mid + 1;
		else hi = mid;
	}
	return lo;
}

function upperBound(list: string[], key: string, compare: Compare): number {
	let lo = 0;
	let hi = list.length;
	while (lo < hi) {
		const mid = (lo + hi) >> 1;
		if (compare(list[mid]!, key) <= 0) lo = mid + 1;
		else hi = mid;
	}
	return lo;
}
