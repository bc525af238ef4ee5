/**
Runs one conversion in a child process, so a crash, a hang or running out of memory fails the
job and never the worker. The built-in converter runs in conversion-child.js; an external one
(e.g. `marker_single {input} --output_dir {output}`) is split into arguments and run without a
shell, `{input}` and `{output}` replaced as whole arguments, so no file name can inject anything.
The timeout, cancellation and shutdown all end it with SIGKILL.
*/
import {fork, spawn, type ChildProcess} from 'node:child_process';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {ConversionError} from './converter/conversion-error.js';
import type {ChildJob, ChildMessage} from './conversion-child.js';
import type {SpareConverter} from './spare-converter.js';
import {processRss} from './system-load.js';

export type ConversionOutcome = {
	pages?: number;
	images?: number;
	scannedPages?: number[];
	headings?: number;
	converter: string;
};

export type RunConversionOptions = {
	input: string;
	output: string;
	/**
	External command: a template (split into arguments here) or the arguments themselves; `{input}` and
	`{output}` are replaced as whole arguments. The built-in converter when absent.
	*/
	command?: string | readonly string[];
	/** 0 or undefined: no limit. */
	timeoutMs?: number;
	signal?: AbortSignal;
	onProgress?: (done: number, total: number) => void;
	/** Converter output, for the job log. */
	onOutput?: (text: string) => void;
	/** Called with the child's process id once it runs (for its memory in heartbeats). */
	onStart?: (pid: number) => void;
	/** For the built-in converter: a child started ahead is used if one waits, and the next one started. */
	spare?: SpareConverter;
	/** For the built-in converter: its child is killed above this resident size, failing the job for good. */
	memoryLimitBytes?: number | undefined;
	/** For the built-in converter: PDFs with more pages fail for good. */
	maxPages?: number | undefined;
};

const childScript = path.join(path.dirname(fileURLToPath(import.meta.url)), 'conversion-child.js');

/**
The environment an external converter gets: ours without the store's credentials and settings
(BLOBFORGE_*, AWS_*), which a third-party tool has no business seeing or logging.
*/
export function converterEnvironment(environment: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
	return Object.fromEntries(
		Object.entries(environment).filter(([name]) => !name.startsWith('BLOBFORGE_') && !name.startsWith('AWS_')),
	);
}

/** Splits a command template into arguments: whitespace separates, single or double quotes group. */
export function splitCommand(template: string): string[] {
	const parts: string[] = [];
	const pattern = /"([^"]*)"|'([^']*)'|(\S+)/g;
	for (const match of template.matchAll(pattern)) parts.push(match[1] ?? match[2] ?? match[3]!);
	return parts;
}

/** The last non-empty line of a chunk, lines ending in \n or \r. */
export function latestLine(text: string): string {
	return (
		text
			.split(/[\r\n]+/)
			.filter(line => line.trim() !== '')
			.at(-1) ?? ''
	);
}

/** A line as it stands on screen after its \r redraws: its last drawing. */
const lastDrawing = (line: string) =>
	line
		.split('\r')
		.filter(part => part !== '')
		.at(-1) ?? '';

/**
A stream's output as finished lines, each \r-redrawn line as its last drawing: a line still being
redrawn (a progress bar) is held until its \n, or the end of the stream.
*/
export class RedrawnLines {
	private partial = '';

	constructor(private readonly emit: (text: string) => void) {}

	write(chunk: string): void {
		const lines = (this.partial + chunk).split('\n');
		const last = lines.pop() ?? '';
		// Kept short (one drawing), with its \r when one ended it: the next chunk draws the line anew.
		this.partial = lastDrawing(last) + (last.endsWith('\r') ? '\r' : '');
		if (lines.length > 0) this.emit(`${lines.map(lastDrawing).join('\n')}\n`);
	}

	end(): void {
		if (lastDrawing(this.partial) !== '') this.emit(lastDrawing(this.partial));
		this.partial = '';
	}
}

/** Jobs a built-in child converts before it is replaced: a slow leak in pdf.js or ours stays bounded. */
export const jobsPerChild = 50;
/** A child that grew past this after a job is replaced (its job itself is limited by conversion_memory_mb). */
const recycleAboveBytes = 768 * 2 ** 20;

const jobsServed = new WeakMap<ChildProcess, number>();

/**
After a built-in job: a child that answered and stays healthy (fewer than `jobsPerChild` jobs, below
`recycleAboveBytes`, no error, not killed) waits for the next job; any other is ended. An error
always ends it: whatever went wrong must not reach the next job.
*/
async function keepOrEnd(child: ChildProcess, healthy: boolean, options: RunConversionOptions): Promise<void> {
	const rss = healthy && child.pid !== undefined ? await processRss(child.pid) : undefined;
	const reusable =
		healthy &&
		options.spare !== undefined &&
		(jobsServed.get(child) ?? 0) < jobsPerChild &&
		(rss === undefined || rss < recycleAboveBytes);
	if (reusable) options.spare!.keep(child);
	else if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/** A built-in conversion child, loading pdf.js and waiting for its jobs (conversion-child.ts). */
export function startConversionChild(): ChildProcess {
	return fork(childScript, [], {
		stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
		serialization: 'json',
		execArgv: [],
		env: converterEnvironment(),
	});
}

export async function runConversion(options: RunConversionOptions): Promise<ConversionOutcome> {
	let child: ChildProcess;
	let outcome: ConversionOutcome | undefined;
	let failure: ConversionError | undefined;
	/** The built-in child answered (done or error) while still alive: the attempt is over without its exit. */
	let answered: (() => void) | undefined;
	let detach = () => {};
	if (options.command) {
		const parts = typeof options.command === 'string' ? splitCommand(options.command) : options.command;
		const [program, ...args] = parts.map(part =>
			part === '{input}' ? options.input : part === '{output}' ? options.output : part,
		);
		if (!program) throw new ConversionError('the converter command is empty', false);
		// Its own process group (detached = setsid): a timeout, cancel or shutdown kills the group, so a
		// converter that forks cannot leave a grandchild running, holding its pipes and its job's files.
		child = spawn(program, args, {stdio: ['ignore', 'pipe', 'pipe'], env: converterEnvironment(), detached: true});
		const onText = (log: RedrawnLines) => (chunk: Buffer) => {
			const text = chunk.toString();
			log.write(text);
			// Page progress where the tool prints any ("12/40", "page 12 of 40"), from its latest line: a
			// progress bar (tqdm: marker, docling) redraws itself with \r, not \n.
			const match = /(\d+)\s*(?:\/|of)\s*(\d+)/.exec(latestLine(text));
			if (match && Number(match[2]) > 0) options.onProgress?.(Number(match[1]), Number(match[2]));
		};
		const emit = (text: string) => options.onOutput?.(text);
		const streams = [new RedrawnLines(emit), new RedrawnLines(emit)] as const;
		child.stdout?.on('data', onText(streams[0]));
		child.stderr?.on('data', onText(streams[1]));
		child.on('close', () => {
			for (const stream of streams) stream.end();
		});
		outcome = {converter: `external: ${program}`};
	} else {
		child = options.spare?.take() ?? startConversionChild();
		const served = jobsServed.get(child) ?? 0;
		jobsServed.set(child, served + 1);
		// A child serves up to `jobsPerChild` jobs and comes back for the next one; a spare is started
		// only when this is its last, so the next job does not pay the start-up.
		if (!options.signal?.aborted && served + 1 >= jobsPerChild) options.spare?.prepare();
		const onStdout = (chunk: Buffer) => options.onOutput?.(chunk.toString());
		const onStderr = (chunk: Buffer) => options.onOutput?.(chunk.toString());
		child.stdout?.on('data', onStdout);
		child.stderr?.on('data', onStderr);
		const onMessage = (message: ChildMessage) => {
			if (message.type === 'progress') options.onProgress?.(message.done, message.total);
			else if (message.type === 'done') {
				outcome = {
					pages: message.pages,
					images: message.images,
					scannedPages: message.scannedPages,
					headings: message.headings,
					converter: message.converter,
				};
				answered?.();
			} else {
				failure = new ConversionError(message.message, message.permanent);
				answered?.();
			}
		};
		child.on('message', onMessage);
		detach = () => {
			child.stdout?.off('data', onStdout);
			child.stderr?.off('data', onStderr);
			child.off('message', onMessage);
		};
	}
	if (child.pid !== undefined) options.onStart?.(child.pid);
	let killedFor: string | undefined;
	let killedForGood = false;
	const group = options.command ? child.pid : undefined;
	const killAll = () => {
		if (group !== undefined) {
			try {
				process.kill(-group, 'SIGKILL');
				return;
			} catch {
				// The group is gone already; the child itself below.
			}
		}
		child.kill('SIGKILL');
	};
	const kill = (why: string, permanent = false) => {
		if (killedFor === undefined) killedForGood = permanent;
		killedFor ??= why;
		killAll();
	};
	const memoryLimit = options.command ? undefined : options.memoryLimitBytes;
	const overCeiling = (limit: number) =>
		kill(
			`the conversion needed more than ${Math.round(limit / 2 ** 20)} MB of memory ` +
				'(conversion_memory_mb); the PDF is too heavy to convert',
			true,
		);
	const watchdog =
		memoryLimit && child.pid !== undefined
			? setInterval(() => {
					void processRss(child.pid).then(rss => {
						if (rss !== undefined && rss > memoryLimit) overCeiling(memoryLimit);
					});
				}, 250)
			: undefined;
	const timer = options.timeoutMs
		? setTimeout(() => kill(`conversion timed out after ${Math.round(options.timeoutMs! / 1000)} s`), options.timeoutMs)
		: undefined;
	const onAbort = () => kill(String(options.signal?.reason ?? 'cancelled'));
	options.signal?.addEventListener('abort', onAbort, {once: true});
	if (options.signal?.aborted) onAbort();
	type Exit = {code: number | null; signal: NodeJS.Signals | null; error?: Error; alive?: true};
	let stopWatching = () => {};
	const exited = new Promise<Exit>(resolve => {
		const onError = (error: Error) => resolve({code: null, signal: null, error});
		const onExit = (code: number | null, signal: NodeJS.Signals | null) => resolve({code, signal});
		child.on('error', onError);
		child.on('exit', onExit);
		answered = () => resolve({code: 0, signal: null, alive: true});
		// A child that serves the next job must not carry this job's listeners along.
		stopWatching = () => {
			child.off('error', onError);
			child.off('exit', onExit);
		};
	});
	if (!options.command && !killedFor) {
		const job: ChildJob = {
			type: 'job',
			input: options.input,
			output: options.output,
			...(options.maxPages ? {maxPages: options.maxPages} : {}),
		};
		// A child that died meanwhile refuses the message: its exit (or 'error') ends the attempt below.
		child.send(job, error => {
			if (error) kill(`the converter could not be given its job: ${error.message}`);
		});
	}
	const exit = await exited;
	if (timer) clearTimeout(timer);
	if (watchdog) clearInterval(watchdog);
	// The watchdog samples every 250 ms; a job answered between two samples is measured once more, so
	// the ceiling holds however fast the conversion was (the child now lives on after its answer).
	if (memoryLimit && exit.alive && !killedFor && child.pid !== undefined) {
		const rss = await processRss(child.pid);
		if (rss !== undefined && rss > memoryLimit) overCeiling(memoryLimit);
	}
	options.signal?.removeEventListener('abort', onAbort);
	stopWatching();
	detach();
	if (!options.command)
		await keepOrEnd(child, exit.alive === true && !killedFor && !failure && outcome !== undefined, options);
	// Whatever the converter left running in its group goes with it.
	if (group !== undefined && !killedFor) killAll();
	if (killedFor) throw new ConversionError(killedFor, killedForGood);
	if (exit.error) throw new ConversionError(`the converter could not be started: ${exit.error.message}`, false);
	if (failure) throw failure;
	if (exit.code !== 0 || !outcome)
		throw new ConversionError(
			exit.signal
				? `the converter was killed (${exit.signal}; out of memory?)`
				: `the converter exited with code ${exit.code}`,
			false,
		);
	return outcome;
}
