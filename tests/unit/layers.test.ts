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
};

async function* sourceFiles(folder: string): AsyncGenerator<string> {
	for (const entry of await readdir(folder, {withFileTypes: true})) {
		const full = path.join(folder, entry.name);
		if (entry.isDirectory()) yield* sourceFiles(full);
		else if (/\.tsx?$/.test(entry.name)) yield full;
	}
}

test('imports point one way: lib ← storage ← queue ← worker | inspector ← ui ← commands', async t => {
	const violations: string[] = [];
	let checked = 0;
	for await (const file of sourceFiles(root)) {
		const layer = path.relative(root, file).split(path.sep)[0]!;
		if (!(layer in allowed)) continue;
		checked++;
		const text = await readFile(file, 'utf8');
		for (const match of text.matchAll(/from '(\.[^']+)'/g)) {
			const target = path.relative(root, path.resolve(path.dirname(file), match[1]!)).split(path.sep)[0]!;
			if (target !== layer && !allowed[layer]!.includes(target)) violations.push(`${path.relative(root, file)} imports ${match[1]}`);
		}
		if (layer === 'ui' && /@aws-sdk\//.test(text)) violations.push(`${path.relative(root, file)} imports the AWS SDK`);
	}
	t.true(checked > 20, `checked ${checked} files`);
	t.deepEqual(violations, []);
});
