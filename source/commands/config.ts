import type {CommandModule} from 'yargs';
import {UserError, exitCodes} from '../lib/errors.js';
import {textTable} from '../lib/format.js';
import {parseConfigAssignments, setRemoteConfig} from '../queue/remote-config.js';
import {configConsistencyProblem, defaultRemoteConfig, remoteConfigKeys} from '../queue/records.js';
import type {GlobalArgs} from './context.js';
import {printJson, printLine} from './output.js';
import {openQueue} from './queue-context.js';

const descriptions: Record<string, string> = {
	max_retries: 'failed attempts allowed before dead-letter',
	heartbeat_interval: 'seconds between lease renewals',
	stale_timeout_minutes: 'minutes without renewal before a lease is recovered',
	conversion_timeout: 'seconds a conversion may run (0: no limit)',
	retry_backoff: 'seconds before the first retry; doubles per attempt',
	conversion_memory_mb: "MB the built-in converter's child may hold; above it the job fails for good (0: no limit)",
	max_pages: 'PDFs with more pages fail for good, built-in converter (0: no limit)',
	console_min_refresh: 'the shortest refresh interval a console may use, in seconds',
	run_windows: 'HH:MM-HH:MM[@zone],… when workers without --run-window claim (empty: always)',
	abort_outside_window: '1: at a window end the running job is handed back; 0: it finishes',
	converter: 'for workers without --converter: builtin, marker, docling, mineru, or a command with {input} {output}',
	worker_slots: "jobs at once per worker without --slots (0: the converter's choice)",
};

export const configCommand: CommandModule<GlobalArgs, GlobalArgs & {action?: string; assignments?: string[]}> = {
	command: 'config [action] [assignments..]',
	describe: 'Show or set the remote config shared by every worker (registry/config.json)',
	builder: y =>
		y
			.positional('action', {type: 'string', choices: ['show', 'set'], default: 'show'})
			.positional('assignments', {type: 'string', array: true, describe: 'key=value for set'})
			.example('$0 config show', 'current values and defaults')
			.example('$0 config set max_retries=5 heartbeat_interval=30', 'change two keys'),
	async handler(argv) {
		const queue = await openQueue(argv);
		if (argv.action === 'set') {
			const {changes, errors} = parseConfigAssignments(argv.assignments ?? []);
			if ((argv.assignments ?? []).length === 0)
				throw new UserError('name at least one key=value', {
					hint: `keys: ${remoteConfigKeys.join(', ')}`,
					exitCode: exitCodes.usage,
				});
			if (errors.length > 0)
				throw new UserError(errors.join('; '), {hint: 'nothing was changed', exitCode: exitCodes.config});
			const inconsistent = configConsistencyProblem({...(await queue.remoteConfig.refresh()).config, ...changes});
			if (inconsistent)
				throw new UserError(inconsistent, {
					hint: 'nothing was changed; raise stale_timeout_minutes or lower heartbeat_interval',
					exitCode: exitCodes.config,
				});
			await setRemoteConfig(queue.queue, changes);
		}
		const snapshot = await queue.remoteConfig.refresh();
		if (argv.json) {
			printJson({...snapshot.config, exists: snapshot.exists, problems: snapshot.problems});
			return;
		}
		printLine(`store  ${queue.storeLine}${snapshot.exists ? '' : ' (no config.json yet: defaults apply)'}`);
		printLine(
			textTable(
				['key', 'value', 'default', 'meaning'],
				remoteConfigKeys.map(k => [
					k,
					String(snapshot.config[k]),
					String(defaultRemoteConfig[k]),
					descriptions[k] ?? '',
				]),
			),
		);
		printLine('workers pick changes up within 30 minutes (their config cache time); restart them to apply at once');
	},
};
