import {readdir, readFile} from 'node:fs/promises';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import test from 'ava';

// Compiled tests live in dist/tests/unit; the sources two folders up from dist.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../source');

/** Which folders each layer may import from (besides itself and packages). */
const allowed: Record<string, string[]> = {
	lib: [],
	storage: ['lib'],
	queue: ['lib', 'storage'],
	worker: ['lib', 'storage', 'queue'],
	inspector: ['lib', 'storage', 'queue'],
	ingest: ['lib', 'storage', 'queue'],
	demo: ['lib'],
	commands: ['lib', 'storage', 'queue', 'worker', 'inspector', 'ingest', 'ui', 'demo'],
	ui: ['lib', 'inspector'],
	// source/cli.ts, the entry point, sits above every layer.
	'cli.ts': ['lib', 'storage', 'queue', 'worker', 'inspector', 'ingest', 'ui', 'demo', 'commands'],
};

/**
Every relative module a file names: `import … from`, `export … from`, a bare `import '…'` and a
dynamic `import('…')` (the console is loaded that way).
*/
function relativeImports(text: string): string[] {
	const patterns = [/\bfrom\s+'(\.[^']+)'/g, /\bimport\s+'(\.[^']+)'/g, /\bimport\(\s*'(\.[^']+)'\s*\)/g];
	return patterns.flatMap(pattern => [...text.matchAll(pattern)].map(match => match[1]!));
}

async function* sourceFiles(folder: string): AsyncGenerator<string> {
	for (const entry of await readdir(folder, {withFileTypes: true})) {
		const full = path.join(folder, entry.name);
		if (entry.isDirectory()) yield* sourceFiles(full);
		else if (/\.tsx?$/.test(entry.name)) yield full;
	}
}

test('imports point one way: lib ← storage ← queue ← worker | ingest | inspector ← ui ← commands ← cli.ts', async t => {
	const violations: string[] = [];
	let checked = 0;
	for await (const file of sourceFiles(root)) {
		const layer = path.relative(root, file).split(path.sep)[0]!;
		if (!(layer in allowed)) {
			violations.push(`${path.relative(root, file)} is in no layer (add its folder to the table)`);
			continue;
		}
		checked++;
		const text = await readFile(file, 'utf8');
		for (const specifier of relativeImports(text)) {
			const target = path.relative(root, path.resolve(path.dirname(file), specifier)).split(path.sep)[0]!;
			if (target !== layer && !allowed[layer]!.includes(target))
				violations.push(`${path.relative(root, file)} imports ${specifier}`);
		}
		if (layer === 'ui' && /@aws-sdk\//.test(text)) violations.push(`${path.relative(root, file)} imports the AWS SDK`);
	}
	t.true(checked > 20, `checked ${checked} files`);
	t.deepEqual(violations, []);
});

test('the layer check sees every form of import', t => {
	const text = [
		"import {a} from '../queue/a.js';",
		"export {b} from './b.js';",
		"import '../ui/side-effect.js';",
		"const ui = await import('../ui/run.js');",
		"import type {C} from '../storage/c.js';",
		"import x from 'node:path';",
	].join('\n');
	t.deepEqual(relativeImports(text), [
		'../queue/a.js',
		'./b.js',
		'../storage/c.js',
		'../ui/side-effect.js',
		'../ui/run.js',
	]);
});

/** Source file → the source files it imports (relative imports only, type imports included). */
async function importGraph(): Promise<Map<string, string[]>> {
	const graph = new Map<string, string[]>();
	for await (const file of sourceFiles(root)) {
		const text = await readFile(file, 'utf8');
		const targets = relativeImports(text).map(specifier =>
			path.resolve(path.dirname(file), specifier).replace(/\.js$/, file.endsWith('.tsx') ? '.tsx' : '.ts'),
		);
		graph.set(file, targets);
	}
	// An import of x.js may name x.tsx: take whichever exists.
	for (const [file, targets] of graph)
		graph.set(
			file,
			targets.map(t =>
				graph.has(t)
					? t
					: graph.has(t.replace(/\.tsx?$/, '.tsx'))
						? t.replace(/\.tsx?$/, '.tsx')
						: t.replace(/\.tsx?$/, '.ts'),
			),
		);
	return graph;
}

test('no import cycles between source files (type imports count too)', async t => {
	const graph = await importGraph();
	const cycles: string[] = [];
	const state = new Map<string, 'open' | 'done'>();
	const visit = (file: string, trail: string[]) => {
		if (state.get(file) === 'done') return;
		if (state.get(file) === 'open') {
			cycles.push([...trail.slice(trail.indexOf(file)), file].map(f => path.relative(root, f)).join(' → '));
			return;
		}
		state.set(file, 'open');
		for (const next of graph.get(file) ?? []) if (graph.has(next)) visit(next, [...trail, file]);
		state.set(file, 'done');
	};
	for (const file of graph.keys()) visit(file, []);
	t.true(graph.size > 50, `read ${graph.size} files`);
	t.deepEqual(cycles, []);
});
