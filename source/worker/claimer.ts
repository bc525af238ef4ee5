/**
Finds the next job and claims it.

Listing (queue/candidates.ts): at the head of the queue, unless the last head listing was a full
page whose last priority goes on past it; then mostly a random window within that priority, and
always one while the last look at the head found most of its jobs in flight. The
share of listings that look at the head again is 20 / (the fleet's leases), at least 1 % and at
most all: the fleet as a whole looks at the head a few times a second at most and at least once
every few claims, so a job of a higher priority is seen within seconds at 10,000 workers and at
the next claim with a few. A window with nothing claimable sends the same round to the head.

The leases are listed with the todo page for the next seven claims after one is lost, and while
the last listing with leases found more than 5 % of its jobs in flight (a refused create-only PUT costs what a
LIST costs): in a large queue a random window rarely meets a job in flight; at the end of a drain
nearly every entry is one, and the lease listing saves a refused PUT per entry (and where more than
a fifth are, this worker deletes its done jobs' todo entries at once: finish.ts). In a fleet of more
than 100 leases they are also listed with every look at the head of a long queue, where the jobs in
flight and the done jobs not yet swept gather.

A listing serves the claims that follow it while the queue is calm (no claim lost lately, few jobs
in flight among those listed), until one of them finds its candidate taken or gone: for a minute
as it is, and for up to ten while nothing more urgent became claimable. Past the minute the worker
asks one small object first (a conditional GET, a twelfth of a LIST's price): for a listing of
normal or higher jobs queue/urgent.json (critical or high jobs claimable, a pause or resume), for
one of lower jobs queue/signal.json (any job claimable). So a busy worker in a backlog, whose
next claim comes minutes after its listing, lists again only when the queue's order changed, not
at every job; retries and requeues of the backlog's own jobs do not count.

Before it calls the queue empty, a worker whose head page was full and showed nothing claimable
(nor did a window) lists on from the page's end, with the leases, up to two pages more: a drain's
last few queued jobs can sort past a page of jobs in flight, where a window of a hundred keys
rarely lands, and the idle fleet would otherwise wait for its next safety listing. A queue that
short is one whose jobs in flight fill about a page; past three pages only windows look.

An idle worker woken by a signal that names the jobs it made claimable (queue/signal.ts) tries
those first, without a listing: a HEAD of each lease says whether another worker took it already,
and a claim is tried only on one that is free. When all were taken (a fleet of idle workers heard
the same signal) it lists the queue only with the head's share, about twenty workers of the fleet:
they find what a touch that overwrote another's names hid from the rest.

A busy worker in a crowded queue (a trickle: nearly every listed job in flight, so each listing
costs a LIST of the todo folder and one of the leases over it) first asks queue/signal.json: if it
changed since this worker's last look, it HEADs at most three of the jobs the last touch named (up
to an ingest batch's 100), then of those it carried on from the touches of the last 30 s, and
claims a free one; the pause the touch carried, if newer than this worker's own read, serves as
one. Where that rarely finds one (a drain, whose idle workers take a touch's few jobs first) only
one claim in twenty tries, unless the last touch the worker read was an ingest's batch naming ten
or more new jobs (a trickle's: a try that found three of them taken says little about the next).

What an operator paused (queue/transitions/pause.ts) a head listing shows: its record,
queue/todo/0_paused.json, sorts first, and only a changed ETag costs a conditional GET (and the
listing again, under the new pause). Before any other listing the worker reads it, at most every
30 s while nothing is paused and at every listing while something is. Candidates of a paused
priority are passed over, and with all five paused it claims nothing and waits as an idle worker
does.
*/
import type {Clock} from '../lib/clock.js';
import {
	type Candidate,
	type CandidateList,
	listCandidates,
	randomHash,
	shuffledByPriority,
} from '../queue/candidates.js';
import {priorities, type Priority} from '../queue/keys.js';
import type {QueueContext} from '../queue/queue-context.js';
import {carriedPause, freshNamedJobs, ingestBatch, namedJobsAtMost} from '../queue/signal.js';
import {claim} from '../queue/transitions/claim.js';
import type {HeldLease} from '../queue/transitions/lease-write.js';
import {ObjectWatch} from '../queue/object-watch.js';
import {PauseWatch} from '../queue/transitions/pause.js';
import type {WorkerEmitter} from './events.js';

/** A listing serves the claims of this long without a question. */
const listingReuseMs = 60_000;
/** And of this long while the signal object its best candidate's priority answers to is unchanged. */
const listingReuseAskingMs = 10 * 60_000;
/** Share of listed jobs in flight above which the leases are listed with the candidates (each would cost a refused PUT). */
const leaseCheckAbove = 0.05;
/**
Share of a window's jobs in flight above which the queue is crowded and done jobs drop their todo
entries at once. A backlog's windows show 1–3 %; the entries that stay there spare the head's lease
listings (they keep its page to a narrow stretch of hashes). A drain lists 20 % from its start.
*/
const crowdedAbove = 0.2;
/** The moving average of claims lost above which they are too: one loss lifts it to 0.1, and seven wins bring it back below. */
const lostAbove = 0.05;
/**
Share of window listings that look at the head instead, and of workers that list after the jobs a
signal named were all taken, for a fleet of `leases`: about twenty workers, at least 1 %, at most all.
*/
function headShare(leases: number): number {
	return Math.min(1, Math.max(0.01, 20 / Math.max(1, leases)));
}
/**
HEADs a busy worker spends on the jobs a signal names before it lists: when three are taken most
of the touch's jobs are, and three cost a quarter of a LIST.
*/
const busyHeadsAtMost = 3;
/**
Below this moving average of busy claims through the names that found a job (a drain: idle workers
take a touch's few jobs first), only this share of claims tries them, to notice a trickle again.
*/
const signalHitsAbove = 0.2;
const signalProbeShare = 0.05;
/**
New jobs an ingest's touch enqueued and named from which a worker below that average tries the
signal anyway when that touch is the last it read: a batch, with jobs to spare (a bulk ingest of
over 100 names none, and its queue is a backlog). Not the touches of a drain's end (a janitor's
retries, a safety listing's finds), whose jobs its idle fleet waits for. In a trickle a third of
the claims came from workers whose tries had once found three names taken, each at a LIST of the
todo folder and one of the leases.
*/
const batchIngested = 10;
/** A worker that found nothing to claim this recently leaves the signal's names to the idle. */
const idleLatelyMs = 10 * 60_000;
/** Leases in the fleet above which the head of a long queue crowds: its leases are listed with it. */
const crowdedHeadFleet = 100;
/** How long a read of the pause that found nothing paused serves the window listings after it. */
const pauseReadEveryMs = 30_000;
/** Pages listed on past a full head page that showed nothing claimable, at most. */
const restPagesAtMost = 2;
/** Claims lost one after another before a listing is given up. */
const maxLostInRow = 3;
/** Fresh listings per claim before the worker calls the queue empty for now. */
const maxFreshListings = 3;

export class Claimer {
	/** `whole`: the listing saw the whole queue (candidates.ts), so losing all its candidates leaves nothing to retry for. */
	private listing?: {candidates: Candidate[]; at: number; whole: boolean};
	/** Where windows go: the priority that fills the head's page, if it does. */
	private windowPriority: Priority | undefined;
	/** The last head listing found most of its jobs in flight: go to a window first, whatever the fleet's size. */
	private headCrowded = false;
	/** Recent claims lost to another worker (or to a job gone), as a moving average. */
	private lostShare = 0;
	/** The share of listed jobs in flight, when the leases were last listed with them: unknown (1) until the first listing. */
	private leasedShare = 1;
	/**
	The same share as the last window (or head of a queue that fits one page) listed with leases showed
	it, undefined before one: the queue's crowding. A full head page is left out, as it gathers the
	fleet's jobs in flight on any backlog.
	*/
	private queueLeasedShare: number | undefined;
	/**
	The last claimNext gave up because every candidate was being taken, not because none was listed,
	and the queue may hold jobs its listings did not show: worth another look in a moment.
	*/
	contended = false;
	/** Priorities an operator paused, as read before the last fresh listing. */
	private paused: ReadonlySet<Priority> = new Set();
	private readonly pause: PauseWatch;
	private pauseReadAt = Number.NEGATIVE_INFINITY;
	/** What an older listing asks before it is reused: see the top of this file. */
	private readonly urgent: ObjectWatch;
	private readonly signal: ObjectWatch;
	private named: Candidate[] = [];
	/** The newest touch of the signal this worker read. */
	private lastTouch?: {body: Uint8Array; lastModified: number};
	/** Busy claims through the signal's names that found a job, as a moving average (claimSignalled): the first tries, and a miss then probes. */
	private signalHits = signalHitsAbove;
	/** When a fresh listing last left this worker with nothing to claim. */
	private foundNothingAt = Number.NEGATIVE_INFINITY;

	constructor(
		private readonly context: QueueContext,
		private readonly workerId: string,
		private readonly clock: Clock,
		private readonly events: WorkerEmitter,
		/** The fleet's size as the last janitor turn told it (leases). */
		private readonly fleetLeases: () => number,
		/** Whether this worker runs the job already (in another of its slots). */
		private readonly holds: (hash: string) => boolean = () => false,
		private readonly random: () => number = Math.random,
	) {
		this.pause = new PauseWatch(context);
		this.urgent = new ObjectWatch(context.store, context.keys.urgentSignal());
		this.signal = new ObjectWatch(context.store, context.keys.signal());
	}

	/**
	The last window listed with leases (or head of a queue that fits one page) found more than 20 % of
	its jobs in flight (or done, waiting for the janitor): a drain, a trickle. Then a done job's todo
	entry is deleted at once (finish.ts). Not before such a listing: a restarted worker's resumed jobs
	end before it lists.
	*/
	get crowded(): boolean {
		return this.queueLeasedShare !== undefined && this.queueLeasedShare > crowdedAbove;
	}

	/** Jobs the signal that woke this idle worker named: tried before any listing (see the top of this file). */
	heard(jobs: Candidate[]): void {
		this.named = jobs;
	}

	/** A touch of the signal this worker read (its idle wait's or its own look): its pause serves as a read (pausedBefore). */
	sawTouch(body: Uint8Array | undefined, lastModified: number | undefined): void {
		if (body && lastModified !== undefined && lastModified >= (this.lastTouch?.lastModified ?? -Infinity))
			this.lastTouch = {body, lastModified};
	}

	/** The candidates of the last listing not tried yet, up to a touch's names. */
	leftOver(): Candidate[] {
		return (this.listing?.candidates ?? []).slice(0, namedJobsAtMost);
	}

	/** Drops the reused listing (after a store error, whatever it said may be stale). */
	forget(): void {
		this.listing = undefined;
	}

	/** A held lease, or undefined when a fresh listing found nothing to claim (or `isStopping` became true). */
	async claimNext(isStopping: () => boolean): Promise<HeldLease | undefined> {
		this.contended = false;
		const named = this.named;
		this.named = [];
		if (named.length > 0) {
			const held = await this.claimNamed(shuffledByPriority(named, this.random), isStopping, named.length);
			if (held || isStopping() || this.random() >= headShare(this.fleetLeases())) return held;
		} else if (this.triesSignal()) {
			const held = await this.claimSignalled(isStopping);
			this.signalHits = 0.8 * this.signalHits + (held ? 0.2 : 0);
			if (held || isStopping()) return held;
		}
		for (let fresh = 0; ; ) {
			const isFresh = !(await this.isReusable());
			if (isFresh) {
				const window = this.goesToWindow();
				this.paused = await this.pausedBefore(window);
				if (this.paused.size === priorities.length) return undefined;
				await this.list(window);
				// The listing showed a pause of all five.
				if (this.paused.size === priorities.length) return undefined;
				fresh++;
			}
			const listing = this.listing!;
			let lostInRow = 0;
			while (listing.candidates.length > 0) {
				if (isStopping()) return undefined;
				const candidate = listing.candidates.shift()!;
				// A listing reused after a pause: its candidates of a paused priority wait. A job this worker
				// runs in another slot keeps its todo entry (rule 1): claiming it would only cost a refused PUT.
				if (this.paused.has(candidate.priority) || this.holds(candidate.hash)) continue;
				const {held, lost} = await this.attempt(candidate);
				lostInRow = lost ? lostInRow + 1 : 0;
				if (held) return held;
				// The listing is out of date (or was listed without the leases): list again, with them.
				if ((lost && !isFresh) || lostInRow >= maxLostInRow) {
					listing.candidates.length = 0;
					if (isFresh && fresh < maxFreshListings) this.listing = undefined;
				}
			}
			// Only a fresh listing may say the queue is empty. One of the whole queue whose every job others
			// took first says so too: a retry in a moment would find nothing (a herd of idle workers woken by
			// one requeued job would each list twice).
			if (isFresh && this.listing !== undefined) {
				if (listing.whole) this.contended = false;
				this.foundNothingAt = this.clock.now();
				return undefined;
			}
			this.listing = undefined;
		}
	}

	/** One claim: the held lease, or whether it was lost to another worker (or to a job gone). */
	private async attempt(candidate: Candidate): Promise<{held?: HeldLease; lost: boolean}> {
		const outcome = await claim(this.context, this.workerId, candidate);
		if (outcome.kind === 'already-done') this.events.emit('already-done', {job: candidate.hash});
		const lost = outcome.kind === 'taken' || outcome.kind === 'gone';
		this.lostShare = 0.9 * this.lostShare + 0.1 * (lost ? 1 : 0);
		if (lost) this.contended = true;
		if (outcome.kind !== 'claimed') return {lost};
		this.contended = false;
		return {held: outcome.held, lost};
	}

	/**
	Whether a busy claim tries the signal's names first: in a crowded queue, when it found jobs lately
	or the last touch it read was an ingest's batch, and not within ten minutes of this worker finding
	nothing to claim (idle workers are about, and they wait for those names: a busy worker that took
	them would leave the jobs only a listing finds to them, and the idle fleet would look again only
	at its next poll).
	*/
	private triesSignal(): boolean {
		if (!this.crowded || this.clock.now() - this.foundNothingAt < idleLatelyMs) return false;
		if (this.signalHits >= signalHitsAbove) return true;
		// The last touch this worker read was an ingest's batch (a trickle's): jobs to spare for busy workers too.
		return ingestBatch(this.lastTouch?.body) >= batchIngested || this.random() < signalProbeShare;
	}

	/**
	A busy worker's claim in a crowded queue: the jobs the signal names, if it changed since this
	worker last looked (a 304 means it already tried them), before a listing.
	*/
	private async claimSignalled(isStopping: () => boolean): Promise<HeldLease | undefined> {
		if (!(await this.signal.changed())) return undefined;
		this.sawTouch(this.signal.lastBody, this.signal.lastModified);
		// Names of a touch over 30 s old (a janitor's retries at a drain's end) were taken: not tried.
		const touchAge = this.clock.now() - (this.signal.lastModified ?? 0);
		const {own, earlier} = freshNamedJobs(this.signal.lastBody, touchAge);
		if (own.length + earlier.length === 0) return undefined;
		// The signal may have been touched since a pause: read as before a window.
		this.paused = await this.pausedBefore(true);
		if (this.paused.size === priorities.length) return undefined;
		// This touch's own names first, then those it carried on, each by priority.
		const ordered = [...shuffledByPriority(own, this.random), ...shuffledByPriority(earlier, this.random)];
		ordered.sort((a, b) => priorities.indexOf(a.priority) - priorities.indexOf(b.priority));
		return this.claimNamed(ordered, isStopping, busyHeadsAtMost);
	}

	/** A job a signal named (in the order to try) whose lease a HEAD (at most `heads`) finds absent, claimed; undefined when others took them. */
	private async claimNamed(
		named: Candidate[],
		isStopping: () => boolean,
		heads: number,
	): Promise<HeldLease | undefined> {
		let left = heads;
		for (const job of named) {
			if (isStopping() || left <= 0) break;
			if (this.paused.has(job.priority) || this.holds(job.hash)) continue;
			left--;
			if (await this.context.store.head(this.context.keys.lease(job.hash))) continue;
			const {held} = await this.attempt(job);
			if (held) return held;
		}
		// Taken by others is not contention worth a retry: this worker heard of them with the whole fleet.
		this.contended = false;
		return undefined;
	}

	/** Whether the next fresh listing goes to a window of the priority that fills the head's page. */
	private goesToWindow(): boolean {
		return this.windowPriority !== undefined && (this.headCrowded || this.random() >= headShare(this.fleetLeases()));
	}

	/**
	What is paused, before a fresh listing. A head listing from the folder's start shows the pause
	record (list() takes it from there): nothing to read first. Before any other (a window, or a head
	past a paused critical) it is read once the last read is half a minute old, and at every one while
	something is paused (so a resume is seen at once): a GET per listing was one request more per job.
	A pause carried by the last touch this worker read counts as a read made when its writer read it.
	*/
	private async pausedBefore(window: boolean): Promise<ReadonlySet<Priority>> {
		const now = this.clock.now();
		if (!window && !this.paused.has(priorities[0])) return this.paused;
		// The last touch of the signal this worker read carried a pause its writer read: newer than this
		// worker's own read, it serves as one (queue/claimable-touch.ts), and costs no request.
		const touch = this.lastTouch;
		const carried = touch && carriedPause(touch.body, now - touch.lastModified);
		if (carried && now - carried.ageMs > this.pauseReadAt) {
			this.paused = new Set(carried.priorities);
			this.pauseReadAt = now - carried.ageMs;
		}
		if (this.paused.size > 0 || now - this.pauseReadAt >= pauseReadEveryMs) {
			this.paused = new Set((await this.pause.read()).priorities);
			this.pauseReadAt = now;
		}
		return this.paused;
	}

	/** The pause as a head listing showed its record; false when it changed what is paused. */
	private async pauseListed(etag: string | null): Promise<boolean> {
		const before = this.paused;
		this.paused = new Set((await this.pause.listed(etag)).priorities);
		this.pauseReadAt = this.clock.now();
		return before.size === this.paused.size && [...before].every(p => this.paused.has(p));
	}

	private async isReusable(): Promise<boolean> {
		// A contended queue (claims lost, or many listed jobs in flight) moves too fast for an old listing.
		const calm = this.lostShare <= lostAbove && this.leasedShare <= leaseCheckAbove;
		const best = this.listing?.candidates[0];
		if (!calm || !best) return false;
		const age = this.clock.now() - this.listing!.at;
		if (age <= listingReuseMs) return true;
		if (age > listingReuseAskingMs) return false;
		// Each watch's last look came before this listing (looks happen only here, before deciding), so
		// "unchanged" means unchanged since the listing. A first look answers "changed".
		const watch = priorities.indexOf(best.priority) <= priorities.indexOf('normal') ? this.urgent : this.signal;
		return !(await watch.changed());
	}

	private async list(toWindow: boolean): Promise<void> {
		const leases = this.lostShare > lostAbove || this.leasedShare > leaseCheckAbove ? 'range' : 'none';
		let candidates: Candidate[] = [];
		let whole = false;
		const priority = this.windowPriority;
		if (priority && toWindow) {
			const window = await listCandidates(this.context, {
				window: {priority, after: randomHash(this.random)},
				maxKeys: 100,
				leases,
				random: this.random,
				paused: this.paused,
			});
			this.report(window, leases);
			candidates = window.candidates;
		}
		if (candidates.length === 0) {
			// The head of a long queue is where a large fleet's jobs in flight and its done jobs not yet swept
			// gather (every head listing offers the same page): there its leases are listed whenever it was full
			// last time, or a calm worker's claim would be refused (at 100 workers on 1,000,000 jobs, 0.106
			// refused claims per job without, 0.037 with). A small fleet's head stays mostly free, and the
			// LIST would cost more than the refusals. Leases listed only for the head leave the share in flight
			// that decides for the windows as it was.
			const crowdable = this.windowPriority !== undefined && this.fleetLeases() > crowdedHeadFleet;
			const headLeases = crowdable ? 'range' : leases;
			const listHead = () =>
				listCandidates(this.context, {leases: headLeases, random: this.random, paused: this.paused});
			let head = await listHead();
			if (head.pauseEtag !== undefined && !(await this.pauseListed(head.pauseEtag))) {
				// An operator paused or resumed since: this page was chosen by the old pause.
				if (this.paused.size === priorities.length) {
					this.listing = {candidates: [], at: this.clock.now(), whole: true};
					return;
				}
				head = await listHead();
			}
			this.report(head, leases);
			this.windowPriority = head.full && !this.paused.has(head.lastPriority!) ? head.lastPriority : undefined;
			const seen = head.candidates.length + head.leasedOut;
			this.headCrowded = head.full && seen > 0 && head.leasedOut > seen / 2;
			candidates = head.candidates;
			whole = head.whole;
			// The head's page is in flight: a window finds the rest of its priority.
			if ((candidates.length === 0 || this.headCrowded) && this.windowPriority) {
				const window = await listCandidates(this.context, {
					window: {priority: this.windowPriority, after: randomHash(this.random)},
					maxKeys: 100,
					leases,
					random: this.random,
					paused: this.paused,
				});
				this.report(window, leases);
				if (window.candidates.length > 0 || candidates.length === 0) {
					candidates = window.candidates;
					whole = false;
				}
			}
			if (candidates.length === 0 && head.full) ({candidates, whole} = await this.listRest(head.lastKey));
		}
		this.listing = {candidates, at: this.clock.now(), whole};
	}

	/** The queue past a full head page with nothing claimable, a page at a time: see the top of this file. */
	private async listRest(after: string | undefined): Promise<{candidates: Candidate[]; whole: boolean}> {
		for (let page = 0; page < restPagesAtMost && after !== undefined; page++) {
			const rest = await listCandidates(this.context, {
				after,
				leases: 'range',
				random: this.random,
				paused: this.paused,
			});
			this.report(rest, 'none');
			if (rest.candidates.length > 0) return {candidates: rest.candidates, whole: false};
			// The head's page and these saw every queued job, none of them claimable.
			if (!rest.full) return {candidates: [], whole: rest.whole};
			after = rest.lastKey;
		}
		return {candidates: [], whole: false};
	}

	private report(listed: CandidateList, leases: 'range' | 'none'): void {
		for (const key of listed.malformedKeys) this.events.emit('malformed-queue-key', {key});
		const seen = listed.candidates.length + listed.leasedOut;
		if (leases !== 'range' || seen === 0) return;
		this.leasedShare = listed.leasedOut / seen;
		if (!listed.full || listed.window) this.queueLeasedShare = this.leasedShare;
	}
}
