/**
Failures grouped by error signature: the error text with what differs from job to job (numbers,
hashes, quoted names, paths) replaced, so "timed out after 3600 s" on 40 files is one group. The
earlier system's operators retried everything but one PDFium error class by hand; a group and a
pattern make that one command.
*/
/** What grouping needs of a job row (the inspector's JobRow has it). */
export type FailedRow = {hash: string; state: string; name?: string; error?: string; at: number};

export type FailureGroup<R extends FailedRow = FailedRow> = {
	signature: string;
	count: number;
	failed: number;
	dead: number;
	/** The newest job of the group, for an example. */
	example: R;
	hashes: string[];
};

/** The error with its varying parts replaced: quoted text by "…", paths by <path>, hex runs by <hex>, numbers by #. */
export function errorSignature(error: string): string {
	return error
		.replace(/"[^"]*"|'[^']*'|`[^`]*`/g, '"…"')
		.replace(/(?:[A-Za-z]:)?(?:\/[^\s/:]+){2,}\/?/g, '<path>')
		.replace(/\b[0-9a-f]{8,}\b/gi, '<hex>')
		.replace(/\d+(?:\.\d+)?/g, '#')
		.replace(/\s+/g, ' ')
		.trim()
		.slice(0, 200);
}

/** Failed and dead rows grouped by signature, the largest group first. */
export function groupFailures<R extends FailedRow>(rows: R[]): Array<FailureGroup<R>> {
	const groups = new Map<string, FailureGroup<R>>();
	for (const row of rows) {
		if (row.state !== 'failed' && row.state !== 'dead') continue;
		const signature = errorSignature(row.error ?? '(no error recorded)');
		const group = groups.get(signature) ?? {signature, count: 0, failed: 0, dead: 0, example: row, hashes: []};
		group.count++;
		group[row.state === 'failed' ? 'failed' : 'dead']++;
		group.hashes.push(row.hash);
		if (row.at > group.example.at) group.example = row;
		groups.set(signature, group);
	}
	return [...groups.values()].sort((a, b) => b.count - a.count || a.signature.localeCompare(b.signature));
}

/**
`--error PATTERN`: a case-insensitive substring of the error, or a regular expression between
slashes (`/pdfium.*password/`). An invalid expression is the caller's error.
*/
export function errorMatcher(pattern: string): (error: string) => boolean {
	const regex = /^\/(.+)\/([a-z]*)$/s.exec(pattern);
	if (regex) {
		const flags = regex[2]!.includes('i') ? regex[2]! : `${regex[2]!}i`;
		const compiled = new RegExp(regex[1]!, flags);
		return error => compiled.test(error);
	}
	const needle = pattern.toLowerCase();
	return error => error.toLowerCase().includes(needle);
}
