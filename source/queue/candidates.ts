/**
Which queued jobs a worker should try to claim next.

Requests: 1 LIST of queue/todo/ (one page, up to 1,000 keys) and, in parallel, 1 LIST of
queue/processing/ (one page per 1,000 leases: bounded by the number of workers) to leave out jobs
in flight, whose todo entries stay until their attempt ends. Keys sort by priority folder
(`1_critical/` first), so one page holds the most urgent jobs; within each priority the order is
shuffled, so concurrent claimers spread over different jobs instead of all racing for the first
key (the earlier system listed each priority's first 50 keys, and 12–16 % of its claims lost).
*/
import {parsePriority, priorityFolders, priorities, type Priority} from './keys.js';
import type {QueueContext} from './queue-context.js';
import {collectAll} from '../storage/object-store.js';

export type Candidate = {hash: string; priority: Priority};

export type CandidateList = {candidates: Candidate[]; malformedKeys: string[]; listedAt: number};

export async function listCandidates(
	context: QueueContext,
	options: {maxKeys?: number; random?: () => number} = {},
): Promise<CandidateList> {
	const random = options.random ?? Math.random;
	const folder = `${context.keys.prefix}queue/todo/`;
	// Jobs in flight keep their todo entries until they end: leave out those with a lease.
	const [page, leases] = await Promise.all([
		context.store.listPage(folder, {pageSize: options.maxKeys ?? 1000}),
		collectAll(context.store, context.keys.leaseFolder()),
	]);
	const leased = new Set(leases.map(l => context.keys.hashOf(l.key)));
	const byPriority = new Map<Priority, Candidate[]>(priorities.map(p => [p, []]));
	const malformedKeys: string[] = [];
	for (const entry of page.entries) {
		const [priorityFolder, hash, ...rest] = entry.key.slice(folder.length).split('/');
		const priority = priorityFolder === undefined ? undefined : parsePriority(priorityFolder);
		const hashOk = hash !== undefined && context.keys.hashOf(entry.key) === hash;
		if (!priority || !hashOk || rest.length > 0 || priorityFolders[priority] !== priorityFolder) {
			malformedKeys.push(entry.key);
			continue;
		}
		if (!leased.has(hash)) byPriority.get(priority)!.push({hash, priority});
	}
	const candidates: Candidate[] = [];
	for (const priority of priorities) {
		const list = byPriority.get(priority)!;
		for (let i = list.length - 1; i > 0; i--) {
			const j = Math.floor(random() * (i + 1));
			[list[i], list[j]] = [list[j]!, list[i]!];
		}
		candidates.push(...list);
	}
	return {candidates, malformedKeys, listedAt: await context.store.serverTime()};
}
