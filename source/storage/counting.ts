/**
Middleware that records every request in a RequestStats: one per attempt, as the provider bills it
(an attempt that never reached it is recorded apart, unbilled).
*/
import {isNotModified} from './object-store.js';
import {RequestStats} from './request-stats.js';
import {isStoreError} from './store-error.js';
import {type Middleware, operationOfCall, type ResultOf, type StoreCall} from './store-chain.js';

function sizes(call: StoreCall, result: unknown): {bytesSent?: number; bytesReceived?: number} {
	if (call.method === 'put') return {bytesSent: call.body.byteLength};
	if (call.method === 'get') {
		const got = result as ResultOf<typeof call>;
		return {bytesReceived: got && !isNotModified(got) ? got.body.byteLength : 0};
	}
	if (call.method === 'getFile') return {bytesReceived: (result as ResultOf<typeof call>)?.size ?? 0};
	return {};
}

/** Errors of a request that could not have reached the server: no connection was made. */
function neverSent(cause: unknown, message: string): boolean {
	const code = (cause as {code?: unknown} | undefined)?.code;
	const text = `${typeof code === 'string' ? code : ''} ${message}`;
	return /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH/.test(text);
}

export function counting(stats = new RequestStats()): Middleware & {stats: RequestStats} {
	return {
		stats,
		async around(call, next, below) {
			const started = performance.now();
			if (call.method === 'serverTime') {
				// S3 asks the server only when no recent answer carried a Date header; count only those.
				const before = below.timeRequests ?? 0;
				try {
					return await next();
				} finally {
					const made = (below.timeRequests ?? 0) - before;
					for (let i = 0; i < made; i++) stats.record('time', {latencyMs: (performance.now() - started) / made});
				}
			}
			const operation = operationOfCall(call);
			try {
				const result = await next();
				stats.record(operation, {latencyMs: performance.now() - started, ...sizes(call, result)});
				return result;
			} catch (error) {
				// A connection refused or a name not found never reached the provider: nothing is billed.
				const unreached = isStoreError(error, 'network') && neverSent(error.details.cause, error.message);
				stats.record(operation, {latencyMs: performance.now() - started, failed: true, unreached});
				throw error;
			}
		},
	};
}
