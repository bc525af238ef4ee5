/**
Counts every request a store makes, by operation: count, errors, bytes and latency, plus a
window of recent request times for a rate. The console shows its own request rate and cost
from these counters, and the benchmarks read the same ones.
*/
import type {Operation} from './object-store.js';

export type OperationStats = {
	/** Requests that reached the provider (billed). */
	count: number;
	errors: number;
	/** Attempts that never reached it (connection refused, name not found): not billed, not in `count`. */
	unreached: number;
	bytesSent: number;
	bytesReceived: number;
	totalLatencyMs: number;
};

export type StatsSnapshot = Record<Operation, OperationStats> & {total: OperationStats};

/** AWS S3 Standard request prices (us-east-1), dollars per request. DELETE is free. */
export const awsPricePerRequest: Record<Operation, number> = {
	get: 0.0004 / 1000,
	head: 0.0004 / 1000,
	time: 0.0004 / 1000,
	put: 0.005 / 1000,
	'put-create-only': 0.005 / 1000,
	'put-if-match': 0.005 / 1000,
	list: 0.005 / 1000,
	delete: 0,
	/** DeleteObjects is a POST: one request for up to 1,000 keys. */
	'delete-many': 0.005 / 1000,
};

export const operations = Object.keys(awsPricePerRequest) as Operation[];

function empty(): OperationStats {
	return {count: 0, errors: 0, unreached: 0, bytesSent: 0, bytesReceived: 0, totalLatencyMs: 0};
}

export class RequestStats {
	private readonly byOperation = new Map<Operation, OperationStats>(operations.map(op => [op, empty()]));
	/** Times (ms, monotonic) of recent requests with their price, for rates over the last minutes. */
	private recent: Array<{at: number; price: number}> = [];

	record(
		operation: Operation,
		outcome: {latencyMs: number; bytesSent?: number; bytesReceived?: number; failed?: boolean; unreached?: boolean},
	): void {
		const stats = this.byOperation.get(operation)!;
		if (outcome.unreached) {
			stats.unreached++;
			return;
		}
		stats.count++;
		if (outcome.failed) stats.errors++;
		stats.bytesSent += outcome.bytesSent ?? 0;
		stats.bytesReceived += outcome.bytesReceived ?? 0;
		stats.totalLatencyMs += outcome.latencyMs;
		const now = performance.now();
		this.recent.push({at: now, price: awsPricePerRequest[operation]});
		if (this.recent.length > 20_000 || (this.recent[0] && now - this.recent[0].at > 600_000))
			this.recent = this.recent.filter(r => now - r.at <= 600_000);
	}

	snapshot(): StatsSnapshot {
		const total = empty();
		const result = {} as Record<Operation, OperationStats>;
		for (const [op, stats] of this.byOperation) {
			result[op] = {...stats};
			total.count += stats.count;
			total.errors += stats.errors;
			total.unreached += stats.unreached;
			total.bytesSent += stats.bytesSent;
			total.bytesReceived += stats.bytesReceived;
			total.totalLatencyMs += stats.totalLatencyMs;
		}
		return {...result, total};
	}

	/** Requests and dollars per minute over the last `windowMs` (at most 10 minutes). */
	rate(windowMs = 60_000): {requestsPerMinute: number; dollarsPerMinute: number} {
		const now = performance.now();
		const inWindow = this.recent.filter(r => now - r.at <= windowMs);
		const minutes = windowMs / 60_000;
		return {
			requestsPerMinute: inWindow.length / minutes,
			dollarsPerMinute: inWindow.reduce((sum, r) => sum + r.price, 0) / minutes,
		};
	}

	reset(): void {
		for (const op of operations) this.byOperation.set(op, empty());
		this.recent = [];
	}
}

/** Dollars for a snapshot's requests at AWS S3 Standard prices. */
export function costOf(snapshot: StatsSnapshot): number {
	return operations.reduce((sum, op) => sum + snapshot[op].count * awsPricePerRequest[op], 0);
}

/** Difference of two snapshots (after − before), per operation. */
export function diffStats(after: StatsSnapshot, before: StatsSnapshot): StatsSnapshot {
	const result = {} as StatsSnapshot;
	for (const op of [...operations, 'total'] as const) {
		result[op] = {
			count: after[op].count - before[op].count,
			errors: after[op].errors - before[op].errors,
			unreached: after[op].unreached - before[op].unreached,
			bytesSent: after[op].bytesSent - before[op].bytesSent,
			bytesReceived: after[op].bytesReceived - before[op].bytesReceived,
			totalLatencyMs: after[op].totalLatencyMs - before[op].totalLatencyMs,
		};
	}
	return result;
}
