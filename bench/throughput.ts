/**
Throughput of real worker processes (`blobforge --headless worker`) on a real S3 endpoint with a
no-op stand-in converter (bench/noop-converter.sh: it only writes content.md), so what is measured
is the pipeline around a conversion: claim, download, package, upload, complete. 500 jobs with
small raw PDFs, each run on a fresh bucket: 1, 4 and 8 worker processes of one slot, one process of
8 slots, and the built-in converter on two-page PDFs (4 processes of one slot against one process of
4 slots). Compare with the earlier
system only when both run in one sitting on one box (figures from another day mislead: this box
varies by ±30 % between runs).

jobs/s = jobs / (workers launched → last job completed). Also: worker requests and worker CPU per
job (from each worker's `requests` log line; CPU of the worker processes, not of Ceph or the
converter), claims lost to 412 per job, jobs converted more than once, leases left behind. Prints a table and writes bench/results/throughput.json.

Run: node dist/bench/throughput.js [jobs] [run ...]   (default 500 1 4 8 1x8 builtin:4 builtin:1x4)
A run is `[builtin:]P[xS]`: P worker processes of S slots (1), the no-op converter unless `builtin:`.
*/
import {spawn} from 'node:child_process';
import {mkdir, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {PDFDocument, StandardFonts} from 'pdf-lib';
import {benchBucket, benchS3} from './bench-s3.js';
import {mapLimit} from '../source/lib/concurrency.js';
import {openQueueContext, type QueueContext} from '../source/queue/queue-context.js';
import {enqueueMany} from '../source/queue/transitions/enqueue.js';
import {ReadModel} from '../source/queue/read-model/read-model.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const cli = path.join(root, 'dist/source/cli.js');
const noop = `sh ${path.join(root, 'bench/noop-converter.sh')} {input} {output}`;
const [jobsArg, ...runArgs] = process.argv.slice(2);
const jobs = Number(jobsArg) > 0 ? Number(jobsArg) : 500;
type Run = {name: string; processes: number; slots: number; builtin: boolean};
const runs: Run[] = (runArgs.length > 0 ? runArgs : ['1', '4', '8', '1x8', 'builtin:4', 'builtin:1x4']).map(name => {
	const match = /^(builtin:)?(\d+)(?:x(\d+))?$/.exec(name);
	if (!match) throw new Error(`a run is [builtin:]P[xS], not ${name}`);
	return {name, processes: Number(match[2]), slots: Number(match[3] ?? 1), builtin: match[1] !== undefined};
});
const s3 = benchS3();
const {endpoint, credentials} = s3;
const {accessKeyId, secretAccessKey} = credentials;
const hash = (n: number) => `c${n.toString(16).padStart(63, '0')}`;
// Extra node flags for the worker processes, e.g. BLOBFORGE_BENCH_NODE_ARGS=--cpu-prof to profile them.
const nodeArgs = (process.env['BLOBFORGE_BENCH_NODE_ARGS'] ?? '').split(' ').filter(Boolean);

type LogLine = {event: string; time: string; job?: string; total?: number; createOnlyLost?: number; cpuMs?: number};
type Row = {
	run: string;
	converter: 'no-op' | 'builtin';
	workers: number;
	slots: number;
	jobs: number;
	seconds: number;
	jobsPerSecond: number;
	requestsPerJob: number;
	claimsLostPerJob: number;
	convertedTwice: number;
	leasesLeft: number;
	workerCpuMsPerJob: number;
};
const rows: Row[] = [];

/** A two-page PDF of text, unique per job (the raw PDFs are stored by hash). */
async function twoPagePdf(i: number): Promise<Uint8Array> {
	const pdf = await PDFDocument.create();
	const font = await pdf.embedFont(StandardFonts.Helvetica);
	for (let p = 1; p <= 2; p++) {
		const page = pdf.addPage([612, 792]);
		page.drawText(`Document ${i}, page ${p}`, {x: 72, y: 720, size: 18, font});
		for (let line = 0; line < 20; line++)
			page.drawText(`Line ${line} of a short document about nothing in particular.`, {
				x: 72,
				y: 680 - line * 16,
				size: 11,
				font,
			});
	}
	return pdf.save();
}

for (const run of runs) {
	const workers = run.processes;
	const opened = await benchBucket(s3, `tp-${run.name.replace(':', '-')}`);
	const bucket = opened.bucket;
	const context: QueueContext = openQueueContext(opened.store);
	// Small raw PDFs (the worker downloads each) and one enqueue batch, as ingest leaves them.
	await mapLimit(
		Array.from({length: jobs}, (_, i) => i),
		32,
		async i =>
			opened.store.put(context.keys.raw(hash(i)), run.builtin ? await twoPagePdf(i) : `%PDF-1.4\n% job ${i}\n`, {
				metadata: {'original-name': `doc-${i}.pdf`},
			}),
	);
	await enqueueMany(
		context,
		Array.from({length: jobs}, (_, i) => ({
			hash: hash(i),
			priority: 'normal' as const,
			name: `doc-${i}.pdf`,
			size: 20,
		})),
	);
	const environment = {
		...process.env,
		BLOBFORGE_S3_BUCKET: bucket,
		BLOBFORGE_S3_ENDPOINT_URL: endpoint,
		BLOBFORGE_S3_ACCESS_KEY_ID: accessKeyId,
		BLOBFORGE_S3_SECRET_ACCESS_KEY: secretAccessKey,
		BLOBFORGE_LOG_LEVEL: 'info',
	};
	const logs: LogLine[][] = [];
	const started = Date.now();
	const children = Array.from({length: workers}, (_, i) => {
		const child = spawn(
			process.execPath,
			[
				...nodeArgs,
				cli,
				'--headless',
				'--worker-id',
				`bench-${i}`,
				'worker',
				'--converter',
				run.builtin ? 'builtin' : noop,
				'--slots',
				String(run.slots),
				'--idle-poll',
				'1',
			],
			{env: environment, stdio: ['ignore', 'pipe', 'inherit']},
		);
		const lines: LogLine[] = [];
		logs.push(lines);
		let partial = '';
		child.stdout.on('data', (chunk: Buffer) => {
			const text = partial + chunk.toString();
			const parts = text.split('\n');
			partial = parts.pop() ?? '';
			for (const line of parts) if (line.trim()) lines.push(JSON.parse(line) as LogLine);
		});
		return child;
	});
	const completed = () => logs.flat().filter(l => l.event === 'job-completed');
	const deadline = Date.now() + Number(process.env['BENCH_DEADLINE_MS'] ?? 600_000);
	while (completed().length < jobs && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 200));
	const last = Math.max(...completed().map(l => Date.parse(l.time)));
	await Promise.all(
		children.map(
			async child =>
				new Promise(resolve => {
					child.once('exit', resolve);
					child.kill('SIGTERM');
				}),
		),
	);
	const done = completed();
	const perJob = new Map<string, number>();
	for (const line of done) perJob.set(line.job!, (perJob.get(line.job!) ?? 0) + 1);
	const requests = logs.flat().filter(l => l.event === 'requests');
	const seconds = (last - started) / 1000;
	// Ended leases wait for the janitor by design; a lease still active after the workers stopped would be a leak.
	const leasesLeft = (await new ReadModel(context).refresh()).active.length;
	rows.push({
		run: run.name,
		converter: run.builtin ? 'builtin' : 'no-op',
		workers,
		slots: run.slots,
		jobs,
		seconds,
		jobsPerSecond: perJob.size / seconds,
		requestsPerJob: requests.reduce((sum, l) => sum + (l.total ?? 0), 0) / perJob.size,
		claimsLostPerJob: requests.reduce((sum, l) => sum + (l.createOnlyLost ?? 0), 0) / perJob.size,
		convertedTwice: [...perJob.values()].filter(n => n > 1).length,
		leasesLeft,
		workerCpuMsPerJob: requests.reduce((sum, l) => sum + (l.cpuMs ?? 0), 0) / perJob.size,
	});
	if (perJob.size !== jobs) {
		console.error(`only ${perJob.size} of ${jobs} jobs completed`);
		if (process.env['BENCH_DUMP'])
			await writeFile(
				process.env['BENCH_DUMP'],
				logs
					.flat()
					.map(l => JSON.stringify(l))
					.join('\n'),
			);
	}
}

console.log(
	`throughput, ${jobs} jobs, real worker processes (requests include start-up, idle polls and the final janitor pass)`,
);
console.log(
	'converter | processes × slots | jobs/s | target | worker CPU ms/job | requests/job | ' +
		'claims lost to 412 per job | converted twice | active leases left',
);
const targetOf = (r: Row) =>
	r.converter === 'builtin'
		? r.workers * r.slots === 4
			? '≥ 20 at 4 slots'
			: ''
		: r.workers * r.slots === 8
			? '≥ 50 at 8 slots'
			: r.workers * r.slots === 1
				? '≤ 8 req/job'
				: '';
for (const r of rows)
	console.log(
		`${r.converter} | ${r.workers} × ${r.slots} | ${r.jobsPerSecond.toFixed(1)} | ${targetOf(r)} | ${r.workerCpuMsPerJob.toFixed(1)} | ` +
			`${r.requestsPerJob.toFixed(2)} | ${r.claimsLostPerJob.toFixed(3)} | ${r.convertedTwice} | ${r.leasesLeft}`,
	);
await mkdir('bench/results', {recursive: true});
await writeFile(
	'bench/results/throughput.json',
	JSON.stringify({date: new Date().toISOString(), endpoint, rows}, null, 2),
);
