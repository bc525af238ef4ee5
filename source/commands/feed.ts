/** The console's feed as `watch`, `metrics` and `worker --metrics-listen` open it: one place for its options. */
import {UserError, exitCodes} from '../lib/errors.js';
import {InspectorFeed, type FeedOptions} from '../inspector/console-feed.js';
import type {OpenedQueue} from './queue-context.js';

export const leaseRefreshOption = {
	type: 'number',
	describe:
		'seconds between listings of the running jobs (default: 20 on S3, where a LIST costs 12.5 GETs; every refresh on the local store)',
} as const;

export function openFeed(
	queue: OpenedQueue,
	leaseRefreshSeconds: number | undefined,
	options: FeedOptions = {},
): InspectorFeed {
	const leaseRefresh = leaseRefreshSeconds ?? (queue.settings.store.kind === 's3' ? 20 : 0);
	if (!Number.isFinite(leaseRefresh) || leaseRefresh < 0)
		throw new UserError(`--lease-refresh ${leaseRefresh} is not a number of seconds`, {exitCode: exitCodes.usage});
	return new InspectorFeed(queue.inspector, queue.storeLine, {
		minRefreshSeconds: queue.remoteConfig.config.console_min_refresh,
		leaseSweepMs: leaseRefresh * 1000,
		isPriced: queue.settings.store.kind === 's3',
		remoteConfig: queue.remoteConfig,
		...options,
	});
}
