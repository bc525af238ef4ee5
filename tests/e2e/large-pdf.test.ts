/**
The bad-input catalogue's large file: a 200 MB PDF goes through ingest and a worker on the real S3
server with bounded memory in both processes (the raw PDF is streamed to the bucket and back to
disk; only the conversion child reads it whole, as pdf.js must).
*/
import {spawn} from 'node:child_process';
import {createWriteStream} from 'node:fs';
import {readFile, rm} from 'node:fs/promises';
import path from 'node:path';
import {randomBytes} from 'node:crypto';
import test, {type ExecutionContext} from 'ava';
import {cleanEnvironment, cliPath} from '../support/cli.js';
import {createBucket, requireS3} from '../support/s3-server.js';
import {tempDir} from '../support/temp.js';

/** A valid one-page PDF carrying an unreferenced 200 MB stream of random bytes, written in chunks. */
async function writeLargePdf(file: string, megabytes: number): Promise<void> {
	const out = createWriteStream(file);
	const write = async (chunk: string | Buffer) =>
		new Promise<void>((resolve, reject) => out.write(chunk, error => (error ? reject(error) : resolve())));
	const offsets: number[] = [];
	let at = 0;
	const emit = async (chunk: string | Buffer) => {
		await write(chunk);
		at += typeof chunk === 'string' ? Buffer.byteLength(chunk, 'latin1') : chunk.byteLength;
	};
	await emit('%PDF-1.4\n');
	const objects = [
		'<< /Type /Catalog /Pages 2 0 R >>',
		'<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
		'<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
		'<< /Length 44 >>\nstream\nBT /F1 24 Tf 72 700 Td (A large PDF) Tj ET\nendstream',
		'<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
	];
	for (const [i, body] of objects.entries()) {
		offsets.push(at);
		await emit(`${i + 1} 0 obj\n${body}\nendobj\n`);
	}
	const size = megabytes * 1024 * 1024;
	offsets.push(at);
	await emit(`6 0 obj\n<< /Length ${size} >>\nstream\n`);
	for (let written = 0; written < size; written += 1024 * 1024) {
		await emit(randomBytes(Math.min(1024 * 1024, size - written)));
	}
	await emit('\nendstream\nendobj\n');
	const xref = at;
	await emit(
		`xref\n0 7\n0000000000 65535 f \n${offsets.map(o => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}trailer\n<< /Size 7 /Root 1 0 ` +
			`R >>\nstartxref\n${xref}\n%%EOF\n`,
	);
	await new Promise<void>(resolve => out.end(resolve));
}

/** Runs the CLI and samples its peak resident memory (VmHWM) until it exits. */
async function runMeasured(
	args: string[],
	environment: NodeJS.ProcessEnv,
): Promise<{code: number | null; output: string; peakMB: number}> {
	const child = spawn(process.execPath, [cliPath, ...args], {env: environment, stdio: ['ignore', 'pipe', 'pipe']});
	let output = '';
	child.stdout.on('data', (chunk: Buffer) => {
		output += chunk.toString();
	});
	child.stderr.on('data', (chunk: Buffer) => {
		output += chunk.toString();
	});
	let peakKb = 0;
	const timer = setInterval(() => {
		void readFile(`/proc/${child.pid}/status`, 'utf8')
			.then(status => {
				peakKb = Math.max(peakKb, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0));
			})
			.catch(() => undefined);
	}, 20);
	const code = await new Promise<number | null>(resolve => child.on('exit', resolve));
	clearInterval(timer);
	return {code, output, peakMB: peakKb / 1024};
}

/** Ingests `file` into a fresh bucket and converts it with one worker, measuring both processes' peaks. */
async function ingestAndConvert(
	t: ExecutionContext,
	server: NonNullable<ReturnType<typeof requireS3>>,
	file: string,
): Promise<{ingestMB: number; workerMB: number}> {
	const bucket = await createBucket(server);
	const environment = cleanEnvironment({
		BLOBFORGE_S3_BUCKET: bucket,
		BLOBFORGE_S3_ENDPOINT_URL: server.endpoint,
		BLOBFORGE_S3_ACCESS_KEY_ID: server.accessKeyId,
		BLOBFORGE_S3_SECRET_ACCESS_KEY: server.secretAccessKey,
	});
	const ingested = await runMeasured(['ingest', file], environment);
	t.is(ingested.code, 0, ingested.output);
	t.regex(ingested.output, /1 queued \(1 uploaded\)/);
	// The worker downloads its own copy: keeping this one too would double the test's disk use.
	await rm(file);
	const worked = await runMeasured(['--headless', 'worker', '--run-once'], environment);
	t.is(worked.code, 0, worked.output);
	t.regex(worked.output, /"event":"job-completed".*"pages":1/);
	return {ingestMB: ingested.peakMB, workerMB: worked.peakMB};
}

test('a 200 MB PDF: ingest and the worker stream it, with memory far below its size; it converts', async t => {
	const server = requireS3(t);
	if (!server) return;
	const dir = await tempDir('bf-large-');
	t.teardown(async () => rm(dir, {recursive: true, force: true}));
	// The same document at 1 MB first: the baseline of each process on this machine, now.
	await writeLargePdf(path.join(dir, 'small.pdf'), 1);
	const small = await ingestAndConvert(t, server, path.join(dir, 'small.pdf'));
	await writeLargePdf(path.join(dir, 'large.pdf'), 200);
	const large = await ingestAndConvert(t, server, path.join(dir, 'large.pdf'));
	t.log(
		`peak memory, 1 MB → 200 MB PDF: ingest ${small.ingestMB.toFixed(0)} → ${large.ingestMB.toFixed(0)} MB, worker ` +
			`${small.workerMB.toFixed(0)} → ${large.workerMB.toFixed(0)} MB (its conversion child apart)`,
	);
	// Holding the file once would add 200 MB; streaming adds buffers only. The baseline itself
	// varies with the machine and its load, so the growth is what is asserted: 69–84 MB for ingest
	// in three runs on 2026-12-03, the most on a loaded machine (its collector runs later), so the
	// bound sits at 120, still well short of one copy of the file.
	t.true(
		large.ingestMB - small.ingestMB < 120,
		`ingest grew by ${(large.ingestMB - small.ingestMB).toFixed(0)} MB for 199 MB more PDF`,
	);
	t.true(
		large.workerMB - small.workerMB < 120,
		`the worker grew by ${(large.workerMB - small.workerMB).toFixed(0)} MB for 199 MB more PDF`,
	);
});
