/**
The converter a worker is given (as BullMQ's worker is given its processor): the built-in one in a
child process per job, an external command, or, in tests and the fleet simulator, anything that
implements Converter in-process.
*/
import {
	type ConversionOutcome,
	type RunConversionOptions,
	runConversion,
	startConversionChild,
} from './run-conversion.js';
import {SpareConverter} from './spare-converter.js';

export type ConversionJob = Omit<RunConversionOptions, 'command' | 'spare'>;

export interface Converter {
	/** Converts `job.input` into Markdown (and assets/) in `job.output`; throws a ConversionError. */
	convert(job: ConversionJob): Promise<ConversionOutcome>;
	/** Nothing is queued: let go of what only a next job would use (a waiting child). */
	idle(): void;
	/** The worker stops. */
	dispose(): void;
}

/** The built-in converter; with `spare`, the next job's child starts while a job converts. */
export function builtInConverter(options: {spare: boolean}): Converter {
	const spare = options.spare ? new SpareConverter(startConversionChild) : undefined;
	return {
		convert: async job => runConversion({...job, ...(spare ? {spare} : {})}),
		idle: () => spare?.dispose(),
		dispose: () => spare?.dispose(),
	};
}

/** An external command template with {input} and {output}, run without a shell. */
export function externalConverter(command: string): Converter {
	return {convert: async job => runConversion({...job, command}), idle: () => undefined, dispose: () => undefined};
}

/** What `--converter` says: a command template, or the built-in converter when absent. */
export function converterFor(command: string | undefined, options: {runOnce?: boolean} = {}): Converter {
	// --run-once has no next job for a spare to serve.
	return command ? externalConverter(command) : builtInConverter({spare: !options.runOnce});
}
