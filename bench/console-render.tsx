/**
The console's drawing cost: the real App rendered (ink-testing-library) at 120×40 on a snapshot with
N queued jobs and 20 running, then 200 key presses (move down) and a typed filter. Reports the
first frame, the median and 95th percentile time from a key to its frame, the filter's cost, and
memory. No store: this is the UI alone (the refresh cost is read-model-history's).

Run: node dist/bench/console-render.js [N ...]   (default 1000 100000)
*/
import {mkdir, writeFile} from 'node:fs/promises';
import {render} from 'ink-testing-library';
import {App} from '../source/ui/app.js';
import {makeTheme, ThemeContext} from '../source/ui/theme.js';
import {FakeSource, job, running, snapshot, worker} from '../tests/support/console.js';

const sizes = process.argv
	.slice(2)
	.map(Number)
	.filter(n => n > 0);
const counts = sizes.length > 0 ? sizes : [1000, 100_000];

type Row = {
	rows: number;
	firstFrameMs: number;
	keyMedianMs: number;
	keyP95Ms: number;
	filterMs: number;
	heapMB: number;
	rssMB: number;
};

async function nextFrame(app: ReturnType<typeof render>, after: number, timeoutMs = 10_000): Promise<void> {
	const deadline = performance.now() + timeoutMs;
	while (app.frames.length <= after) {
		if (performance.now() > deadline) throw new Error('no frame');
		await new Promise(resolve => setImmediate(resolve));
	}
}

const results: Row[] = [];
for (const n of counts) {
	globalThis.gc?.();
	const data = snapshot({
		active: Array.from({length: 20}, (_, i) =>
			running(100_000_000 + i, {worker: `w-${i}`, pagesDone: i, pagesTotal: 40}),
		),
		todo: Array.from({length: n}, (_, i) =>
			job(i + 1, 'todo', {name: `library/shelf-${i % 97}/document-${i}.pdf`, tags: [`shelf-${i % 97}`]}),
		),
		workers: Array.from({length: 20}, (_, i) => worker(`w-${i}`, {status: 'processing'})),
		done: 250_000,
	});
	const source = new FakeSource(data);
	const started = performance.now();
	const app = render(
		<ThemeContext.Provider value={makeTheme({})}>
			<App source={source} window={{columns: 120, rows: 40}} intervalMs={3_600_000} onQuit={() => undefined} />
		</ThemeContext.Provider>,
	);
	// The Active pane shows first; switch to the queue once the snapshot is in.
	let switched = false;
	while (!(app.lastFrame() ?? '').includes('document-')) {
		if (!switched && (app.lastFrame() ?? '').includes(`Queue ${n}`)) {
			app.stdin.write('2');
			switched = true;
		}
		await new Promise(resolve => setTimeout(resolve, 1));
	}
	const firstFrameMs = performance.now() - started;
	const times: number[] = [];
	for (let i = 0; i < 200; i++) {
		const frames = app.frames.length;
		const t0 = performance.now();
		app.stdin.write('j');
		await nextFrame(app, frames);
		times.push(performance.now() - t0);
	}
	const f0 = performance.now();
	for (const char of '/shelf-42') {
		const frames = app.frames.length;
		app.stdin.write(char);
		await nextFrame(app, frames);
	}
	const filterMs = (performance.now() - f0) / '/shelf-42'.length;
	const memory = process.memoryUsage();
	app.unmount();
	times.sort((a, b) => a - b);
	results.push({
		rows: n,
		firstFrameMs,
		keyMedianMs: times[100]!,
		keyP95Ms: times[190]!,
		filterMs,
		heapMB: memory.heapUsed / 2 ** 20,
		rssMB: memory.rss / 2 ** 20,
	});
}

console.log('queued rows | first frame ms | key → frame median ms | p95 ms | filter keystroke ms | heap MB | RSS MB');
for (const r of results)
	console.log(
		`${r.rows} | ${r.firstFrameMs.toFixed(0)} | ${r.keyMedianMs.toFixed(1)} | ${r.keyP95Ms.toFixed(1)} | ${r.filterMs.toFixed(1)} | ` +
			`${r.heapMB.toFixed(0)} | ${r.rssMB.toFixed(0)}`,
	);
await mkdir('bench/results', {recursive: true});
await writeFile(
	'bench/results/console-render.json',
	JSON.stringify({date: new Date().toISOString(), results}, null, 2),
);
process.exit(0);
