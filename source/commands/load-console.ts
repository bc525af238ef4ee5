/**
Loads the console (Ink and React) for `watch` and `demo`, only once they know they run on a
terminal. Two settings are read once, when those modules load, so they are set just before:
- NODE_ENV=production: React's development build made a key-to-frame round trip 2–3× slower and
  used 4× the memory with 100,000 queued rows;
- CI and CONTINUOUS_INTEGRATION are removed from this process: Ink draws only the last frame when
  it thinks it runs under CI, which an operator's shell (or a test runner) may export although
  the console is on a real terminal.
*/
export async function loadConsole(): Promise<typeof import('../ui/run.js')> {
	process.env['NODE_ENV'] ??= 'production';
	delete process.env['CI'];
	delete process.env['CONTINUOUS_INTEGRATION'];
	return import('../ui/run.js');
}
