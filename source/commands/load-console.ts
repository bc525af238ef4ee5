/**
Loads the console (Ink and React) for `watch` and `demo`, only once they know they run on a
terminal. React reads NODE_ENV once, when it loads, so it is set just before: its development
build made a key-to-frame round trip 2–3× slower and used 4× the memory with 100,000 queued rows.
(A `CI` in the environment no longer matters: the console tells Ink it is interactive.)
*/
export async function loadConsole(): Promise<typeof import('../ui/run.js')> {
	process.env['NODE_ENV'] ??= 'production';
	return import('../ui/run.js');
}
