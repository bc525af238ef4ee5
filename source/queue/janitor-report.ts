/** What a janitor pass did, counted; the worker logs it and `blobforge janitor` prints it. */
export type JanitorReport = {
	staleRecovered: number;
	finishedDone: number;
	deadLettered: number;
	rolledForward: number;
	failedRequeued: number;
	leasesSwept: number;
	journalFolded: number;
	/** Leases the pass listed, active and ended: the fleet's size, for spacing the turns. */
	leasesListed: number;
	/** Objects that could not be read, with the reason: reported, left in place (leases: recovered). */
	malformed: Array<{key: string; reason: string}>;
};

export function emptyReport(): JanitorReport {
	return {
		staleRecovered: 0,
		finishedDone: 0,
		deadLettered: 0,
		rolledForward: 0,
		failedRequeued: 0,
		leasesSwept: 0,
		journalFolded: 0,
		leasesListed: 0,
		malformed: [],
	};
}
