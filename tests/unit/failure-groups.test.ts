/** Error signatures: what varies from job to job is set aside; patterns are substrings or /regex/. */
import test from 'ava';
import {errorMatcher, errorSignature, groupFailures} from '../../source/inspector/failure-groups.js';

test('signatures set aside numbers, hashes, quoted names and paths', t => {
	t.is(errorSignature('conversion timed out after 3600 s'), 'conversion timed out after # s');
	t.is(errorSignature('converter exited with code 137'), 'converter exited with code #');
	t.is(errorSignature('cannot open "Annual Report 2024.pdf": EACCES'), 'cannot open "…": EACCES');
	t.is(errorSignature('ENOENT: /tmp/bf-job-3fa9c2/out/content.md missing'), 'ENOENT: <path> missing');
	t.is(errorSignature('object 3fa9c2d4e5f60718 is damaged'), 'object <hex> is damaged');
	t.is(errorSignature('  many\n\nlines  '), 'many lines');
});

test('groups: largest first, counts per state, the newest job as the example', t => {
	const row = (n: number, state: 'failed' | 'dead', error: string) => ({
		hash: String(n).padStart(64, '0'),
		state,
		priority: 'normal' as const,
		attempts: 1,
		error,
		at: n,
	});
	const groups = groupFailures([
		row(1, 'failed', 'timed out after 10 s'),
		row(2, 'dead', 'the PDF is encrypted'),
		row(3, 'dead', 'timed out after 20 s'),
	]);
	t.deepEqual(
		groups.map(g => [g.signature, g.count, g.failed, g.dead, g.example.at]),
		[
			['timed out after # s', 2, 1, 1, 3],
			['the PDF is encrypted', 1, 0, 1, 2],
		],
	);
});

test('patterns: a case-insensitive substring, or a /regex/ (case-insensitive unless it says more)', t => {
	t.true(errorMatcher('TIMED')('conversion timed out'));
	t.false(errorMatcher('pdfium')('conversion timed out'));
	t.true(errorMatcher('/timed out after \\d+ s/')('Timed out after 30 s'));
	t.false(errorMatcher('/^out/')('timed out'));
	t.throws(() => errorMatcher('/(/'));
});
