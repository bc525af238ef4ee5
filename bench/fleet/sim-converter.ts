/**
A converter for the fleet simulator: a job takes a virtual duration drawn from a log-normal
distribution (its median and 99th percentile chosen by the scenario), fails now and then, and
fails for good more rarely. It writes a small content.md, so the worker packages a real result.
*/
import {mkdir, writeFile} from 'node:fs/promises';
import path from 'node:path';
import type {Clock} from '../../source/lib/clock.js';
import {ConversionError} from '../../source/worker/converter/conversion-error.js';
import type {Converter} from '../../source/worker/converters.js';

export type DurationShape = {medianSeconds: number; p99Seconds: number};

export type SimConverterOptions = {
	clock: Clock;
	duration: DurationShape;
	random: () => number;
	/** Share of attempts that fail and may be retried. */
	failureRate: number;
	/** Share of attempts that fail for good. */
	permanentRate: number;
	/** Called as an attempt starts (1) and ends (-1), crashed or not. */
	onConverting: (change: 1 | -1) => void;
};

/** Mean of the log-normal distribution with this median and 99th percentile, in ms. */
export function meanDurationMs(shape: DurationShape): number {
	const sigma = Math.log(shape.p99Seconds / shape.medianSeconds) / 2.326;
	return shape.medianSeconds * 1000 * Math.exp((sigma * sigma) / 2);
}

export function drawDurationMs(shape: DurationShape, random: () => number): number {
	const sigma = Math.log(shape.p99Seconds / shape.medianSeconds) / 2.326;
	const u = Math.max(random(), 1e-12);
	const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
	return shape.medianSeconds * 1000 * Math.exp(sigma * normal);
}

export type AttemptDraws = Omit<SimConverterOptions, 'clock' | 'onConverting'>;

type Attempt = {ms: number; pages: number; outcome: 'done' | 'failed' | 'permanent'};

/**
An attempt's draws, all taken as it starts: a worker's k-th attempt is the same whether or not an
earlier one crashed, and the ideal twin (ideal-fleet.ts) can replay the worker's stream.
*/
export function drawAttempt(options: AttemptDraws): Attempt {
	const ms = drawDurationMs(options.duration, options.random);
	const pages = 1 + Math.floor(options.random() * 40);
	const roll = options.random();
	const outcome =
		roll < options.permanentRate ? 'permanent' : roll < options.permanentRate + options.failureRate ? 'failed' : 'done';
	return {ms, pages, outcome};
}

export function simConverter(options: SimConverterOptions): Converter {
	return {
		async convert(job) {
			const {ms, pages, outcome} = drawAttempt(options);
			options.onConverting(1);
			try {
				// Progress as a real conversion reports it, a few times over the job.
				for (let step = 1; step <= 4; step++) {
					await options.clock.sleep(ms / 4, job.signal);
					job.onProgress?.(Math.round((pages * step) / 4), pages);
				}
			} catch {
				throw new ConversionError('conversion ended: the job was stopped', false);
			} finally {
				options.onConverting(-1);
			}
			if (outcome === 'permanent') throw new ConversionError('simulated: this PDF cannot be converted', true);
			if (outcome === 'failed') throw new ConversionError('simulated: converter crashed', false);
			await mkdir(job.output, {recursive: true});
			await writeFile(path.join(job.output, 'content.md'), `# Simulated\n\n${pages} pages.\n`);
			return {pages, converter: 'fleet simulator'};
		},
		idle() {},
		dispose() {},
	};
}
