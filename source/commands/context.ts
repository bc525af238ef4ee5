/**
What every command that works on a store opens once: the settings, the store stack and a
line naming the store, so no command can silently work on the wrong one.
*/
import {UserError, exitCodes} from '../lib/errors.js';
import {faults as injectFaults, parseFaultSpec} from '../storage/faults.js';
import {openStore, type OpenedStore} from '../storage/open-store.js';
import type {Middleware} from '../storage/store-chain.js';
import {describeStore, resolveSettings, type Settings, type SettingsFlags} from '../lib/settings.js';

export type GlobalArgs = SettingsFlags & {verbose?: boolean; json?: boolean; headless?: boolean};

export type CommandContext = OpenedStore & {settings: Settings; storeLine: string};

export function openContext(argv: GlobalArgs): CommandContext {
	const settings = resolveSettings(argv);
	const faults = process.env['BLOBFORGE_FAULTS'];
	const middleware: Middleware[] = [];
	if (faults) {
		let options: ReturnType<typeof parseFaultSpec>;
		try {
			options = parseFaultSpec(faults);
		} catch (error) {
			throw new UserError((error as Error).message, {
				exitCode: exitCodes.config,
				hint: 'BLOBFORGE_FAULTS is for tests only; unset it',
			});
		}
		// One line per fault on stderr: the soak counts them across processes, also killed ones.
		const onFault = (kind: string, operation: string, key: string) =>
			process.stderr.write(`${JSON.stringify({event: 'fault-injected', kind, operation, key})}\n`);
		middleware.push(injectFaults({...options, onFault}));
	}
	const opened = openStore(settings.store, {middleware});
	return {...opened, settings, storeLine: describeStore(settings, opened.store.location)};
}
