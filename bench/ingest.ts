/**
Ingest throughput: N small distinct PDFs (default 1,000) through `ingest()` against a real S3
endpoint, as `blobforge ingest` runs by default and with 32 uploads at once, each into a fresh
bucket: files/s, request counts by operation, and CPU per file of this process (the client) and
of the local Ceph daemons. Prints a table and writes bench/results/ingest.json.

Run: node dist/bench/ingest.js [N]
Environment: BLOBFORGE_TEST_S3_ENDPOINT and keys (scripts/s3-test-server.sh start prints them).
*/
import {mkdir, mkdtemp, readFile, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {benchBucket, benchS3} from './bench-s3.js';
import {PDFDocument, StandardFonts} from 'pdf-lib';
import {ingest} from '../source/ingest/ingest.js';
import {openQueueContext, type QueueContext} from '../source/queue/queue-context.js';
import {costOf, operations} from '../source/storage/request-stats.js';

const count = Number(process.argv[2] ?? 1000);
const s3 = benchS3();
const {endpoint} = s3;
const folder = await mkdtemp(path.join(os.tmpdir(), 'bf-bench-ingest-'));
const document = await PDFDocument.create();
const font = await document.embedFont(StandardFonts.Helvetica);
document.addPage([300, 300]).drawText('Benchmark page', {x: 20, y: 250, size: 12, font});
const template = Buffer.from(await document.save());
await mkdir(path.join(folder, 'pdfs'), {recursive: true});
for (let i = 0; i < count; i++) {
	// A trailing comment after %%EOF makes each file distinct and still a valid PDF.
	await writeFile(
		path.join(folder, 'pdfs', `file-${String(i).padStart(5, '0')}.pdf`),
		Buffer.concat([template, Buffer.from(`\n% ${i}\n`)]),
	);
}
/** CPU seconds (user + system) the Ceph daemons have used, from /proc; undefined when they are not local. */
async function cephCpuSeconds(): Promise<number | undefined> {
	try {
		const {execFileSync} = await import('node:child_process');
		const pids = execFileSync('pgrep', ['-f', 'radosgw|ceph-osd|ceph-mon'], {encoding: 'utf8'})
			.split('\n')
			.filter(Boolean);
		let ticks = 0;
		for (const pid of pids) {
			const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
			ticks += Number(fields[11]) + Number(fields[12]);
		}
		return ticks / 100;
	} catch {
		return undefined;
	}
}

type Row = {
	run: string;
	concurrency: number;
	batchSize: number;
	files: number;
	seconds: number;
	filesPerSecond: number;
	clientCpuMsPerFile: number;
	cephCpuMsPerFile?: number;
	requests: number;
	requestsPerFile: number;
	byOperation: Record<string, number>;
	dollarsPer1000Files: number;
};
const rows: Row[] = [];
// As `blobforge ingest DIR` runs (8 uploads at once, batches of 100), then with --concurrency 32.
for (const [run, concurrency, batchSize] of [
	['defaults', 8, 100],
	['--concurrency 32', 32, 100],
] as const) {
	const opened = await benchBucket(s3, `ingest-${concurrency}`);
	const context: QueueContext = openQueueContext(opened.store);
	opened.stats.reset();
	const cephBefore = await cephCpuSeconds();
	const cpuBefore = process.cpuUsage();
	const started = performance.now();
	const summary = await ingest(context, [path.join(folder, 'pdfs')], {concurrency, batchSize});
	const seconds = (performance.now() - started) / 1000;
	const cpu = process.cpuUsage(cpuBefore);
	const cephAfter = await cephCpuSeconds();
	const stats = opened.stats.snapshot();
	if (summary.queued !== count) throw new Error(`queued ${summary.queued} of ${count}`);
	rows.push({
		run,
		concurrency,
		batchSize,
		files: count,
		seconds,
		filesPerSecond: count / seconds,
		clientCpuMsPerFile: (cpu.user + cpu.system) / 1000 / count,
		...(cephBefore === undefined || cephAfter === undefined
			? {}
			: {cephCpuMsPerFile: ((cephAfter - cephBefore) * 1000) / count}),
		requests: stats.total.count,
		requestsPerFile: stats.total.count / count,
		byOperation: Object.fromEntries(operations.filter(op => stats[op].count > 0).map(op => [op, stats[op].count])),
		dollarsPer1000Files: (costOf(stats) / count) * 1000,
	});
}
console.log(
	'ingest of small PDFs | files | seconds | files/s | target | client CPU ms/file | Ceph CPU ms/file | requests/file | by operation',
);
for (const r of rows)
	console.log(
		`${r.run} | ${r.files} | ${r.seconds.toFixed(2)} | ${r.filesPerSecond.toFixed(0)} | ≥ 300 | ${r.clientCpuMsPerFile.toFixed(2)} | ` +
			`${r.cephCpuMsPerFile?.toFixed(2) ?? '?'} | ${r.requestsPerFile.toFixed(3)} | ${JSON.stringify(r.byOperation)}`,
	);
console.log();
await mkdir('bench/results', {recursive: true});
await writeFile('bench/results/ingest.json', JSON.stringify({date: new Date().toISOString(), endpoint, rows}, null, 2));
