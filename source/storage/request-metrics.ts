/** A process's store requests and their cost as Prometheus counters (the exporters' and workers' own). */
import type {Family, Labels} from '../lib/prometheus.js';
import {costOf, operations, type RequestStats} from './request-stats.js';

export function requestFamilies(
	prefix: string,
	stats: RequestStats,
	options: {labels?: Labels; isPriced?: boolean; who: string},
): Family[] {
	const snapshot = stats.snapshot();
	const labels = options.labels ?? {};
	return [
		{
			name: `${prefix}_requests_total`,
			help: `${options.who} store requests that reached the store, by operation.`,
			type: 'counter',
			samples: operations.map(operation => ({labels: {...labels, operation}, value: snapshot[operation].count})),
		},
		{
			name: `${prefix}_cost_dollars_total`,
			help: `What ${options.who} requests cost at AWS S3 Standard prices (0 on the local store).`,
			type: 'counter',
			samples: [{labels, value: options.isPriced === false ? 0 : costOf(snapshot)}],
		},
	];
}
