/** Test helpers for the worker in-process: every event it emits, recorded; a converter that needs no child process. */
import {mkdir, readFile, writeFile} from 'node:fs/promises';
import path from 'node:path';
import type {Clock} from '../../source/lib/clock.js';
import type {Converter} from '../../source/worker/converters.js';
import {ConversionError} from '../../source/worker/converter/conversion-error.js';
import {type WorkerEmitter, type WorkerEventName, workerEventNames} from '../../source/worker/events.js';
import type {QueueContext} from '../../source/queue/queue-context.js';
import {RemoteConfigCache} from '../../source/queue/remote-config.js';
import {Worker, type WorkerOptions} from '../../source/worker/worker.js';
import {parseWorkerRecord} from '../../source/queue/records.js';
import {enqueue} from '../../source/queue/transitions/enqueue.js';
import {isNotModified} from '../../source/storage/object-store.js';
import {makePdf} from './pdfs.js';
import {hashOf, makeQueue} from './queue.js';

export type RecordedEvent = {event: WorkerEventName; fields: Record<string, unknown>; at: number};

/** Records every event but `status`; `onEvent` sees each as it comes (before the worker goes on). */
export function recordEvents(
	worker: WorkerEmitter,
	clock: Clock,
	onEvent?: (event: RecordedEvent) => void,
): RecordedEvent[] {
	const events: RecordedEvent[] = [];
	const startedAt = clock.now();
	for (const name of workerEventNames) {
		if (name === 'status') continue;
		worker.on(name, (fields: object) => {
			const event = {event: name, fields: {...fields} as Record<string, unknown>, at: clock.now() - startedAt};
			events.push(event);
			onEvent?.(event);
		});
	}
	return events;
}

/** Writes a small content.md after ten progress steps; with `fail`, fails (not permanently) instead. */
export function inProcessConverter(options: {fail?: boolean} = {}): Converter & {jobs: number} {
	const converter = {
		jobs: 0,
		async convert(job: Parameters<Converter['convert']>[0]) {
			converter.jobs++;
			const size = (await readFile(job.input)).byteLength;
			for (let page = 1; page <= 10; page++) job.onProgress?.(page, 10);
			if (options.fail) throw new ConversionError('in-process converter: giving up', false);
			await mkdir(job.output, {recursive: true});
			await writeFile(path.join(job.output, 'content.md'), `# Converted in-process\n\nInput of ${size} bytes.\n`);
			return {pages: 10, converter: 'in-process test converter'};
		},
		idle() {},
		dispose() {},
	};
	return converter;
}

/** A worker on `context` with an in-process converter, polling every 10 s of the simulated clock. */
export function testWorker(
	context: QueueContext,
	clock: Clock,
	workerId: string,
	converter: Converter = inProcessConverter(),
	options: Pick<WorkerOptions, 'runWindows' | 'abortOutsideWindow' | 'slots'> = {},
): Worker {
	return new Worker({
		context,
		remoteConfig: new RemoteConfigCache(context),
		workerId,
		clock,
		storeLine: 'local',
		softwareVersion: 'test',
		idlePollSeconds: 10,
		converter,
		...options,
	});
}

/** Polls `check` (in real time, while the simulated clock stands still) until it holds. */
export async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!(await check())) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise(resolve => setTimeout(resolve, 10));
	}
}

/** A converter each job of which runs until the test lets it finish or fail (or the job is aborted). */
export function heldConverter() {
	const running: Array<() => void> = [];
	const failing: Array<(message: string) => void> = [];
	const real = inProcessConverter();
	const converter: Converter = {
		convert: async job =>
			new Promise((resolve, reject) => {
				running.push(() => resolve(real.convert(job)));
				failing.push(message => reject(new ConversionError(message, false)));
				job.signal?.addEventListener('abort', () => reject(new ConversionError('aborted', false)));
			}),
		idle() {},
		dispose() {},
	};
	return {converter, running, failing};
}

/** A queue of `count` jobs, each with a small raw PDF (job-1.pdf …). */
export async function queueWith(count: number) {
	const queue = await makeQueue();
	for (let n = 1; n <= count; n++) {
		const hash = hashOf(n);
		await queue.context.store.put(queue.keys.raw(hash), await makePdf([`job ${n}`]), {contentType: 'application/pdf'});
		await enqueue(queue.context, {hash, priority: 'normal', name: `job-${n}.pdf`, size: 100});
	}
	return queue;
}

/** A worker's registration as the store holds it (the test fails when there is none or it is malformed). */
export async function registration(queue: Awaited<ReturnType<typeof makeQueue>>, worker: string) {
	const got = await queue.context.store.get(queue.keys.worker(worker));
	if (!got || isNotModified(got)) throw new Error('no registration');
	const parsed = parseWorkerRecord(got.body);
	if (!parsed.ok) throw new Error(parsed.reason);
	return parsed.value;
}

/** Stops a worker whose run is `running`, moving the simulated clock on until nothing sleeps, and waits for it. */
export async function stopWorker(
	worker: Worker,
	running: Promise<void>,
	clock: {advance(ms: number): void; pendingSleepers: number},
): Promise<void> {
	worker.stop('test over');
	for (let i = 0; i < 100 && clock.pendingSleepers > 0; i++) clock.advance(60_000);
	await running;
}
