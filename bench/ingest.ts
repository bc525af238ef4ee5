/**
Ingest throughput: N small distinct PDFs (default 1,000) through `ingest()` against a real S3
endpoint, with request counts by operation. Prints a table and writes bench/results/ingest.json.

Run: node dist/bench/ingest.js [N]
Environment: BLOBFORGE_TEST_S3_ENDPOINT and keys (scripts/s3-test-server.sh start prints them).
*/
import {mkdir, mkdtemp, writeFile} from 'node:fs/promises';
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
const opened = await benchBucket(s3, `ingest`);
const context: QueueContext = openQueueContext(opened.store);
opened.stats.reset();
const started = performance.now();
const summary = await ingest(context, [path.join(folder, 'pdfs')], {concurrency: 32, batchSize: 500});
const seconds = (performance.now() - started) / 1000;
const stats = opened.stats.snapshot();
if (summary.queued !== count) throw new Error(`queued ${summary.queued} of ${count}`);
const byOperation = Object.fromEntries(operations.filter(op => stats[op].count > 0).map(op => [op, stats[op].count]));
const result = {
	date: new Date().toISOString(),
	endpoint,
	files: count,
	seconds,
	filesPerSecond: count / seconds,
	requests: stats.total.count,
	requestsPerFile: stats.total.count / count,
	byOperation,
	dollarsPer1000Files: (costOf(stats) / count) * 1000,
};
console.log('ingest of small PDFs | files | seconds | files/s | requests/file | by operation');
console.log(
	`this run | ${count} | ${seconds.toFixed(2)} | ${result.filesPerSecond.toFixed(0)} | ${result.requestsPerFile.toFixed(3)} | ` +
		`${JSON.stringify(byOperation)}`,
);
console.log();
await mkdir('bench/results', {recursive: true});
await writeFile('bench/results/ingest.json', JSON.stringify(result, null, 2));
