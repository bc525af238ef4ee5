/** Ingest's file finding: quoted glob patterns (the shell left them alone) are expanded by Node's fs.glob. */
import {mkdir, symlink, writeFile} from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import {scanPaths, tagsFromPath} from '../../source/ingest/scan.js';
import {tempDir} from '../support/temp.js';

test('a quoted pattern is expanded: files under its fixed folder, relative to it; no match is a problem', async t => {
	const dir = await tempDir('bf-scan-');
	await mkdir(path.join(dir, 'library', 'books', 'old'), {recursive: true});
	for (const name of ['books/a.pdf', 'books/old/b.pdf', 'books/notes.txt', 'c.pdf'])
		await writeFile(path.join(dir, 'library', name), '%PDF-1.4');
	const found = await scanPaths([path.join(dir, 'library', '**', '*.pdf')]);
	t.deepEqual(
		found.files.map(f => f.relative),
		['books/a.pdf', 'books/old/b.pdf', 'c.pdf'],
	);
	t.true(found.files.every(f => f.root === path.join(dir, 'library')));
	t.deepEqual(found.problems, []);
	const none = await scanPaths([path.join(dir, 'library', '*.docx')]);
	t.deepEqual(none.files, []);
	t.deepEqual(
		none.problems.map(p => p.reason),
		['no file matches the pattern'],
	);
	// A directory the pattern matches is walked for PDFs as a named one is.
	const folders = await scanPaths([path.join(dir, 'library', 'b*')]);
	t.deepEqual(
		folders.files.map(f => f.relative),
		['a.pdf', 'old/b.pdf'],
	);
});

test('symbolic links are followed to files and folders, a loop ends, a broken link is said', async t => {
	const dir = await tempDir('bf-links-');
	const annex = path.join(dir, '.annex-objects');
	await mkdir(annex, {recursive: true});
	await writeFile(path.join(annex, 'SHA256E-s8--abc.pdf'), '%PDF-1.4');
	await mkdir(path.join(dir, 'library', 'papers'), {recursive: true});
	await symlink(path.join(annex, 'SHA256E-s8--abc.pdf'), path.join(dir, 'library', 'papers', 'paper.pdf'));
	await symlink(path.join(dir, 'library'), path.join(dir, 'library', 'papers', 'loop'));
	await symlink(path.join(dir, 'nowhere.pdf'), path.join(dir, 'library', 'broken.pdf'));
	const found = await scanPaths([path.join(dir, 'library')]);
	t.deepEqual(
		found.files.map(f => f.relative),
		['papers/paper.pdf'],
	);
	t.deepEqual(
		found.problems.map(p => p.reason),
		['a broken symbolic link'],
	);
});

test('tags come from the folders of the path, not the file name', t => {
	t.deepEqual(tagsFromPath('books/comics/obelix.pdf'), ['books', 'comics']);
	t.deepEqual(tagsFromPath('report.pdf'), []);
});
