/**
What every command that works on a store opens once: the settings, the store stack and a
line naming the store, so no command can silently work on the wrong one.
*/
import {UserError, exitCodes} from '../lib/errors.js';
import {parseFaultSpec, FaultyStore} from '../storage/faulty-store.js';
import {openStore, type OpenedStore} from '../storage/open-store.js';
import {describeStore, resolveSettings, type Settings, type SettingsFlags} from '../lib/settings.js';

export type GlobalArgs = SettingsFlags & {verbose?: boolean; json?: boolean; headless?: boolean};

export type CommandContext = OpenedStore & {settings: Settings; storeLine: string};

export function openContext(argv: GlobalArgs): CommandContext {
	const settings = resolveSettings(argv);
	const faults = process.env['BLOBFORGE_FAULTS'];
	let wrap;
	if (faults) {
		let options;
		try {
			options = parseFaultSpec(faults);
		} catch (error) {
			throw new UserError((error as Error).message, {exitCode: exitCodes.config, hint: 'BLOBFORGE_FAULTS is for tests only; unset it'});
		}
		// One line per fault on stderr: the soak counts them across processes, also killed ones.
		const onFault = (kind: string, operation: string, key: string) => process.stderr.write(`${JSON.stringify({event: 'fault-injected', kind, operation, key})}\n`);
		wrap = (store: OpenedStore['store']) => new FaultyStore(store, {...options, onFault});
	}
	const opened = openStore(settings.store, {wrap});
	return {...opened, settings, storeLine: describeStore(settings, opened.store.location)};
}
