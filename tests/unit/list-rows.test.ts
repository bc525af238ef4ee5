/** The rows of `blobforge list -v`: tries made, counted as the console counts them. */
import test from 'ava';
import {rowCells} from '../../source/commands/jobs.js';

const row = (state: 'done' | 'todo' | 'processing' | 'dead', attempts: number) => ({
	hash: 'a'.repeat(64),
	state,
	priority: 'normal' as const,
	attempts,
	at: 0,
});

test('tries: a done job made one more than it failed, a queued one as many as it failed', t => {
	const tries = (state: Parameters<typeof row>[0], attempts: number) => rowCells(row(state, attempts), 1000)[5];
	t.is(tries('done', 0), '1', 'done at the first try');
	t.is(tries('done', 2), '3');
	t.is(tries('processing', 1), '2', 'the attempt that runs counts');
	t.is(tries('todo', 1), '1');
	t.is(tries('dead', 4), '4');
});
