#!/usr/bin/env node
// `npm run demo` (until the full-screen console lands): makes a few sample PDFs, queues them on
// the embedded local store in ./.blobforge/demo-store (reset on every run), runs a worker until
// the queue is empty, and shows the result. No S3 needed.
import {spawnSync} from 'node:child_process';
import {mkdirSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {PDFDocument, StandardFonts} from 'pdf-lib';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const demo = path.join(root, '.blobforge');
const store = path.join(demo, 'demo-store');
const samples = path.join(demo, 'samples');
rmSync(demo, {recursive: true, force: true});
mkdirSync(samples, {recursive: true});

async function pdf(name, build) {
	const document = await PDFDocument.create();
	const font = await document.embedFont(StandardFonts.Helvetica);
	const bold = await document.embedFont(StandardFonts.HelveticaBold);
	await build(document, font, bold);
	writeFileSync(path.join(samples, name), await document.save());
}
const lines = (page, font, items, y0 = 700) => items.forEach(([text, size, f], i) => page.drawText(text, {x: 72, y: y0 - i * 22, size, font: f ?? font}));
await pdf('handbook.pdf', async (d, f, b) => {
	for (let p = 1; p <= 3; p++) lines(d.addPage(), f, [[`Chapter ${p}`, 22, b], ['Every chapter has a short body paragraph.', 11], ['Key points', 15, b], ['• Fenced leases', 11], ['• Server-side time', 11]]);
});
await pdf('invoice.pdf', async (d, f, b) => lines(d.addPage(), f, [['Invoice 2026-11', 20, b], ['1. Conversion of 1,000 PDFs', 11], ['2. Storage', 11], ['Total: 42 EUR', 11]]));
await pdf('notes.pdf', async (d, f) => lines(d.addPage(), f, [['Meeting notes: the queue lives in one bucket.', 11]]));
writeFileSync(path.join(samples, 'broken.pdf'), '%PDF-1.7\nthis file is cut short and cannot be converted\n');

const cli = (...args) => {
	console.log(`\n$ blobforge ${args.join(' ')}`);
	const run = spawnSync(process.execPath, [path.join(root, 'dist/source/cli.js'), '--store-dir', store, ...args], {stdio: 'inherit'});
	return run.status;
};
console.log(`BlobForge demo: sample PDFs in ${samples}, embedded store in ${store} (reset on every run)`);
cli('ingest', samples);
cli('worker', '--headless', '--run-once');
cli('worker', '--headless', '--run-once');
cli('worker', '--headless', '--run-once');
cli('worker', '--headless', '--run-once');
cli('list', '-v');
cli('status', spawnSync(process.execPath, [path.join(root, 'dist/source/cli.js'), '--store-dir', store, 'list', '--state', 'dead', '--json'], {encoding: 'utf8'}).stdout.match(/"hash": "([0-9a-f]{64})"/)?.[1] ?? 'none');
console.log(`\nTry: npx blobforge --store-dir ${path.relative(process.cwd(), store) || store} preview <hash>   (a hash from the list above)`);
