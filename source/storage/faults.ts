/**
Middleware that injects faults at the store boundary, by configuration, for tests and the soak only.
Kinds:
- `slowdown`: 503 SlowDown before the request (nothing happens on the server)
- `server-error`: 500 before the request
- `reset`: connection reset before the request
- `timeout`: the request times out; for writes it may or may not have landed (50/50)
- `answer-lost`: the request runs, then the caller sees a network error: the case that breaks naive
  conditional-write code
- `latency`: adds `latencyMs` before the request
The CLI enables it from BLOBFORGE_FAULTS (e.g. `rate=0.05,kinds=slowdown+answer-lost`); library code
receives a store and never knows. The server's time is never faulted.
*/
import type {Middleware} from './store-chain.js';
import {StoreError} from './store-error.js';

export const faultKinds = ['slowdown', 'server-error', 'reset', 'timeout', 'answer-lost', 'latency'] as const;
export type FaultKind = (typeof faultKinds)[number];

export type FaultOptions = {
	/** Probability (0..1) that a request gets a fault. */
	rate: number;
	/** @default all kinds */
	kinds?: FaultKind[] | undefined;
	/** Added latency for `latency` faults. @default 50 */
	latencyMs?: number | undefined;
	/** Restrict faults to keys containing this text. */
	keyFilter?: string | undefined;
	/** Deterministic randomness for reproducible runs. @default Math.random */
	random?: () => number;
	/** Called with each fault as it is injected (the CLI reports them on stderr for the soak to count). */
	onFault?: (kind: FaultKind, operation: string, key: string) => void;
};

/** How faults name operations (as the soak's reports have always counted them). */
const names = {
	get: 'get',
	head: 'head',
	put: 'put',
	putFile: 'put',
	getFile: 'get',
	delete: 'delete',
	deleteMany: 'delete',
	listPage: 'list',
	serverTime: 'time',
} as const;

export type Faults = Middleware & {
	/** Faults injected so far, by kind. */
	readonly injected: Record<FaultKind, number>;
	readonly totalInjected: number;
};

export function faults(options: FaultOptions): Faults {
	const kinds = options.kinds?.length ? options.kinds : [...faultKinds];
	const random = options.random ?? Math.random;
	const injected = Object.fromEntries(faultKinds.map(k => [k, 0])) as Record<FaultKind, number>;
	return {
		injected,
		get totalInjected() {
			return Object.values(injected).reduce((a, b) => a + b, 0);
		},
		async around(call, next) {
			if (call.method === 'serverTime') return next();
			if ((options.keyFilter && !call.key.includes(options.keyFilter)) || random() >= options.rate) return next();
			const operation = names[call.method];
			const kind = kinds[Math.floor(random() * kinds.length)]!;
			injected[kind]++;
			options.onFault?.(kind, operation, call.key);
			const fail = (errorKind: 'throttled' | 'server' | 'network', message: string) =>
				new StoreError(errorKind, `injected fault: ${message}`, {operation, key: call.key});
			switch (kind) {
				case 'slowdown':
					throw fail('throttled', '503 SlowDown');
				case 'server-error':
					throw fail('server', '500 InternalError');
				case 'reset':
					throw fail('network', 'connection reset');
				case 'latency':
					await new Promise(resolve => setTimeout(resolve, options.latencyMs ?? 50));
					return next();
				case 'timeout':
					if (random() < 0.5) await next().catch(() => undefined);
					throw fail('network', 'request timed out');
				case 'answer-lost':
					await next();
					throw fail('network', 'the answer was lost after the request ran');
			}
		},
	};
}
/** Parses BLOBFORGE_FAULTS: `rate=0.05,kinds=slowdown+answer-lost,latency=20,keys=queue/`. */
export function parseFaultSpec(spec: string): FaultOptions {
	const options: FaultOptions = {rate: 0};
	for (const part of spec
		.split(',')
		.map(p => p.trim())
		.filter(Boolean)) {
		const [name, value = ''] = part.split('=', 2) as [string, string?];
		if (name === 'rate') options.rate = Number(value);
		else if (name === 'kinds')
			options.kinds = value.split('+').filter((k): k is FaultKind => (faultKinds as readonly string[]).includes(k));
		else if (name === 'latency') options.latencyMs = Number(value);
		else if (name === 'keys') options.keyFilter = value;
		else throw new Error(`unknown fault setting "${name}" in BLOBFORGE_FAULTS`);
	}
	if (!(options.rate >= 0 && options.rate <= 1)) throw new Error('BLOBFORGE_FAULTS rate must be between 0 and 1');
	return options;
}
