/**
One worker's own Prometheus metrics, from its events: jobs, failures, conversion times, pages, lost
leases, its state and its store requests. No request of its own: a fleet of 1,000 workers each
reading the queue for its exporter would cost what 1,000 consoles do; queue-wide metrics come from
one `blobforge metrics` (or `watch --metrics-listen`).
*/
import {formatExposition, Histogram, type Family} from '../lib/prometheus.js';
import {requestFamilies} from '../storage/request-metrics.js';
import type {RequestStats} from '../storage/request-stats.js';
import type {WorkerEmitter, WorkerStatus} from './events.js';

const conversionBounds = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600] as const;
const states: Array<WorkerStatus['state']> = ['starting', 'idle', 'processing', 'stopping', 'stopped'];

export class WorkerMetrics {
	private state: WorkerStatus['state'] = 'starting';
	private slots = {total: 1, busy: 0};
	private completed = 0;
	private pages = 0;
	private readonly failures = {permanent: 0, retryable: 0};
	private lostLeases = 0;
	private requeued = 0;
	private readonly conversions = new Histogram(conversionBounds);

	constructor(
		worker: WorkerEmitter,
		private readonly options: {worker: string; stats?: RequestStats; isPriced?: boolean},
	) {
		worker.on('status', status => {
			this.state = status.state;
			this.slots = {total: status.slots, busy: status.jobs.length};
		});
		worker.on('job-completed', event => {
			this.completed++;
			this.pages += event.pages ?? 0;
			this.conversions.observe(event.ms / 1000);
		});
		worker.on('job-failed', event => {
			this.failures[event.permanent ? 'permanent' : 'retryable']++;
		});
		worker.on('lease-lost', () => {
			this.lostLeases++;
		});
		worker.on('job-requeued', () => {
			this.requeued++;
		});
	}

	scrape(): Promise<string> {
		return Promise.resolve(formatExposition(this.families()));
	}

	families(): Family[] {
		const labels = {worker: this.options.worker};
		const families: Family[] = [
			{
				name: 'blobforge_worker_state',
				help: "The worker's state (1 for the current one).",
				type: 'gauge',
				samples: states.map(state => ({labels: {...labels, state}, value: state === this.state ? 1 : 0})),
			},
			{
				name: 'blobforge_worker_slot_jobs',
				help: "This worker's job slots (--slots), busy or free.",
				type: 'gauge',
				samples: [
					{labels: {...labels, state: 'busy'}, value: this.slots.busy},
					{labels: {...labels, state: 'free'}, value: Math.max(0, this.slots.total - this.slots.busy)},
				],
			},
			{
				name: 'blobforge_worker_jobs_completed_total',
				help: 'Jobs this worker completed.',
				type: 'counter',
				samples: [{labels, value: this.completed}],
			},
			{
				name: 'blobforge_worker_job_failures_total',
				help: "This worker's failed attempts, by whether a retry may follow.",
				type: 'counter',
				samples: (['permanent', 'retryable'] as const).map(kind => ({
					labels: {...labels, kind},
					value: this.failures[kind],
				})),
			},
			{
				name: 'blobforge_worker_jobs_requeued_total',
				help: 'Jobs this worker handed back (shutdown, store trouble).',
				type: 'counter',
				samples: [{labels, value: this.requeued}],
			},
			{
				name: 'blobforge_worker_leases_lost_total',
				help: "Attempts whose lease another worker or the janitor took first (the result, if any, was not this worker's).",
				type: 'counter',
				samples: [{labels, value: this.lostLeases}],
			},
			{
				name: 'blobforge_worker_pages_total',
				help: 'Pages of the PDFs this worker converted.',
				type: 'counter',
				samples: [{labels, value: this.pages}],
			},
			{
				name: 'blobforge_worker_job_duration_seconds',
				help: 'Seconds per completed job, download to upload.',
				type: 'histogram',
				series: [this.conversions.series(labels)],
			},
		];
		const {stats} = this.options;
		if (stats)
			families.push(
				...requestFamilies('blobforge_worker', stats, {labels, isPriced: this.options.isPriced, who: "this worker's"}),
			);
		return families;
	}
}
