/**
A plain-language line saying why a job is where it is, for `status` and the console's detail
view, e.g. "lease last renewed 17 min ago by w-3, stale after 15 min: the janitor will requeue it".
*/
import {formatDuration} from '../lib/format.js';
import type {JobRecords} from '../queue/locate.js';
import type {RemoteConfig} from '../queue/records.js';

export function explainJob(records: JobRecords, serverNow: number, config: RemoteConfig): string {
	const staleMs = config.stale_timeout_minutes * 60_000;
	const lease = records.lease;
	switch (records.state) {
		case 'processing': {
			const l = lease!.lease;
			const age = serverNow - lease!.lastModified;
			const renewed = `lease last renewed ${formatDuration(age)} ago by ${l.worker}`;
			if (l.ending === 'completing') return `${renewed}: uploading its result`;
			if (age > staleMs)
				return `${renewed}, stale after ${formatDuration(staleMs)}: the janitor will requeue it (attempt ${l.attempt || '?'} counts as failed)`;
			const stage = l.progress?.stage ?? 'claimed';
			const pages = l.progress?.pagesTotal ? `, page ${l.progress.pagesDone ?? 0} of ${l.progress.pagesTotal}` : '';
			return `${renewed}: ${stage}${pages}; stale if not renewed for ${formatDuration(staleMs - age)} more`;
		}
		case 'todo': {
			const entry = records.todo[0]?.entry;
			if (lease && lease.lease.ending === 'requeued')
				return `handed back (${lease.lease.failure?.error ?? 'requeued'}); claimable once the janitor records the last attempt`;
			if (!entry) return 'queued';
			const tries =
				entry.attempts > 0
					? `, ${entry.attempts} of ${config.max_retries + 1} attempts used (last error: ${entry.lastError ?? 'unknown'})`
					: '';
			return `queued at ${entry.priority} (${entry.reason})${tries}: waiting for a worker`;
		}
		case 'failed': {
			const record = records.failed;
			const last = record?.history.at(-1)?.error ?? lease?.lease.failure?.error ?? 'unknown error';
			const retryAt = record?.retryAt ?? lease?.lease.retryAt;
			const when =
				retryAt === undefined
					? 'at the next janitor pass'
					: retryAt <= serverNow
						? 'at the next janitor pass (backoff over)'
						: `in ${formatDuration(retryAt - serverNow)} (backoff)`;
			return `attempt ${record?.attempts ?? '?'} failed (${last}); the janitor requeues it ${when}`;
		}
		case 'dead': {
			const record = records.dead;
			const last = record?.history.at(-1)?.error ?? lease?.lease.failure?.error ?? 'unknown error';
			const why =
				record?.reason === 'permanent'
					? 'a permanent failure'
					: record?.reason === 'cancelled'
						? 'cancelled by the operator'
						: `${record?.attempts ?? '?'} failed attempts (max_retries ${config.max_retries})`;
			return (
				`dead-lettered after ${why}: ${last.replace(/\.$/, '')}. ` +
				'Retry with r in the console or `blobforge retry` (--reset-retries for a fresh budget)'
			);
		}
		case 'done':
			return records.result ? `done: result stored (${records.result.size} bytes)` : 'done';
		case 'raw-only':
			return 'the PDF is stored but the job is in no queue: `blobforge retry` queues it';
		case 'unknown':
			return 'nothing in this store has this hash';
	}
}
