/** Opens the queue for a command: the store, the remote config (one GET), the inspector. */
import {systemClock} from '../lib/clock.js';
import {UserError, exitCodes} from '../lib/errors.js';
import {Inspector} from '../inspector/inspector.js';
import {Keys, parsePriority, priorities, type Priority} from '../queue/keys.js';
import {openQueueContext, type QueueContext} from '../queue/queue-context.js';
import {RemoteConfigCache} from '../queue/remote-config.js';
import {openContext, type CommandContext, type GlobalArgs} from './context.js';
import {printError} from './output.js';

export type OpenedQueue = CommandContext & {queue: QueueContext; inspector: Inspector; remoteConfig: RemoteConfigCache};

export async function openQueue(argv: GlobalArgs): Promise<OpenedQueue> {
	const opened = openContext(argv);
	const keys = new Keys(opened.settings.prefix);
	const remoteConfig = new RemoteConfigCache({store: opened.store, keys, clock: systemClock});
	const {problems} = await remoteConfig.get();
	for (const problem of problems) printError(`blobforge: warning: ${problem} (the default is used)`);
	const queue: QueueContext = openQueueContext(opened.store, {prefix: keys.prefix, config: () => remoteConfig.config});
	return {...opened, queue, inspector: new Inspector(queue, opened.stats), remoteConfig};
}

export function priorityArgument(value: string | undefined, flag = '--priority'): Priority | undefined {
	if (value === undefined) return undefined;
	const priority = parsePriority(value);
	if (!priority)
		throw new UserError(`${flag} "${value}" is not a priority`, {
			hint: `use one of ${priorities.join(', ')} (or 1_critical … 5_background)`,
			exitCode: exitCodes.usage,
		});
	return priority;
}

/** Resolves a full hash or an unambiguous prefix, or fails with the reason. */
export async function resolveHashArgument(queue: OpenedQueue, input: string): Promise<string> {
	const resolved = await queue.inspector.resolveHash(input);
	if (!resolved.ok) throw new UserError(resolved.reason, {exitCode: exitCodes.failure});
	return resolved.hash;
}
