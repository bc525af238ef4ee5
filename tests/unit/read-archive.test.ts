/** Result archives read with limits: bombs, huge entries and non-zips are refused by name, never unpacked. */
import test from 'ava';
import {zipSync} from 'fflate';
import {looksLikeZip, readArchive} from '../../source/lib/read-archive.js';

test('entries over the size, ratio, count or total limits are refused with a reason; the rest is read', t => {
	const zeros = new Uint8Array(5 * 2 ** 20);
	const text = new TextEncoder().encode('# Hello\n');
	const bytes = zipSync({'content.md': text, 'assets/bomb.bin': zeros}, {level: 9});
	const read = readArchive(bytes, {maxEntryBytes: 8 * 2 ** 20});
	t.true(read.ok);
	if (!read.ok) return;
	t.deepEqual(Object.keys(read.files), ['content.md'], 'the 5 MB of zeros (5 KB zipped) is a bomb');
	t.regex(read.refused[0]?.reason ?? '', /inflates \d+:1, a zip bomb/);
	const big = readArchive(bytes, {maxEntryBytes: 2 ** 20, maxRatio: 1e9});
	t.true(big.ok && /more than 1048576 allowed/.test(big.refused[0]?.reason ?? ''));
	const many = readArchive(zipSync({a: text, b: text, c: text}), {maxEntries: 2});
	t.true(many.ok && many.refused.length === 1 && /more than 2 entries/.test(many.refused[0]!.reason));
	const total = readArchive(zipSync({a: text, b: text}), {maxTotalBytes: 10});
	t.true(total.ok && total.refused.length === 1 && /would exceed 10 bytes/.test(total.refused[0]!.reason));
	const only = readArchive(bytes, {only: ['content.md']});
	t.true(
		only.ok && Object.keys(only.files).length === 1 && only.refused.length === 0,
		'skipped entries are not refused',
	);
});

test('a body that is not a zip, or a damaged one, says so', t => {
	const notZip = new TextEncoder().encode('<html>not a zip</html>');
	t.false(looksLikeZip(notZip));
	t.deepEqual(readArchive(notZip), {ok: false, reason: 'the result is not a zip archive'});
	const zip = zipSync({'content.md': new TextEncoder().encode('# x\n'.repeat(1000))});
	const damaged = readArchive(zip.subarray(0, zip.length - 30));
	t.false(damaged.ok);
	t.regex(damaged.ok ? '' : damaged.reason, /damaged/);
});
