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
