/**
Pausing the queue: workers stop claiming jobs of the paused priorities (all five, or some); running
jobs finish, queued ones wait. Nothing else changes: resuming gives the queue back as it was.

The record is queue/todo/0_paused.json: it sorts before every priority folder, so a listing of the
queue's head shows it (key and ETag) at no cost, and a worker listing there needs no GET to know
nothing changed.

pause / resume — requests:
1. GET    queue/todo/0_paused.json       the priorities paused now (absent: GET queue/paused.json, where
                                         earlier versions kept it)
2. PUT    queue/todo/0_paused.json       If-Match the ETag read (If-None-Match: * when absent; 412 →
          another operator changed it: read again, three rounds at most), or DELETE when none is left
          · DELETE queue/paused.json when the record came from there
3. PUT    queue/signal.json, queue/urgent.json   idle workers poll the first (after a resume they claim
          at once), busy workers ask one of them before reusing a listing (worker/claimer.ts)
Workers learn the pause from their head listings (its ETag changed → one conditional GET); before a
listing that cannot show it (a window, or a head listing starting past paused priorities) they GET
it, at most every 30 s while nothing is paused and at every listing while something is. So a pause
reaches a busy fleet within a minute and a half (a listing serves a minute of claims) and a resume
wakes an idle one at once; consoles read it with every lease sweep and after their own pause or resume.
*/
import {touchSignal} from '../signal.js';
import {isNotModified} from '../../storage/object-store.js';
import {isStoreError} from '../../storage/store-error.js';
import {stringField} from '../fields.js';
import {parsePriority, priorities, type Priority} from '../keys.js';
import type {QueueContext} from '../queue-context.js';
import {parseJsonObject, type Parsed} from '../records.js';

export type PauseRecord = {version: 1; priorities: Priority[]; at: number; by: string};

export function parsePauseRecord(body: Uint8Array | string): Parsed<PauseRecord> {
	const json = parseJsonObject(body);
	if (!json.ok) return json;
	const v = json.value;
	if (!Array.isArray(v['priorities']) || v['priorities'].length > priorities.length)
		return {ok: false, reason: 'priorities must be a list of priorities'};
	const paused: Priority[] = [];
	for (const item of v['priorities']) {
		const priority = typeof item === 'string' ? parsePriority(item) : undefined;
		if (!priority) return {ok: false, reason: `${JSON.stringify(item).slice(0, 40)} is not a priority`};
		if (!paused.includes(priority)) paused.push(priority);
	}
	const at = typeof v['at'] === 'number' && Number.isFinite(v['at']) ? v['at'] : 0;
	return {ok: true, value: {version: 1, priorities: sortedPriorities(paused), at, by: stringField(v, 'by', 200) ?? ''}};
}

function sortedPriorities(list: Iterable<Priority>): Priority[] {
	const set = new Set(list);
	return priorities.filter(p => set.has(p));
}

export type PauseState = {priorities: Priority[]; at?: number; by?: string; problem?: string};

/** The pause a record says; a malformed one is reported and taken as nothing paused (workers go on working). */
function pauseStateOf(body: Uint8Array, key: string): PauseState {
	const parsed = parsePauseRecord(body);
	return parsed.ok
		? {priorities: parsed.value.priorities, at: parsed.value.at, by: parsed.value.by}
		: {priorities: [], problem: `${key}: ${parsed.reason}`};
}

/** What is paused now, with the record's ETag for a conditional write (`legacy`: read from the old key). */
export async function readPause(
	context: Pick<QueueContext, 'store' | 'keys'>,
): Promise<PauseState & {etag?: string; legacy?: boolean}> {
	const {store, keys} = context;
	const got = await store.get(keys.paused());
	if (got && !isNotModified(got)) return {...pauseStateOf(got.body, keys.paused()), etag: got.etag};
	const old = await store.get(keys.legacyPaused());
	if (!old || isNotModified(old)) return {priorities: []};
	return {...pauseStateOf(old.body, keys.legacyPaused()), legacy: true};
}

/** Pauses or resumes priorities (`all` of them by default); returns what is paused afterwards. */
export async function changePause(
	context: QueueContext,
	change: {pause: boolean; priorities?: Priority[]; by: string},
): Promise<Priority[]> {
	const {store, keys} = context;
	const named = change.priorities && change.priorities.length > 0 ? change.priorities : [...priorities];
	for (let round = 0; round < 3; round++) {
		const current = await readPause(context);
		const next = change.pause
			? sortedPriorities([...current.priorities, ...named])
			: current.priorities.filter(p => !named.includes(p));
		try {
			if (next.length === 0) {
				if (current.etag) await store.delete(keys.paused());
			} else {
				// Read from the old key (no ETag): created at the new one, create-only, as another operator may too.
				const record: PauseRecord = {version: 1, priorities: next, at: await store.serverTime(), by: change.by};
				await store.put(keys.paused(), JSON.stringify(record), {
					contentType: 'application/json',
					condition: current.etag ? {kind: 'if-match', etag: current.etag} : {kind: 'create-only'},
				});
			}
		} catch (error) {
			if (isStoreError(error, 'precondition-failed')) continue;
			throw error;
		}
		if (current.legacy) await store.delete(keys.legacyPaused());
		// A resume wakes idle workers; either change reaches busy ones reusing a listing.
		await touchSignal(context, change.pause ? {paused: next} : {resumed: next}, {
			urgent: true,
			pause: {priorities: next, ageMs: 0},
		});
		return next;
	}
	throw new Error(`${keys.paused()} changed three times while being written; try again`);
}

/**
What is paused, watched: one conditional GET per look (304 while unchanged), or none when a listing
of the queue's head showed the record's ETag (or its absence). Workers and consoles use it. The old
key is read at the first look that finds no record, and then at every look until it is gone or a
record at the new key supersedes it.
*/
export class PauseWatch {
	private state: PauseState = {priorities: []};
	private etag?: string;
	/** Whether the old key is to be read: unknown (undefined) until the first look without a record. */
	private legacy: boolean | undefined;

	constructor(private readonly context: Pick<QueueContext, 'store' | 'keys'>) {}

	/** The pause now; a malformed record counts as nothing paused (workers go on working), with its problem. */
	async read(): Promise<PauseState> {
		const {keys} = this.context;
		const got = await this.look(keys.paused());
		// The record at the new key supersedes any at the old one (which the change that wrote it deletes).
		if (got !== 'absent') {
			this.legacy = false;
			return got;
		}
		if (this.legacy === false) return this.none();
		const old = await this.look(keys.legacyPaused());
		this.legacy = old !== 'absent';
		return old === 'absent' ? this.none() : old;
	}

	/**
	The pause as a listing from the start of queue/todo/ showed its record: the ETag listed, or null for
	none. A GET only when that differs from the last read (or the old key may still hold one).
	*/
	async listed(etag: string | null): Promise<PauseState> {
		if (this.legacy !== false) return this.read();
		if (etag === null) return this.none();
		return etag === this.etag ? this.state : this.read();
	}

	private async look(key: string): Promise<PauseState | 'absent'> {
		const got = await this.context.store.get(key, this.etag ? {ifNoneMatch: this.etag} : undefined);
		if (isNotModified(got)) return this.state;
		if (!got) return 'absent';
		this.etag = got.etag;
		this.state = pauseStateOf(got.body, key);
		return this.state;
	}

	private none(): PauseState {
		this.etag = undefined;
		this.state = {priorities: []};
		return this.state;
	}
}
