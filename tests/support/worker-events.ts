/** Test helpers for the worker in-process: every event it emits, recorded; a converter that needs no child process. */
import {mkdir, readFile, writeFile} from 'node:fs/promises';
import path from 'node:path';
import type {Clock} from '../../source/lib/clock.js';
import type {Converter} from '../../source/worker/converters.js';
import {ConversionError} from '../../source/worker/converter/conversion-error.js';
import {type WorkerEmitter, type WorkerEventName, workerEventNames} from '../../source/worker/events.js';

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
