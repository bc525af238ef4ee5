/**
Finds the next job and claims it. A listing of candidates (2 LISTs) serves the following claims for
up to `listingReuseMs`: a LIST costs 12.5 GETs, and a stale candidate costs at most one refused
create-only PUT (its lease exists) or a claim that finds the job gone.
*/
import type {Clock} from '../lib/clock.js';
import {type Candidate, listCandidates} from '../queue/candidates.js';
import type {QueueContext} from '../queue/queue-context.js';
import {claim} from '../queue/transitions/claim.js';
import type {HeldLease} from '../queue/transitions/lease-write.js';
import type {WorkerEmitter} from './events.js';

const listingReuseMs = 2000;

export class Claimer {
	private listing?: {candidates: Candidate[]; at: number};

	constructor(
		private readonly context: QueueContext,
		private readonly workerId: string,
		private readonly clock: Clock,
		private readonly events: WorkerEmitter,
	) {}

	/** Drops the reused listing (after a store error, whatever it said may be stale). */
	forget(): void {
		this.listing = undefined;
	}

	/** A held lease, or undefined when a fresh listing found nothing to claim (or `isStopping` became true). */
	async claimNext(isStopping: () => boolean): Promise<HeldLease | undefined> {
		for (;;) {
			const isFresh = !this.isReusable();
			if (isFresh) await this.list();
			const listing = this.listing!;
			while (listing.candidates.length > 0) {
				if (isStopping()) return undefined;
				const candidate = listing.candidates.shift()!;
				const outcome = await claim(this.context, this.workerId, candidate);
				if (outcome.kind === 'already-done') this.events.emit('already-done', {job: candidate.hash});
				if (outcome.kind === 'claimed') return outcome.held;
			}
			// Everything in a reused listing was taken: only a fresh one may say the queue is empty.
			if (isFresh) return undefined;
			this.listing = undefined;
		}
	}

	private isReusable(): boolean {
		return (
			this.listing !== undefined &&
			this.listing.candidates.length > 0 &&
			this.clock.now() - this.listing.at <= listingReuseMs
		);
	}

	private async list(): Promise<void> {
		const {candidates, malformedKeys} = await listCandidates(this.context, {maxKeys: 100});
		for (const key of malformedKeys) this.events.emit('malformed-queue-key', {key});
		this.listing = {candidates, at: this.clock.now()};
	}
}
