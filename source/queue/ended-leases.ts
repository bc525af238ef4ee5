/**
The leases this process ended itself, kept until a janitor pass sweeps them: a pass this process
runs takes a listed lease whose ETag it wrote as read, without its GET (bodies never repeat, so the
ETag names the body). A one-worker fleet's janitor so reads none of its leases back, and a larger
fleet's saves the share its own worker ended.
*/
import type {Lease} from './records.js';

/** How many are kept at most: a pass sweeps them every 10–60 minutes; past this the oldest go. */
const keptAtMost = 2000;

export class EndedLeases {
	private readonly byHash = new Map<string, {etag: string; lease: Lease}>();

	/** A lease written with an ending (the body and the ETag of that write). */
	note(lease: Lease, etag: string): void {
		if (lease.ending === undefined || lease.ending === 'completing' || lease.ending === 'requeued') return;
		this.byHash.delete(lease.hash);
		this.byHash.set(lease.hash, {etag, lease});
		if (this.byHash.size > keptAtMost) this.byHash.delete(this.byHash.keys().next().value!);
	}

	/** The lease as this process wrote it, when the listed ETag is still that write's. */
	known(hash: string, etag: string): Lease | undefined {
		const kept = this.byHash.get(hash);
		return kept?.etag === etag ? kept.lease : undefined;
	}

	/** Swept by a pass: no longer needed. */
	forget(hash: string): void {
		this.byHash.delete(hash);
	}

	get size(): number {
		return this.byHash.size;
	}
}
