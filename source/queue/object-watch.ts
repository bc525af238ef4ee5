/**
Watches one small object for changes with conditional GETs: 1 GET per check, answered 304 while it
is unchanged (a twelfth of the price of a LIST). Idle workers watch queue/signal.json, consoles
queue/changes.json. An absent object is a state too, so its creation counts as a change.
*/
import {isNotModified, type ObjectStore} from '../storage/object-store.js';

export class ObjectWatch {
	/** The ETag last seen, 'absent', or undefined before the first check. */
	private seen?: string;
	/** The body of the last check that read one (a change), for a watcher that looks inside. */
	lastBody?: Uint8Array;
	/** When the object was last written (server clock), as the last check that read a body said. */
	lastModified?: number;

	constructor(
		private readonly store: ObjectStore,
		private readonly key: string,
	) {}

	/** Whether the object changed since the last check; the first check answers true. */
	async changed(): Promise<boolean> {
		const got = await this.store.get(
			this.key,
			this.seen && this.seen !== 'absent' ? {ifNoneMatch: this.seen} : undefined,
		);
		const current = got ? got.etag : 'absent';
		if (got && !isNotModified(got)) {
			this.lastBody = got.body;
			this.lastModified = got.lastModified;
		} else if (!got) this.lastBody = this.lastModified = undefined;
		const changed = current !== this.seen;
		this.seen = current;
		return changed;
	}

	/** Forgets what was seen, so the next check answers true: for a caller that failed to act on a change. */
	forget(): void {
		this.seen = undefined;
	}
}
