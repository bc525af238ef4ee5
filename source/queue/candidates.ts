/**
Which queued jobs a worker should try to claim next.

Requests: 1 LIST of queue/todo/ (one page; one from the start also shows the pause record,
queue/todo/0_paused.json, which sorts first), and, when asked (`leases: 'range'`), 1–4 LISTs of
queue/processing/ over the same hash range, to leave out jobs in flight (whose todo entries stay
until their attempt ends).

A listing starts at the head of the queue (keys sort by priority folder, `1_critical/` first, so
the page holds the most urgent jobs), or, in `window` mode, at a random hash within one
priority. The head alone would starve a large fleet: once the jobs whose hashes sort first are all
in flight, every worker lists the same page of jobs it cannot have (and races for the few that are
left). A random window puts each worker on its own stretch of the queue, so at 1,000,000 queued
and 10,000 in flight a page holds about 1 % jobs in flight, whatever the fleet's size.

The lease listing costs one page however many workers there are: it covers the window's hash range
from its first hash, and a window of n todo keys out of T spans about n·L/T of the L leases. Where
the leases outnumber the listed jobs' span by more than a page (a head listing of a short queue
beside thousands of ended leases: a drain's end, a trickle) it reads on, up to 4 pages, until it
covers the highest candidate. Jobs past the last lease listed are candidates only when no job
known to be free is left (each may cost a refused PUT).

A listing may also go on from where another's page ended (`after`, the rest of a full head page):
what a worker lists before it calls a short, crowded queue empty (claimer.ts).
*/
import {parsePriority, priorityFolders, priorities, type Priority} from './keys.js';
import type {QueueContext} from './queue-context.js';

export type Candidate = {hash: string; priority: Priority};

/** Pages of leases read to cover a listing's candidates, at most (each page is 1,000 leases). */
const maxLeasePages = 4;

export type CandidateList = {
	candidates: Candidate[];
	malformedKeys: string[];
	listedAt: number;
	/** The page was full: more keys follow its last one. */
	full: boolean;
	/** It listed a window (from a random hash), not the head. */
	window: boolean;
	/** The priority of the page's last key: where a window goes when the head is crowded. */
	lastPriority: Priority | undefined;
	/** The page's last key: where a listing of the rest starts (`after`). */
	lastKey: string | undefined;
	/** Candidates left out because their job is in flight. */
	leasedOut: number;
	/**
	The listing saw the whole queue: from its head, one page not full, no candidate left out for lack
	of a lease listing. Every job claimable when it was listed is among the candidates.
	*/
	whole: boolean;
	/**
	The pause record as the listing showed it, when it started at the folder's beginning (where that
	record sorts): its ETag, or null for none. Undefined when the listing started past it.
	*/
	pauseEtag?: string | null;
};

export type ListCandidatesOptions = {
	/** Keys per page, at most 1,000. @default 1000 */
	maxKeys?: number;
	/** Start within this priority at this hash (exclusive) instead of at the head; only that priority is kept. */
	window?: {priority: Priority; after: string};
	/** Priorities paused by an operator: not listed (the head starts past the leading ones), never candidates. */
	paused?: ReadonlySet<Priority>;
	/** Start past every key of this priority (a page it filled while paused). */
	past?: Priority;
	/** Start after this todo key (the last of an earlier page), every priority kept: the rest of a head listing. */
	after?: string;
	/** Leave out jobs in flight with one LIST of the leases in range ('range', the default), or not at all ('none'). */
	leases?: 'range' | 'none';
	random?: () => number;
};

export async function listCandidates(
	context: QueueContext,
	options: ListCandidatesOptions = {},
): Promise<CandidateList> {
	const random = options.random ?? Math.random;
	const {keys, store} = context;
	const folder = `${keys.prefix}queue/todo/`;
	const window = options.window;
	const paused = options.paused ?? new Set<Priority>();
	// Past every key of the leading paused priorities (or of `past`): hashes are hex, and 'g' sorts after them all.
	const leadingPaused = priorities.findIndex(p => !paused.has(p));
	const skipTo = options.past ?? (leadingPaused > 0 ? priorities[leadingPaused - 1] : undefined);
	const pastPaused = skipTo === undefined ? undefined : `${folder}${priorityFolders[skipTo]}/g`;
	const startAfter = window
		? `${folder}${priorityFolders[window.priority]}/${window.after}`
		: // Past the paused priorities and past the earlier page, whichever is later.
			[pastPaused, options.after]
				.filter(key => key !== undefined)
				.sort()
				.at(-1);
	const page = await store.listPage(folder, {
		pageSize: options.maxKeys ?? 1000,
		...(startAfter === undefined ? {} : {startAfter}),
	});
	const listed: Candidate[] = [];
	const malformedKeys: string[] = [];
	let lastPriority: Priority | undefined;
	const pauseKey = keys.paused();
	let pauseEtag: string | null | undefined = startAfter === undefined ? null : undefined;
	for (const entry of page.entries) {
		if (entry.key === pauseKey) {
			pauseEtag = entry.etag;
			continue;
		}
		const [priorityFolder, hash, ...rest] = entry.key.slice(folder.length).split('/');
		const priority = priorityFolder === undefined ? undefined : parsePriority(priorityFolder);
		const hashOk = hash !== undefined && keys.hashOf(entry.key) === hash;
		if (!priority || !hashOk || rest.length > 0 || priorityFolders[priority] !== priorityFolder) {
			malformedKeys.push(entry.key);
			continue;
		}
		lastPriority = priority;
		if (paused.has(priority)) continue;
		// A window keeps its own priority: lower ones past its end are not next in line.
		if (!window || priority === window.priority) listed.push({hash, priority});
	}
	// A page filled by a paused priority says nothing of those below it: list again past it.
	if (
		!window &&
		listed.length === 0 &&
		page.nextContinuationToken !== undefined &&
		lastPriority &&
		paused.has(lastPriority)
	) {
		const below = await listCandidates(context, {...options, past: lastPriority});
		return pauseEtag === undefined ? below : {...below, pauseEtag};
	}
	const leases = options.leases === 'none' ? undefined : await leasesInRange(context, listed);
	const free = listed.filter(c => !leases?.leased.has(c.hash));
	// Past the last lease listed nothing is known: such a job is tried only when no known-free one is left.
	const known = leases?.coveredTo === undefined ? free : free.filter(c => c.hash <= leases.coveredTo!);
	const candidates = known.length > 0 ? known : free;
	const full = page.nextContinuationToken !== undefined;
	return {
		candidates: shuffledByPriority(candidates, random),
		malformedKeys,
		listedAt: await store.serverTime(),
		full,
		window: window !== undefined,
		lastPriority,
		lastKey: page.entries.at(-1)?.key,
		leasedOut: listed.length - free.length,
		whole: !window && !full && candidates.length === free.length,
		...(pauseEtag === undefined ? {} : {pauseEtag}),
	};
}

/**
Hashes with a lease (active or ended), from one page of leases starting at the lowest candidate
hash; `coveredTo`, when the page was full, is the last hash it reached.
*/
async function leasesInRange(
	context: QueueContext,
	listed: Candidate[],
): Promise<{leased: Set<string>; coveredTo?: string}> {
	if (listed.length === 0) return {leased: new Set()};
	let lowest = listed[0]!.hash;
	let highest = lowest;
	for (const c of listed) {
		if (c.hash < lowest) lowest = c.hash;
		if (c.hash > highest) highest = c.hash;
	}
	const folder = context.keys.leaseFolder();
	const leased = new Set<string>();
	// Sixty-three characters sort before every hash that starts with them, the lowest included.
	let startAfter = `${folder}${lowest.slice(0, 63)}`;
	for (let pages = 1; ; pages++) {
		const page = await context.store.listPage(folder, {startAfter});
		for (const entry of page.entries) {
			const hash = context.keys.hashOf(entry.key);
			if (hash) leased.add(hash);
		}
		const last = page.entries.at(-1);
		const coveredTo = page.nextContinuationToken && last ? context.keys.hashOf(last.key) : undefined;
		if (!coveredTo || !last) return {leased};
		// Candidates past the page would be tried blind, and where the leases outnumber a page (the end of
		// a drain, a trickle: the ended leases wait for the janitor) each is a refused claim and a retry.
		if (coveredTo >= highest || pages >= maxLeasePages) return {leased, coveredTo};
		startAfter = last.key;
	}
}

/** Most urgent first, in random order within a priority (so workers given the same list spread over it). */
export function shuffledByPriority(candidates: Candidate[], random: () => number): Candidate[] {
	const byPriority = new Map<Priority, Candidate[]>(priorities.map(p => [p, []]));
	for (const c of candidates) byPriority.get(c.priority)!.push(c);
	const out: Candidate[] = [];
	for (const priority of priorities) {
		const list = byPriority.get(priority)!;
		for (let i = list.length - 1; i > 0; i--) {
			const j = Math.floor(random() * (i + 1));
			[list[i], list[j]] = [list[j]!, list[i]!];
		}
		out.push(...list);
	}
	return out;
}

/** A random job hash: where a window starts. */
export function randomHash(random: () => number = Math.random): string {
	let hash = '';
	for (let i = 0; i < 8; i++)
		hash += Math.floor(random() * 2 ** 32)
			.toString(16)
			.padStart(8, '0');
	return hash;
}
