import test from 'ava';
import fc from 'fast-check';
import {compareCodePoints, SortedKeys} from '../../bench/fleet/sorted-keys.js';
import {compareKeys} from '../../source/storage/object-store.js';

test('code point order is UTF-8 byte order', t => {
	fc.assert(
		fc.property(fc.string({unit: 'grapheme'}), fc.string({unit: 'grapheme'}), (a, b) => {
			t.is(Math.sign(compareCodePoints(a, b)), Math.sign(compareKeys(a, b)));
		}),
	);
	t.true(compareCodePoints('\uFFFD', '😀') < 0, 'a surrogate pair sorts above U+FFFD');
});

test('sorted keys: adds, deletes and ranges agree with a sorted array, across many chunks', t => {
	const keys = new SortedKeys();
	const model = new Set<string>();
	const random = (() => {
		let s = 7;
		return () => {
			s = (s * 1103515245 + 12345) % 2 ** 31;
			return s / 2 ** 31;
		};
	})();
	const pick = () => `p/${['a', 'b', 'c'][Math.floor(random() * 3)]}/${Math.floor(random() * 6000)}`;
	for (let i = 0; i < 20_000; i++) {
		const key = pick();
		if (random() < 0.7) {
			t.is(keys.add(key), !model.has(key));
			model.add(key);
		} else t.is(keys.delete(key), model.delete(key));
	}
	t.is(keys.size, model.size);
	const sorted = [...model].sort(compareKeys);
	t.deepEqual(keys.range('p/', undefined, 1e9), sorted);
	for (const prefix of ['p/b/', 'p/a/1', 'p/c/59', 'q/']) {
		for (const after of [undefined, 'p/b/3', 'p/a/', 'p/c/5999', 'z']) {
			const expected = sorted.filter(k => k.startsWith(prefix) && (after === undefined || compareKeys(k, after) > 0));
			t.deepEqual(keys.range(prefix, after, 150), expected.slice(0, 150), `${prefix} after ${after}`);
		}
	}
});

test('sorted keys: plain keys first, then keys above U+D800, keep code point order', t => {
	const keys = new SortedKeys();
	const plain = Array.from({length: 3000}, (_, i) => `k/${(i * 7919) % 3001}`);
	for (const key of plain) keys.add(key);
	// From here the set can no longer compare with the engine's UTF-16 order: '😀' sorts above '\uFFFD' only by code point.
	const high = ['k/\uFFFD', 'k/😀', 'k/\uE000x', 'k/1\uD83D\uDE00'];
	for (const key of high) keys.add(key);
	const expected = [...plain, ...high].sort(compareKeys);
	t.deepEqual(keys.range('k/', undefined, 1e9), expected);
	t.deepEqual(keys.range('k/', 'k/\uFFFD', 10), ['k/😀']);
	t.true(keys.delete('k/😀'));
	t.deepEqual(keys.range('k/', 'k/\uE000x', 10), ['k/\uFFFD']);
});
