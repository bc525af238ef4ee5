/**
The converter a worker is given (as BullMQ's worker is given its processor): the built-in one in a
child process per job, an external tool (a preset or a command template), or, in tests and the
fleet simulator, anything that implements Converter in-process. A worker started without
`--converter` follows the remote config's `converter` key, switching at its next job.
*/
import {execFile} from 'node:child_process';
import {access, constants, mkdir} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';
import {parseConverterSpec, type ConverterSpec} from '../lib/converter-spec.js';
import {presets, type Preset} from './converter/presets.js';
import {collectToolOutput} from './converter/tool-output.js';
import {
	converterEnvironment,
	type ConversionOutcome,
	type RunConversionOptions,
	runConversion,
	splitCommand,
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
	/**
	Whether it can convert now: undefined when it can, else why not ("marker_single not found on PATH;
	install marker-pdf"). A worker claims nothing while it says why, rather than fail every job alike.
	*/
	ready?(): Promise<string | undefined>;
	/**
	Jobs at once a worker runs when neither `--slots` nor the remote config says: the built-in converter
	one per core; an external tool 1 (marker, docling and MinerU use every core, or the GPU, for one PDF).
	*/
	defaultSlots?(config: {conversion_memory_mb: number}): number;
}

/**
Jobs at once for the built-in converter: one per core (each child is one thread of pdf.js), as long as
each has the memory its child may use (conversion_memory_mb, or 1 GB when that is off).
*/
export function builtInSlots(cores: number, totalBytes: number, memoryMb: number): number {
	const perChild = (memoryMb > 0 ? memoryMb : 1024) * 2 ** 20;
	return Math.max(1, Math.min(cores, Math.floor(totalBytes / perChild)));
}

/**
The built-in converter; with `spare`, children wait for the next jobs: as many as jobs ran at once
since the queue last ran dry (a worker of 4 slots keeps 4 warm).
*/
export function builtInConverter(options: {spare: boolean}): Converter {
	let running = 0;
	let peak = 1;
	const spare = options.spare ? new SpareConverter(startConversionChild, {keep: () => peak}) : undefined;
	return {
		async convert(job) {
			running++;
			peak = Math.max(peak, running);
			try {
				return await runConversion({...job, ...(spare ? {spare} : {})});
			} finally {
				running--;
			}
		},
		idle() {
			peak = Math.max(1, running);
			spare?.dispose();
		},
		dispose: () => spare?.dispose(),
		defaultSlots: config => builtInSlots(os.availableParallelism(), os.totalmem(), config.conversion_memory_mb),
	};
}

/**
An external tool: it writes into a folder of its own beside the job's output, in its own layout;
tool-output.ts then makes content.md, assets/ and meta/ of it.
*/
function toolConverter(preset: Preset | undefined, template: string | undefined): Converter {
	let checked: Promise<string | undefined> | undefined;
	return {
		async convert(job) {
			const toolOutput = `${job.output}.tool`;
			await mkdir(toolOutput, {recursive: true});
			const timeoutSeconds = job.timeoutMs ? Math.ceil(job.timeoutMs / 1000) : undefined;
			const command = preset ? [preset.program, ...preset.args(job.input, toolOutput, {timeoutSeconds})] : template!;
			const outcome = await runConversion({...job, output: toolOutput, command});
			const stem = path.basename(job.input).replace(/\.pdf$/i, '');
			await collectToolOutput(toolOutput, job.output, {expected: preset?.markdown(stem) ?? [], stem});
			return preset ? {...outcome, converter: `${preset.name} (${preset.program})`} : outcome;
		},
		idle: () => undefined,
		dispose: () => undefined,
		// Once per converter: a tool installed or removed while the worker runs is seen at its next restart.
		ready: async () => {
			checked ??= checkTool(preset, template).then(result => (result.ok ? undefined : result.message));
			return checked;
		},
	};
}

export function converterOf(spec: ConverterSpec, options: {runOnce?: boolean} = {}): Converter {
	if (spec.kind === 'builtin') return builtInConverter({spare: !options.runOnce});
	return spec.kind === 'preset'
		? toolConverter(presets[spec.name], undefined)
		: toolConverter(undefined, spec.template);
}

/**
A worker without `--converter`: the remote config's `converter`, built anew when the key changes (the
old one disposed between jobs, never during one).
*/
export function followingConverter(current: () => string, options: {runOnce?: boolean} = {}): Converter {
	let text: string | undefined;
	let converter: Converter | undefined;
	const now = (): Converter => {
		const wanted = current();
		if (converter && wanted === text) return converter;
		converter?.dispose();
		text = wanted;
		const parsed = parseConverterSpec(wanted);
		// The remote config is validated when read; a value that is not a spec falls back to the built-in.
		converter = converterOf(parsed.ok ? parsed.spec : {kind: 'builtin'}, options);
		return converter;
	};
	return {
		convert: async job => now().convert(job),
		idle: () => converter?.idle(),
		dispose: () => converter?.dispose(),
		ready: async () => now().ready?.(),
		defaultSlots: config => now().defaultSlots?.(config) ?? 1,
	};
}

/** What `--converter` says: a spec, or the remote config's when absent. */
export function converterFor(
	command: string | undefined,
	options: {runOnce?: boolean; remote?: () => string} = {},
): Converter {
	if (command === undefined && options.remote) return followingConverter(options.remote, options);
	const parsed = parseConverterSpec(command);
	if (!parsed.ok) throw new Error(parsed.reason);
	return converterOf(parsed.spec, options);
}

const run = promisify(execFile);

/** The program of a template or preset, found the way spawn finds it (PATH, or a path as given). */
export async function findProgram(program: string): Promise<string | undefined> {
	const candidates = program.includes('/')
		? [program]
		: (process.env['PATH'] ?? '').split(path.delimiter).map(dir => path.join(dir || '.', program));
	for (const candidate of candidates) {
		try {
			await access(candidate, constants.X_OK);
			return candidate;
		} catch {
			// not here
		}
	}
	return undefined;
}

export type ToolCheck = {ok: true; description: string} | {ok: false; message: string};

/** Whether an external tool is there and runs: for a preset its check command (version, help), for a template its program. */
async function checkTool(preset: Preset | undefined, template: string | undefined): Promise<ToolCheck> {
	const program = preset?.program ?? splitCommand(template ?? '')[0] ?? '';
	const found = await findProgram(program);
	if (!found)
		return {
			ok: false,
			message: `${program} not found on PATH${preset ? `; install ${preset.name} (${preset.install})` : ''}`,
		};
	if (!preset) return {ok: true, description: `${template} (${found})`};
	try {
		const {stdout, stderr} = await run(found, preset.checkArgs, {
			timeout: 120_000,
			env: converterEnvironment(),
			maxBuffer: 4 * 2 ** 20,
		});
		const first = `${stdout}\n${stderr}`.split('\n').find(line => line.trim() !== '') ?? '';
		return {
			ok: true,
			description: `${preset.name}: ${found}${preset.checkArgs[0] === '--version' ? `, ${first.trim().slice(0, 80)}` : ''}`,
		};
	} catch (error) {
		const failure = error as {code?: number | string; stderr?: string; killed?: boolean};
		const said = (failure.stderr ?? '')
			.split('\n')
			.find(line => line.trim() !== '')
			?.trim()
			.slice(0, 160);
		return {
			ok: false,
			message:
				`${program} ${preset.checkArgs.join(' ')} ${failure.killed ? 'did not answer within 120 s' : `failed (exit ${failure.code})`}` +
				`${said ? `: ${said}` : ''}; is ${preset.name} installed whole? (${preset.install})`,
		};
	}
}

/** `doctor` and worker start: whether the converter a spec names can run here. */
export async function checkConverter(text: string | undefined): Promise<ToolCheck> {
	const parsed = parseConverterSpec(text);
	if (!parsed.ok) return {ok: false, message: parsed.reason};
	const {spec} = parsed;
	if (spec.kind === 'builtin') return {ok: true, description: 'builtin (pdf.js, in a child process per job)'};
	const check = await checkTool(
		spec.kind === 'preset' ? presets[spec.name] : undefined,
		spec.kind === 'template' ? spec.template : undefined,
	);
	return check.ok ? {ok: true, description: check.description} : check;
}
