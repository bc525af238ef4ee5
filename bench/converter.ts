/**
The built-in converter: pages per second and peak memory per file, each in a fresh process
(as the worker runs it). Uses ../shared/corpus when present, else generated PDFs. Then 20 short
PDFs in a row through runConversion as the worker calls it: a fresh child per job against the
worker's waiting child, which serves job after job (up to 50; worker/spare-converter.ts).
Then each PDF with images, warm, with and without extracting them (what images cost a page).
Then, when ../shared/corpus-real and its scorer are there, each real PDF converted in this warm
process and scored against its reference Markdown (../shared/tools/score-markdown.py), per file
and in total. Prints tables and writes bench/results/converter.json.
Run: node dist/bench/converter.js [files...]
*/
import {execFileSync} from 'node:child_process';
import {existsSync, readdirSync} from 'node:fs';
import {mkdir, mkdtemp, readFile, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {PDFDocument, StandardFonts} from 'pdf-lib';
import {convertPdf} from '../source/worker/converter/pdf-to-markdown.js';
import {encodePng} from '../source/worker/converter/png.js';
import {runConversion, startConversionChild} from '../source/worker/run-conversion.js';
import {SpareConverter} from '../source/worker/spare-converter.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const corpus = path.resolve(here, '../../../shared/corpus');
let files = process.argv.slice(2);
if (files.length === 0 && existsSync(corpus)) {
	files = readdirSync(corpus)
		.filter(f => f.endsWith('.pdf') && !/^(empty|notapdf|truncated|encrypted)\.pdf$/.test(f))
		.map(f => path.join(corpus, f));
}
if (files.length === 0) {
	// No corpus: a generated 125-page document with headings, like the corpus's long.pdf.
	const document = await PDFDocument.create();
	const font = await document.embedFont(StandardFonts.Helvetica);
	const bold = await document.embedFont(StandardFonts.HelveticaBold);
	for (let p = 1; p <= 125; p++) {
		const page = document.addPage([612, 792]);
		if (p % 4 === 1) page.drawText(`Chapter ${(p + 3) / 4}`, {x: 72, y: 730, size: 20, font: bold});
		for (let line = 0; line < 40; line++)
			page.drawText(`Line ${line} of page ${p}: lorem ipsum dolor sit amet consectetur adipiscing elit.`, {
				x: 72,
				y: 690 - line * 15,
				size: 11,
				font,
			});
	}
	const folder = await mkdtemp(path.join(os.tmpdir(), 'bf-bench-conv-'));
	files = [path.join(folder, 'generated-125.pdf'), path.join(folder, 'generated-pictures-20.pdf')];
	await writeFile(files[0]!, await document.save());
	// And 20 pages of text, each with a 300 × 200 picture (a colour gradient, stored as Flate).
	const pictures = await PDFDocument.create();
	const picturesFont = await pictures.embedFont(StandardFonts.Helvetica);
	const gradient = Uint8Array.from({length: 300 * 200 * 3}, (_, i) => (i % 3 === 0 ? (i / 3) % 300 : (i * 7) % 256));
	const picture = await pictures.embedPng(encodePng(300, 200, 3, gradient));
	for (let p = 1; p <= 20; p++) {
		const page = pictures.addPage([612, 792]);
		for (let line = 0; line < 25; line++)
			page.drawText(`Line ${line} of page ${p}: lorem ipsum dolor sit amet consectetur.`, {
				x: 72,
				y: 720 - line * 15,
				size: 11,
				font: picturesFont,
			});
		page.drawImage(picture, {x: 72, y: 80, width: 300, height: 200});
	}
	await writeFile(files[1]!, await pictures.save());
}
const runner = path.join(here, 'convert-one.js');
const rows = [];
for (const file of files) {
	const started = performance.now();
	const out = JSON.parse(execFileSync(process.execPath, [runner, file], {encoding: 'utf8'})) as {
		pages: number;
		headings: number;
		images: number;
		ms: number;
		maxRssKb: number;
	};
	const wallMs = performance.now() - started;
	rows.push({
		file: path.basename(file),
		...out,
		wallMs,
		pagesPerSecond: out.pages / (out.ms / 1000),
		pagesPerSecondWithStartup: out.pages / (wallMs / 1000),
	});
}
console.log('file | pages | headings | images | convert ms | pages/s | pages/s incl. start-up | peak RSS MB');
for (const r of rows)
	console.log(
		`${r.file} | ${r.pages} | ${r.headings} | ${r.images} | ${r.ms.toFixed(0)} | ${r.pagesPerSecond.toFixed(0)} | ` +
			`${r.pagesPerSecondWithStartup.toFixed(0)} | ${(r.maxRssKb / 1024).toFixed(0)}`,
	);

// Short documents, where a child's start-up (loading pdf.js) outweighs the conversion.
const shortFolder = await mkdtemp(path.join(os.tmpdir(), 'bf-bench-short-'));
const short = await PDFDocument.create();
const shortFont = await short.embedFont(StandardFonts.Helvetica);
for (let p = 1; p <= 2; p++)
	short.addPage([612, 792]).drawText(`A short document, page ${p}.`, {x: 72, y: 700, size: 12, font: shortFont});
const shortPdf = path.join(shortFolder, 'short.pdf');
await writeFile(shortPdf, await short.save());
/** Milliseconds per conversion, the pause between jobs not counted. */
async function inARow(spare: SpareConverter | undefined, jobs: number, pauseMs: number): Promise<number> {
	let total = 0;
	for (let i = 0; i < jobs; i++) {
		const output = path.join(shortFolder, `${spare ? 'spare' : 'fresh'}-${pauseMs}-${i}`);
		await mkdir(output);
		const started = performance.now();
		await runConversion({input: shortPdf, output, ...(spare ? {spare} : {})});
		total += performance.now() - started;
		await new Promise(resolve => setTimeout(resolve, pauseMs));
	}
	return total / jobs;
}
const shortJobs = 20;
const children = [];
console.log('');
console.log(
	`${shortJobs} two-page PDFs, one after another | ms per conversion, a fresh child each | one child serving them | speed-up`,
);
// A worker spends some 50–500 ms between conversions (upload, completion, claim, download), in
// which a fresh child could load; back to back is where a child per job costs most.
for (const pauseMs of [0, 200, 500]) {
	const spare = new SpareConverter(startConversionChild);
	const freshMs = await inARow(undefined, shortJobs, pauseMs);
	const spareMs = await inARow(spare, shortJobs, pauseMs);
	spare.dispose();
	children.push({
		jobs: shortJobs,
		pages: 2,
		pauseMs,
		freshChildMsPerJob: freshMs,
		servingChildMsPerJob: spareMs,
		speedup: freshMs / spareMs,
	});
	console.log(
		`${pauseMs === 0 ? 'back to back' : `${pauseMs} ms apart`} | ${freshMs.toFixed(0)} | ${spareMs.toFixed(0)} | ${(freshMs / spareMs).toFixed(2)}×`,
	);
}
type ScoreRow = {
	name: string;
	nid: number;
	order: number;
	h_exp: number;
	h_found: number;
	h_spurious: number;
	t_exp: number;
	t_pred: number;
	t_cells: number;
	t_cells_tab: number;
	l_exp: number;
	l_found: number;
	l_spurious: number;
};
/** corpus-real: each file converted warm, timed, and scored; undefined when the corpus or scorer is missing. */
async function scoreCorpusReal() {
	const real = path.resolve(here, '../../../shared/corpus-real');
	const scorer = path.resolve(here, '../../../shared/tools/score-markdown.py');
	if (!existsSync(path.join(real, 'pdf')) || !existsSync(scorer)) return undefined;
	const out = await mkdtemp(path.join(os.tmpdir(), 'bf-bench-real-'));
	const timings = new Map<string, {pages: number; ms: number}>();
	for (const file of readdirSync(path.join(real, 'pdf')).filter(f => f.endsWith('.pdf'))) {
		const data = new Uint8Array(await readFile(path.join(real, 'pdf', file)));
		const started = performance.now();
		const converted = await convertPdf(data);
		timings.set(file.replace(/\.pdf$/, ''), {pages: converted.pages, ms: performance.now() - started});
		await writeFile(path.join(out, file.replace(/\.pdf$/, '.md')), converted.markdown);
	}
	try {
		execFileSync('/usr/bin/python3', [scorer, path.join(real, 'truth'), out, '--json', path.join(out, 'score.json')], {
			stdio: 'ignore',
		});
	} catch {
		console.log('\ncorpus-real: the scorer did not run (it needs python3-levenshtein)');
		return undefined;
	}
	const scored = JSON.parse(await readFile(path.join(out, 'score.json'), 'utf8')) as {
		rows: ScoreRow[];
		summary: Record<string, unknown>;
	};
	console.log('');
	console.log(
		'corpus-real, warm process | pages | ms | pages/s | text | order | headings (spurious) | tables | cells in a table | list items (spurious)',
	);
	for (const r of scored.rows) {
		const time = timings.get(r.name);
		console.log(
			`${r.name} | ${time?.pages ?? '?'} | ${time?.ms.toFixed(0) ?? '?'} | ${time ? (time.pages / (time.ms / 1000)).toFixed(0) : '?'} | ` +
				`${r.nid.toFixed(3)} | ${r.order.toFixed(3)} | ${r.h_found}/${r.h_exp} (${r.h_spurious}) | ${r.t_pred}/${r.t_exp} | ` +
				`${r.t_cells_tab}/${r.t_cells} | ${r.l_found}/${r.l_exp} (${r.l_spurious})`,
		);
	}
	const sum = (key: keyof ScoreRow) => scored.rows.reduce((total, r) => total + Number(r[key]), 0);
	const summary = scored.summary as {nid: number; order: number; heading_f1: number};
	const pages = [...timings.values()].reduce((n, t) => n + t.pages, 0);
	const ms = [...timings.values()].reduce((n, t) => n + t.ms, 0);
	console.log(
		`TOTAL | ${pages} | ${ms.toFixed(0)} | | ${summary.nid.toFixed(3)} | ${summary.order.toFixed(3)} | ` +
			`${sum('h_found')}/${sum('h_exp')} (${sum('h_spurious')}), F1 ${summary.heading_f1.toFixed(2)} | ` +
			`${sum('t_pred')}/${sum('t_exp')} | ${sum('t_cells_tab')}/${sum('t_cells')} | ${sum('l_found')}/${sum('l_exp')} (${sum('l_spurious')})`,
	);
	return {rows: scored.rows, summary: scored.summary, timings: Object.fromEntries(timings)};
}
/** A page's images' cost: each file with images converted warm with and without them (median of 5). */
async function imageCost(candidates: string[]) {
	const median = async (data: Uint8Array, images: boolean) => {
		const runs: number[] = [];
		for (let i = 0; i < 6; i++) {
			const started = performance.now();
			await convertPdf(data, {images});
			if (i > 0) runs.push(performance.now() - started); // the first run warms up
		}
		return runs.sort((a, b) => a - b)[2]!;
	};
	const costs = [];
	for (const file of candidates) {
		const data = new Uint8Array(await readFile(file));
		const {images, pages} = await convertPdf(data);
		if (images.length === 0) continue;
		const withoutMs = await median(data, false);
		const withMs = await median(data, true);
		costs.push({file: path.basename(file), pages, images: images.length, withoutMs, withMs, ratio: withMs / withoutMs});
	}
	console.log('');
	console.log('PDFs with images, warm | pages | images | ms without images | ms with images | × (target < 2)');
	for (const c of costs)
		console.log(
			`${c.file} | ${c.pages} | ${c.images} | ${c.withoutMs.toFixed(1)} | ${c.withMs.toFixed(1)} | ${c.ratio.toFixed(2)}×`,
		);
	return costs;
}
const realPdfs = path.resolve(here, '../../../shared/corpus-real/pdf');
const images = await imageCost([
	...files,
	...(existsSync(realPdfs) ? readdirSync(realPdfs).map(f => path.join(realPdfs, f)) : []),
]);
const corpusReal = await scoreCorpusReal();
await mkdir('bench/results', {recursive: true});
await writeFile(
	'bench/results/converter.json',
	JSON.stringify(
		{date: new Date().toISOString(), rows, children, images, ...(corpusReal ? {corpusReal} : {})},
		null,
		2,
	),
);
