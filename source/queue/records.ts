/**
Types for every record BlobForge stores in the bucket, with parsers that validate what is
read. A parser returns the record or the reason it was rejected; a malformed object is
reported and skipped by its reader, never a crash.
*/
import {converterSpecText, parseConverterSpec} from '../lib/converter-spec.js';
import {parseRunWindow, type RunWindow} from '../lib/run-window.js';
import {
	booleanField,
	bounded,
	bounds,
	isObject,
	numberField,
	objectField,
	oneOf,
	present,
	stringField,
} from './fields.js';
import {parsePriority, type Priority} from './keys.js';

export type Parsed<T> = {ok: true; value: T} | {ok: false; reason: string};

export function parseJson(body: Uint8Array | string): Parsed<unknown> {
	const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
	try {
		return {ok: true, value: JSON.parse(text) as unknown};
	} catch (error) {
		return {ok: false, reason: `not valid JSON (${(error as Error).message})`};
	}
}

export {isObject};

/** JSON that must be an object: the first check of every record parser. */
export function parseJsonObject(body: Uint8Array | string): Parsed<Record<string, unknown>> {
	const json = parseJson(body);
	if (!json.ok) return json;
	return isObject(json.value) ? {ok: true, value: json.value} : {ok: false, reason: 'not a JSON object'};
}

/** What `doctor` found the provider supports; workers read it instead of probing again. */
export type Capabilities = {
	version: 1;
	checkedAt: string;
	location: string;
	createOnly: boolean;
	compareAndSwap: boolean;
	etagStyle: 'unquoted' | 'quoted';
	safeForLeases: boolean;
	clockSkewMs?: number;
};

export function parseCapabilities(body: Uint8Array | string): Parsed<Capabilities> {
	const json = parseJsonObject(body);
	if (!json.ok) return json;
	const v = json.value;
	if (v['version'] !== 1) return {ok: false, reason: `unknown version ${JSON.stringify(v['version'])}`};
	if (
		typeof v['createOnly'] !== 'boolean' ||
		typeof v['compareAndSwap'] !== 'boolean' ||
		typeof v['safeForLeases'] !== 'boolean'
	)
		return {ok: false, reason: 'missing createOnly, compareAndSwap or safeForLeases'};
	if (v['etagStyle'] !== 'unquoted' && v['etagStyle'] !== 'quoted')
		return {ok: false, reason: 'etagStyle must be quoted or unquoted'};
	return {
		ok: true,
		value: {
			version: 1,
			checkedAt: stringField(v, 'checkedAt', bounds.label) ?? '',
			location: stringField(v, 'location', bounds.name) ?? '',
			createOnly: v['createOnly'],
			compareAndSwap: v['compareAndSwap'],
			etagStyle: v['etagStyle'],
			safeForLeases: v['safeForLeases'],
			...present('clockSkewMs', numberField(v, 'clockSkewMs')),
		},
	};
}

function optionalString(v: Record<string, unknown>, name: string): string | undefined {
	return typeof v[name] === 'string' ? v[name] : undefined;
}

function optionalNumber(v: Record<string, unknown>, name: string): number | undefined {
	return typeof v[name] === 'number' && Number.isFinite(v[name]) ? v[name] : undefined;
}

/** Why a job is (back) in the queue. */
export type QueueReason =
	| 'ingest'
	| 'retry'
	| 'stale-lease'
	| 'worker-restart'
	| 'shutdown'
	| 'manual-retry'
	| 'reprioritized'
	| 'cancelled-run';

/**
A queued job (`queue/todo/<priority>/<hash>`). The earlier system wrote an empty body or
`{retries, queued_at, recovered_from, ...}`; both read as a TodoEntry, unknown fields kept.
*/
/** What every job record carries, so the console shows a job without extra requests. */
export type JobFacts = {
	hash: string;
	/** The job's transition counter: every state change writes a higher one; the read model keeps the highest. */
	seq: number;
	priority: Priority;
	/** Original file name and size. */
	name?: string;
	size?: number;
	/** Failed attempts that count against max_retries; the next attempt is number attempts + 1. */
	attempts: number;
};

export type TodoEntry = JobFacts & {
	version: 1;
	queuedAt: number;
	reason: QueueReason | string;
	lastError?: string;
	/** Not claimable before this server time (retry backoff). */
	notBefore?: number;
	/** Failures of earlier attempts, newest last. */
	history?: AttemptFailure[];
	/** Set by reprioritize on the old entry before the new one is written: claimers finish the move. */
	movedTo?: Priority;
	/** Fields this version does not know, kept on rewrites. */
	extra?: Record<string, unknown>;
};

export function parseTodoEntry(body: Uint8Array | string, hash: string, priority: Priority): Parsed<TodoEntry> {
	const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
	if (text.trim() === '')
		return {ok: true, value: {version: 1, hash, seq: 0, priority, attempts: 0, queuedAt: 0, reason: 'ingest'}};
	const json = parseJson(text);
	if (!json.ok) return json;
	const v = json.value;
	if (!isObject(v)) return {ok: false, reason: 'not a JSON object'};
	if (v['version'] !== undefined && v['version'] !== 1)
		return {ok: false, reason: `unknown version ${JSON.stringify(v['version'])}`};
	const attempts = optionalNumber(v, 'attempts') ?? optionalNumber(v, 'retries') ?? 0;
	if (!Number.isInteger(attempts) || attempts < 0) return {ok: false, reason: 'attempts must be a whole number ≥ 0'};
	const known = new Set([
		'version',
		'hash',
		'seq',
		'name',
		'size',
		'priority',
		'attempts',
		'retries',
		'queuedAt',
		'queued_at',
		'reason',
		'recovered_from',
		'lastError',
		'last_error',
		'previous_error',
		'notBefore',
		'history',
		'movedTo',
	]);
	const extra = Object.fromEntries(Object.entries(v).filter(([k]) => !known.has(k)));
	return {
		ok: true,
		value: {
			version: 1,
			hash,
			seq: optionalNumber(v, 'seq') ?? 0,
			priority,
			...present('name', stringField(v, 'name', bounds.name)),
			...present('size', numberField(v, 'size', {min: 0})),
			attempts,
			queuedAt: optionalNumber(v, 'queuedAt') ?? optionalNumber(v, 'queued_at') ?? 0,
			reason: stringField(v, 'reason', bounds.label) ?? stringField(v, 'recovered_from', bounds.label) ?? 'ingest',
			...present(
				'lastError',
				stringField(v, 'lastError', bounds.error) ??
					stringField(v, 'last_error', bounds.error) ??
					stringField(v, 'previous_error', bounds.error),
			),
			...present('notBefore', optionalNumber(v, 'notBefore')),
			...(Array.isArray(v['history']) ? {history: parseHistory(v['history'])} : {}),
			...(typeof v['movedTo'] === 'string' && parsePriority(v['movedTo'])
				? {movedTo: parsePriority(v['movedTo'])}
				: {}),
			...(Object.keys(extra).length > 0 ? {extra} : {}),
		},
	};
}

/** The next transition counter: always higher than the last, and higher than any a removed job had. */
export function nextSeq(previous: number, serverNow: number): number {
	return Math.max(previous + 1, Math.floor(serverNow));
}

export function serializeTodoEntry(entry: TodoEntry): string {
	const {extra, ...rest} = entry;
	// `retries` is written too, so the earlier system's tools read our entries.
	return JSON.stringify({...extra, ...rest, retries: entry.attempts});
}

/** Progress reported on each heartbeat. */
export type Progress = {
	stage: 'claimed' | 'downloading' | 'converting' | 'uploading';
	pagesDone?: number;
	pagesTotal?: number;
	elapsedMs?: number;
	etaMs?: number;
	bytes?: number;
	cpuPercent?: number;
	memoryPercent?: number;
	childRssBytes?: number;
};

/**
A lease (`queue/processing/<hash>`): the claim of one worker on one job. Every write after
the claim is compare-and-swap on its ETag; `nonce` and `counter` make each body unique so
equal bytes never stand for two different holders.
*/
export type Lease = {
	version: 1;
	hash: string;
	/** The job's transition counter while this lease is active (the todo entry's + 1). */
	seq: number;
	worker: string;
	priority: Priority;
	/** This attempt's number, 1 for the first. */
	attempt: number;
	nonce: string;
	/** Incremented by every heartbeat. */
	counter: number;
	/** Server time of the claim. */
	claimedAt: number;
	name?: string;
	size?: number;
	progress?: Progress;
	/** Set by `cancel` on a running job: the worker stops at its next heartbeat. */
	cancelRequested?: boolean;
	/** Set by an operator's command to the holder (transitions/worker-command.ts), read at its next heartbeat. */
	workerCommand?: WorkerCommand;
	/** Set by the fenced write that ends the attempt; an ended lease is the event the read model folds. */
	ending?: LeaseEnding;
	/** Server time of the ending write. */
	endedAt?: number;
	/** For endings failed and dead: the failure; for requeued: why. */
	failure?: AttemptFailure;
	/** For ending failed: when the janitor may requeue it. */
	retryAt?: number;
	/** Failed attempts counted once this ending holds (the todo entry's `attempts` afterwards). */
	attemptsAfter?: number;
	/** How often a restarted worker resumed this attempt (transitions/resume.ts). */
	resumed?: number;
};

export function parseLease(body: Uint8Array | string, hash: string): Parsed<Lease> {
	const json = parseJsonObject(body);
	if (!json.ok) return json;
	const v = json.value;
	if (v['version'] === undefined && typeof v['worker'] === 'string') {
		// Written by the earlier system: {worker, started, last_heartbeat, priority, retries, progress}.
		return {
			ok: true,
			value: {
				version: 1,
				hash,
				seq: 0,
				worker: bounded(v['worker'], bounds.label),
				priority: parsePriority(optionalString(v, 'priority') ?? 'normal') ?? 'normal',
				attempt: (optionalNumber(v, 'retries') ?? 0) + 1,
				nonce: 'legacy',
				counter: 0,
				claimedAt: optionalNumber(v, 'started') ?? 0,
			},
		};
	}
	if (v['version'] !== 1) return {ok: false, reason: `unknown version ${JSON.stringify(v['version'])}`};
	if (typeof v['worker'] !== 'string' || typeof v['nonce'] !== 'string')
		return {ok: false, reason: 'missing worker or nonce'};
	const priority = typeof v['priority'] === 'string' ? parsePriority(v['priority']) : undefined;
	if (!priority) return {ok: false, reason: `unknown priority ${JSON.stringify(v['priority'])}`};
	const attempt = optionalNumber(v, 'attempt');
	const counter = optionalNumber(v, 'counter');
	if (attempt === undefined || counter === undefined) return {ok: false, reason: 'missing attempt or counter'};
	if (
		v['ending'] !== undefined &&
		!['completing', 'done', 'failed', 'dead', 'requeued', 'cancelled'].includes(String(v['ending']))
	)
		return {ok: false, reason: `unknown ending ${JSON.stringify(v['ending'])}`};
	const seq = numberField(v, 'seq');
	if (seq === undefined) return {ok: false, reason: 'missing seq'};
	if (v['resumed'] !== undefined && typeof v['resumed'] !== 'number')
		return {ok: false, reason: 'resumed is not a number'};
	const failure = isObject(v['failure']) ? parseAttemptFailure(v['failure']) : undefined;
	const progress = objectField(v, 'progress');
	return {
		ok: true,
		value: {
			version: 1,
			hash,
			seq,
			worker: bounded(v['worker'], bounds.label),
			priority,
			attempt,
			nonce: bounded(v['nonce'], bounds.label),
			counter,
			claimedAt: numberField(v, 'claimedAt') ?? 0,
			...present('name', stringField(v, 'name', bounds.name)),
			...present('size', numberField(v, 'size', {min: 0})),
			...present('progress', progress ? parseProgress(progress) : undefined),
			...present('cancelRequested', booleanField(v, 'cancelRequested')),
			...present('workerCommand', oneOf(v, 'workerCommand', workerCommands)),
			...present('ending', oneOf(v, 'ending', leaseEndings)),
			...present('endedAt', numberField(v, 'endedAt')),
			...present('failure', failure),
			...present('retryAt', numberField(v, 'retryAt')),
			...present('attemptsAfter', numberField(v, 'attemptsAfter', {min: 0, integer: true})),
			...present('resumed', numberField(v, 'resumed', {min: 0})),
		},
	};
}

const leaseEndings = ['completing', 'done', 'failed', 'dead', 'requeued', 'cancelled'] as const;
const stages = ['claimed', 'downloading', 'converting', 'uploading'] as const;

function parseProgress(v: Record<string, unknown>): Progress {
	const number = (key: string) => numberField(v, key, {min: 0});
	return {
		stage: oneOf(v, 'stage', stages) ?? 'claimed',
		...present('pagesDone', number('pagesDone')),
		...present('pagesTotal', number('pagesTotal')),
		...present('elapsedMs', number('elapsedMs')),
		...present('etaMs', number('etaMs')),
		...present('bytes', number('bytes')),
		...present('cpuPercent', number('cpuPercent')),
		...present('memoryPercent', number('memoryPercent')),
		...present('childRssBytes', number('childRssBytes')),
	};
}

/**
How an attempt ended. `completing` is transient (the result is being uploaded); the others are
final: `done` (result stored), `failed` (retry later), `dead`, `requeued` (stale lease,
worker restart, shutdown: back to todo), `cancelled` (stopped by cancel: dead-lettered).
*/
export type LeaseEnding = 'completing' | 'done' | 'failed' | 'dead' | 'requeued' | 'cancelled';

/** One failed attempt, kept in the job's history. */
export type AttemptFailure = {
	attempt: number;
	worker: string;
	error: string;
	at: number;
	permanent: boolean;
	/** Key of the attempt's log, when one was stored. */
	log?: string;
	/**
	False for entries that do not count against max_retries: cancelled runs, and failures before a
	`--reset-retries`.
	*/
	counted?: boolean;
};

/** One failed attempt read from the bucket; undefined for what is not one. */
export function parseAttemptFailure(v: Record<string, unknown>): AttemptFailure | undefined {
	const attempt = numberField(v, 'attempt', {min: 0, integer: true});
	const error = stringField(v, 'error', bounds.error);
	if (attempt === undefined || error === undefined) return undefined;
	return {
		attempt,
		worker: stringField(v, 'worker', bounds.label) ?? 'unknown',
		error,
		at: numberField(v, 'at') ?? 0,
		permanent: booleanField(v, 'permanent') ?? false,
		...present('log', stringField(v, 'log', bounds.name)),
		...present('counted', booleanField(v, 'counted')),
	};
}

/** A history read from the bucket: the entries that are attempts (at most the last 1,000). */
export function parseHistory(raw: unknown[]): AttemptFailure[] {
	return raw
		.slice(-1000)
		.filter(isObject)
		.map(parseAttemptFailure)
		.filter((f): f is AttemptFailure => f !== undefined);
}

/** Failed attempts that count against max_retries. */
export function countedAttempts(history: readonly AttemptFailure[]): number {
	return history.filter(f => f.counted !== false).length;
}

/** A failed job waiting for its retry (`queue/failed/<hash>`) or dead-lettered (`queue/dead/<hash>`). */
export type FailureRecord = JobFacts & {
	version: 1;
	/** Server time after which the janitor requeues it (failed only). */
	retryAt?: number;
	reason: 'failed' | 'max-retries' | 'permanent' | 'cancelled' | 'recovered';
	history: AttemptFailure[];
};

export function parseFailureRecord(body: Uint8Array | string, hash: string): Parsed<FailureRecord> {
	const json = parseJsonObject(body);
	if (!json.ok) return json;
	const v = json.value;
	if (v['version'] === undefined && typeof v['error'] === 'string') {
		// The earlier system: failed {error, worker, failed_at, timestamp, retries}; dead {error, total_retries, reason}.
		const attempts = optionalNumber(v, 'total_retries') ?? (optionalNumber(v, 'retries') ?? 0) + 1;
		return {
			ok: true,
			value: {
				version: 1,
				hash,
				seq: 0,
				priority: 'normal',
				attempts,
				reason: v['reason'] === 'exceeded_max_retries' ? 'max-retries' : 'failed',
				history: [
					{
						attempt: attempts,
						worker: stringField(v, 'worker', bounds.label) ?? 'unknown',
						error: bounded(v['error'], bounds.error),
						at: optionalNumber(v, 'timestamp') ?? 0,
						permanent: false,
					},
				],
			},
		};
	}
	if (v['version'] !== 1) return {ok: false, reason: `unknown version ${JSON.stringify(v['version'])}`};
	const priority = typeof v['priority'] === 'string' ? parsePriority(v['priority']) : undefined;
	if (!priority) return {ok: false, reason: `unknown priority ${JSON.stringify(v['priority'])}`};
	if (!Array.isArray(v['history']) || typeof v['attempts'] !== 'number' || typeof v['seq'] !== 'number')
		return {ok: false, reason: 'missing attempts, seq or history'};
	return {
		ok: true,
		value: {
			version: 1,
			hash,
			seq: v['seq'],
			priority,
			attempts: v['attempts'],
			...present('name', stringField(v, 'name', bounds.name)),
			...present('size', numberField(v, 'size', {min: 0})),
			...present('retryAt', numberField(v, 'retryAt')),
			reason: oneOf(v, 'reason', failureReasons) ?? 'failed',
			history: parseHistory(v['history']),
		},
	};
}

const failureReasons = ['failed', 'max-retries', 'permanent', 'cancelled', 'recovered'] as const;

/** Remote configuration (`registry/config.json`), shared by every worker. */
export type RemoteConfig = {
	/** Failed attempts allowed before dead-letter. @default 3 */
	max_retries: number;
	/** Seconds between heartbeats. @default 60 */
	heartbeat_interval: number;
	/** Minutes without a heartbeat before a lease is stale. @default 15 */
	stale_timeout_minutes: number;
	/** Seconds a conversion may take; 0 disables. @default 3600 */
	conversion_timeout: number;
	/** First retry delay in seconds; doubles per attempt. @default 30 */
	retry_backoff: number;
	/** Resident memory in MB the built-in converter's child may use; above it the job fails for good. 0 disables. @default 2048 */
	conversion_memory_mb: number;
	/** PDFs with more pages fail for good (the built-in converter). 0 disables. @default 20000 */
	max_pages: number;
	/**
	The shortest refresh interval `blobforge watch` allows, in seconds: a floor on every console's request bill.
	@default 1
	*/
	console_min_refresh: number;
	/**
	Run windows for workers started without `--run-window`: `22:00-06:00,12:00-13:00@Europe/Berlin`
	(comma-separated, see lib/run-window.ts); empty: always. @default ""
	*/
	run_windows: string;
	/** 1: at a run window's end workers hand the running job back; 0: they finish it. @default 0 */
	abort_outside_window: number;
	/**
	The converter of workers started without `--converter`: builtin, a preset (marker, docling, mineru) or a
	command with {input} and {output} (lib/converter-spec.ts). Workers follow a change at their next job. @default "builtin"
	*/
	converter: string;
	/**
	Jobs at once in each worker started without `--slots`; 0: the converter's choice (the built-in: one per
	core, as memory allows; an external tool: 1). @default 0
	*/
	worker_slots: number;
};

export const defaultRemoteConfig: RemoteConfig = {
	max_retries: 3,
	// Each renewal is a PUT: at 60 s they were half the requests of a five-minute job. 15 minutes
	// stale is five missed renewals (config set refuses fewer than three).
	heartbeat_interval: 180,
	stale_timeout_minutes: 15,
	conversion_timeout: 3600,
	retry_backoff: 30,
	conversion_memory_mb: 2048,
	max_pages: 20_000,
	console_min_refresh: 1,
	run_windows: '',
	abort_outside_window: 0,
	converter: 'builtin',
	worker_slots: 0,
};

type NumberRule = {min: number; max: number; integer: boolean};

const configRules: Record<keyof RemoteConfig, NumberRule | 'run-windows' | 'converter'> = {
	max_retries: {min: 0, max: 100, integer: true},
	heartbeat_interval: {min: 1, max: 3600, integer: false},
	stale_timeout_minutes: {min: 0.05, max: 10_080, integer: false},
	conversion_timeout: {min: 0, max: 604_800, integer: false},
	retry_backoff: {min: 0, max: 86_400, integer: false},
	conversion_memory_mb: {min: 0, max: 1_048_576, integer: true},
	max_pages: {min: 0, max: 10_000_000, integer: true},
	console_min_refresh: {min: 0.5, max: 3600, integer: false},
	run_windows: 'run-windows',
	abort_outside_window: {min: 0, max: 1, integer: true},
	converter: 'converter',
	worker_slots: {min: 0, max: 256, integer: true},
};

export const remoteConfigKeys = Object.keys(configRules) as Array<keyof RemoteConfig>;

/** Checks one key and value; the reason is a sentence for the user. */
export function validateConfigValue(key: string, value: unknown): Parsed<number | string> {
	if (!(key in configRules)) return {ok: false, reason: `unknown key "${key}" (known: ${remoteConfigKeys.join(', ')})`};
	const rule = configRules[key as keyof RemoteConfig];
	if (rule === 'converter') {
		if (typeof value !== 'string') return {ok: false, reason: `${key} must be text: builtin, a preset or a command`};
		const parsed = parseConverterSpec(value);
		return parsed.ok
			? {ok: true, value: converterSpecText(parsed.spec)}
			: {ok: false, reason: `${key}: ${parsed.reason}`};
	}
	if (rule === 'run-windows') {
		if (typeof value !== 'string' || value.length > 1000)
			return {ok: false, reason: `${key} must be text like 22:00-06:00`};
		const windows = value
			.split(',')
			.map(w => w.trim())
			.filter(Boolean);
		for (const window of windows) {
			const parsed = parseRunWindow(window);
			if (!parsed.ok) return {ok: false, reason: `${key}: ${parsed.reason}`};
		}
		return {ok: true, value: windows.join(',')};
	}
	const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
	if (typeof number !== 'number' || !Number.isFinite(number))
		return {ok: false, reason: `${key} must be a number, not ${JSON.stringify(value)}`};
	if (rule.integer && !Number.isInteger(number)) return {ok: false, reason: `${key} must be a whole number`};
	if (number < rule.min || number > rule.max)
		return {ok: false, reason: `${key} must be between ${rule.min} and ${rule.max}`};
	return {ok: true, value: number};
}

/**
The rule across keys: a lease must survive missed heartbeats, so the stale timeout is at least three
heartbeat intervals. Below that a healthy worker's lease goes stale between two renewals and its job
is converted again and again, then dead-lettered as "lease not renewed".
*/
export function configConsistencyProblem(config: RemoteConfig): string | undefined {
	const staleSeconds = config.stale_timeout_minutes * 60;
	if (staleSeconds >= 3 * config.heartbeat_interval) return undefined;
	return (
		`stale_timeout_minutes (${config.stale_timeout_minutes}, ${staleSeconds} s) must be at least three heartbeat ` +
		`intervals (3 × heartbeat_interval ${config.heartbeat_interval} s = ${3 * config.heartbeat_interval} s): healthy ` +
		'leases would go stale between heartbeats'
	);
}

/** Sets a validated value: text for the run windows, a number for every other key. */
export function assignConfig(config: Partial<RemoteConfig>, key: keyof RemoteConfig, value: number | string): void {
	if (key === 'run_windows' || key === 'converter') config[key] = String(value);
	else if (typeof value === 'number') config[key] = value;
}

/** The remote config's run windows, parsed (validated when read, so none is refused here). */
export function remoteRunWindows(config: Pick<RemoteConfig, 'run_windows'>): RunWindow[] {
	return config.run_windows
		.split(',')
		.map(w => parseRunWindow(w))
		.flatMap(parsed => (parsed.ok ? [parsed.window] : []));
}

/** Reads config.json: known keys validated over the defaults; problems are reported, defaults kept. */
export function parseRemoteConfig(body: Uint8Array | string): {config: RemoteConfig; problems: string[]} {
	const json = parseJson(body);
	if (!json.ok) return {config: {...defaultRemoteConfig}, problems: [json.reason]};
	if (!isObject(json.value)) return {config: {...defaultRemoteConfig}, problems: ['not a JSON object']};
	const config = {...defaultRemoteConfig};
	const problems: string[] = [];
	for (const [key, value] of Object.entries(json.value)) {
		if (!(key in configRules)) continue; // e.g. s3_supports_conditional_writes from the earlier system
		const checked = validateConfigValue(key, value);
		if (checked.ok) assignConfig(config, key as keyof RemoteConfig, checked.value);
		else problems.push(checked.reason);
	}
	// Written by an older version or by hand: the stale timeout is raised, never a healthy job killed.
	const inconsistent = configConsistencyProblem(config);
	if (inconsistent) {
		config.stale_timeout_minutes = (3 * config.heartbeat_interval) / 60;
		problems.push(`${inconsistent}; ${config.stale_timeout_minutes} min is used`);
	}
	return {config, problems};
}

/** Queue states of a job, as the console and `status` show them. */
export type JobState = 'todo' | 'processing' | 'failed' | 'dead' | 'done';

/**
One change of a job's state, folded by the read model. Events for one job are applied in `seq`
order whatever order they are read in: an event whose seq is not higher than the one known is
ignored, so folding the same event twice changes nothing.
*/
export type JobEvent = JobFacts & {
	/** `removed`: the job left the queue (clear-dead, remove). */
	state: Exclude<JobState, 'processing'> | 'removed';
	/** Server time of the change. */
	at: number;
	error?: string;
	/** The worker whose attempt ended so (events from ended leases: done, failed, dead, requeued). */
	worker?: string;
	/**
	The state (and priority, when it differs) the job left, when the writer knows it. Readers that do
	not keep every job (a console reads only the snapshot's head) count the change by it; without it
	the job is taken to be new.
	*/
	from?: JobState;
	fromPriority?: Priority;
};

/** A journal object (`queue/journal/<server ms>-<random>.json`): events of low-rate transitions. */
export type JournalRecord = {version: 1; events: JobEvent[]};

export function parseJobEvent(v: unknown): Parsed<JobEvent> {
	if (!isObject(v)) return {ok: false, reason: 'event is not an object'};
	const priority = typeof v['priority'] === 'string' ? parsePriority(v['priority']) : undefined;
	if (typeof v['hash'] !== 'string' || !/^[0-9a-f]{64}$/.test(v['hash']))
		return {ok: false, reason: 'event without a valid hash'};
	if (!priority) return {ok: false, reason: 'event without a valid priority'};
	if (!['todo', 'failed', 'dead', 'done', 'removed'].includes(String(v['state'])))
		return {ok: false, reason: `event with unknown state ${JSON.stringify(v['state'])}`};
	if (typeof v['seq'] !== 'number' || typeof v['attempts'] !== 'number' || typeof v['at'] !== 'number')
		return {ok: false, reason: 'event without seq, attempts or at'};
	const from = v['from'];
	if (from !== undefined && !['todo', 'processing', 'failed', 'dead', 'done'].includes(String(from)))
		return {ok: false, reason: `event with unknown origin ${JSON.stringify(from)}`};
	const fromPriority = typeof v['fromPriority'] === 'string' ? parsePriority(v['fromPriority']) : undefined;
	if (v['fromPriority'] !== undefined && !fromPriority)
		return {ok: false, reason: 'event with an invalid fromPriority'};
	return {
		ok: true,
		value: {
			hash: v['hash'],
			seq: v['seq'],
			state: v['state'] as JobEvent['state'],
			priority,
			attempts: v['attempts'],
			at: v['at'],
			...present('name', stringField(v, 'name', bounds.name)),
			...present('size', numberField(v, 'size', {min: 0})),
			...present('error', stringField(v, 'error', bounds.error)),
			...present('worker', stringField(v, 'worker', bounds.label)),
			...present('from', from as JobState | undefined),
			...present('fromPriority', fromPriority),
		},
	};
}

export function parseJournalRecord(body: Uint8Array | string): Parsed<JournalRecord> & {skipped?: string[]} {
	const json = parseJson(body);
	if (!json.ok) return json;
	const v = json.value;
	if (!isObject(v) || v['version'] !== 1 || !Array.isArray(v['events']))
		return {ok: false, reason: 'not a version 1 journal record'};
	const events: JobEvent[] = [];
	const skipped: string[] = [];
	for (const raw of v['events']) {
		const parsed = parseJobEvent(raw);
		if (parsed.ok) events.push(parsed.value);
		else skipped.push(parsed.reason);
	}
	return {ok: true, value: {version: 1, events}, ...(skipped.length > 0 ? {skipped} : {})};
}

/** A worker's registration (`registry/workers/<id>.json`), rewritten by its owner only. */
export type WorkerRecord = {
	version: 1;
	worker: string;
	host: string;
	pid: number;
	softwareVersion: string;
	status: 'idle' | 'processing' | 'stopped';
	store: string;
	currentJob?: {hash: string; name?: string; startedAt: number};
	startedAt: number;
	/** Server time of the last write. */
	lastSeen: number;
	jobsCompleted: number;
	jobsFailed: number;
	pagesProcessed: number;
	bytesProcessed: number;
	/** Busy time summed over its slots (a worker of 4 slots, all busy, adds 4 s a second). */
	busyMs: number;
	/** Jobs it runs at once (`--slots`); absent: 1. */
	slots?: number;
	cpuPercent?: number;
	memoryPercent?: number;
	/** Outside its run windows: sleeping, without polling the bucket, until this time (this machine's clock). */
	sleepingUntil?: number;
	/** The run windows it keeps, as given (`22:00-06:00@Europe/Berlin`). */
	runWindows?: string[];
	/** An operator's command it is carrying out (drain: it finishes its job, then exits), or why it stopped. */
	command?: {command: WorkerCommand; by: string; at: number};
};

/** drain: finish the running job, claim no other, exit. stop: hand the running job back now, exit. */
export type WorkerCommand = 'drain' | 'stop';
export const workerCommands = ['drain', 'stop'] as const;

/** `registry/commands/<worker>.json`: an operator's command to one worker (transitions/worker-command.ts). */
export type WorkerCommandRecord = {version: 1; worker: string; command: WorkerCommand; by: string; at: number};

export function parseWorkerCommand(body: Uint8Array | string): Parsed<WorkerCommandRecord> {
	const json = parseJsonObject(body);
	if (!json.ok) return json;
	const v = json.value;
	const command = oneOf(v, 'command', workerCommands);
	const at = numberField(v, 'at', {min: 0});
	if (v['version'] !== 1 || typeof v['worker'] !== 'string' || !command || at === undefined)
		return {ok: false, reason: 'not a version 1 worker command (command drain or stop, worker, at)'};
	return {
		ok: true,
		value: {version: 1, worker: bounded(v['worker'], bounds.label), command, by: stringField(v, 'by', 200) ?? '', at},
	};
}

/**
A worker outside its run windows writes its registration once, then sleeps for hours: it is not gone
while its `sleepingUntil` is ahead (with 20 minutes' grace for the clocks of two machines and a wake).
*/
export function isAsleep(record: Pick<WorkerRecord, 'sleepingUntil' | 'status'>, serverNow: number): boolean {
	return (
		record.status !== 'stopped' && record.sleepingUntil !== undefined && serverNow < record.sleepingUntil + 20 * 60_000
	);
}

export function parseWorkerRecord(body: Uint8Array | string): Parsed<WorkerRecord> {
	const json = parseJsonObject(body);
	if (!json.ok) return json;
	const v = json.value;
	const status = oneOf(v, 'status', ['idle', 'processing', 'stopped'] as const);
	if (v['version'] !== 1 || typeof v['worker'] !== 'string' || !status)
		return {ok: false, reason: 'not a version 1 worker record'};
	const count = (key: string) => numberField(v, key, {min: 0}) ?? 0;
	const job = objectField(v, 'currentJob');
	const jobHash =
		job && typeof job['hash'] === 'string' && /^[0-9a-f]{64}$/.test(job['hash']) ? job['hash'] : undefined;
	return {
		ok: true,
		value: {
			version: 1,
			worker: bounded(v['worker'], bounds.label),
			host: stringField(v, 'host', bounds.label) ?? '?',
			pid: count('pid'),
			softwareVersion: stringField(v, 'softwareVersion', bounds.label) ?? '?',
			status,
			store: stringField(v, 'store', bounds.label) ?? '',
			...(job && jobHash
				? {
						currentJob: {
							hash: jobHash,
							...present('name', stringField(job, 'name', bounds.name)),
							startedAt: numberField(job, 'startedAt') ?? 0,
						},
					}
				: {}),
			startedAt: count('startedAt'),
			lastSeen: count('lastSeen'),
			jobsCompleted: count('jobsCompleted'),
			jobsFailed: count('jobsFailed'),
			pagesProcessed: count('pagesProcessed'),
			bytesProcessed: count('bytesProcessed'),
			busyMs: count('busyMs'),
			...present('slots', numberField(v, 'slots', {min: 1, integer: true})),
			...present('cpuPercent', numberField(v, 'cpuPercent', {min: 0})),
			...present('memoryPercent', numberField(v, 'memoryPercent', {min: 0})),
			...present('sleepingUntil', numberField(v, 'sleepingUntil', {min: 0})),
			...present('command', commandOf(objectField(v, 'command'))),
			...(Array.isArray(v['runWindows'])
				? {
						runWindows: v['runWindows']
							.filter(w => typeof w === 'string')
							.map(w => bounded(w, bounds.label))
							.slice(0, 20),
					}
				: {}),
		},
	};
}

function commandOf(v: Record<string, unknown> | undefined): WorkerRecord['command'] {
	const command = v ? oneOf(v, 'command', workerCommands) : undefined;
	if (!v || !command) return undefined;
	return {command, by: stringField(v, 'by', 200) ?? '', at: numberField(v, 'at', {min: 0}) ?? 0};
}

/** `queue/janitor.json`: the last janitor turn. Its last-modified (server time) is when the turn was taken. */
export type JanitorTurnRecord = {
	version: 1;
	worker: string;
	/** Leases the pass before listed (active and ended): how large the fleet is, so workers space their checks. */
	leases: number;
	/** How long the fleet waits between passes: longer while passes find little to sweep (queue/janitor-turn.ts). */
	gapMs?: number;
	/** Server time of the last regular pass (retry-only passes between keep it). */
	regularAt?: number;
};

export function parseJanitorTurn(body: Uint8Array | string): Parsed<JanitorTurnRecord> {
	const json = parseJsonObject(body);
	if (!json.ok) return json;
	const v = json.value;
	if (v['version'] !== 1 || typeof v['worker'] !== 'string') return {ok: false, reason: 'not a version 1 janitor turn'};
	const leases = v['leases'];
	if (typeof leases !== 'number' || !Number.isFinite(leases) || leases < 0)
		return {ok: false, reason: 'janitor turn without a lease count'};
	const gapMs = v['gapMs'];
	if (gapMs !== undefined && (typeof gapMs !== 'number' || !Number.isFinite(gapMs) || gapMs < 0))
		return {ok: false, reason: 'janitor turn with a gap that is not a number of ms'};
	const regularAt = typeof v['regularAt'] === 'number' && Number.isFinite(v['regularAt']) ? v['regularAt'] : undefined;
	return {
		ok: true,
		value: {
			version: 1,
			worker: v['worker'],
			leases,
			...(gapMs === undefined ? {} : {gapMs}),
			...(regularAt === undefined ? {} : {regularAt}),
		},
	};
}

/** One attempt's log (`registry/logs/<hash>/attempt-NNN.json`). */
export type JobLog = {
	version: 1;
	hash: string;
	attempt: number;
	worker: string;
	name?: string;
	startedAt: number;
	endedAt: number;
	outcome: 'completed' | 'failed' | 'dead' | 'lost' | 'cancelled' | 'requeued';
	error?: string;
	converter?: string;
	pages?: number;
	timings: {downloadMs?: number; convertMs?: number; uploadMs?: number};
	/** The converter's output, the last 20,000 characters. */
	output: string;
};

export function parseJobLog(body: Uint8Array | string): Parsed<JobLog> {
	const json = parseJsonObject(body);
	if (!json.ok) return json;
	const v = json.value;
	const outcome = oneOf(v, 'outcome', ['completed', 'failed', 'dead', 'lost', 'cancelled', 'requeued'] as const);
	const attempt = numberField(v, 'attempt', {min: 0});
	if (v['version'] !== 1 || attempt === undefined || !outcome) return {ok: false, reason: 'not a version 1 job log'};
	const timings = objectField(v, 'timings') ?? {};
	const output = stringField(v, 'output', Number.POSITIVE_INFINITY) ?? '';
	return {
		ok: true,
		value: {
			version: 1,
			hash: stringField(v, 'hash', 64) ?? '',
			attempt,
			worker: stringField(v, 'worker', bounds.label) ?? 'unknown',
			...present('name', stringField(v, 'name', bounds.name)),
			startedAt: numberField(v, 'startedAt') ?? 0,
			endedAt: numberField(v, 'endedAt') ?? 0,
			outcome,
			...present('error', stringField(v, 'error', bounds.error)),
			...present('converter', stringField(v, 'converter', bounds.name)),
			...present('pages', numberField(v, 'pages', {min: 0})),
			timings: {
				...present('downloadMs', numberField(timings, 'downloadMs', {min: 0})),
				...present('convertMs', numberField(timings, 'convertMs', {min: 0})),
				...present('uploadMs', numberField(timings, 'uploadMs', {min: 0})),
			},
			// The end of the output is what says why: keep its last part.
			output: output.length > bounds.output ? `…${output.slice(-(bounds.output - 1))}` : output,
		},
	};
}
