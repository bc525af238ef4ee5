/** `blobforge repair-metadata`: original-name, tags and size back on raw PDFs, from the manifest. */
import type {CommandModule} from 'yargs';
import {exitCodes} from '../lib/errors.js';
import {safeText} from '../lib/format.js';
import {repairMetadata} from '../ingest/repair-metadata.js';
import type {GlobalArgs} from './context.js';
import {printError, printJson, printLine} from './output.js';
import {openQueue} from './queue-context.js';

export const repairMetadataCommand: CommandModule<GlobalArgs, GlobalArgs & {'dry-run'?: boolean}> = {
	command: 'repair-metadata',
	describe: 'Restore original-name, tags and size on raw PDFs that lost them (from the manifest)',
	builder: y => y.option('dry-run', {type: 'boolean', describe: 'say what would be restored; write nothing'}),
	async handler(argv) {
		const queue = await openQueue(argv);
		const dryRun = argv['dry-run'] === true;
		const {repairs, checked, problems} = await repairMetadata(queue.queue, {dryRun});
		const repaired = repairs.filter(r => 'restored' in r);
		const unknown = repairs.length - repaired.length;
		if (argv.json) printJson({checked, repairs, problems});
		else {
			for (const r of repairs)
				if ('restored' in r)
					printLine(
						`${dryRun ? 'would restore' : 'restored'} ${r.hash.slice(0, 12)} ${safeText(r.restored['original-name'] ?? '')}: ${r.missing.join(', ')}`,
					);
				else printLine(`cannot repair ${r.hash.slice(0, 12)}: ${r.reason}`);
			const done = `${repaired.length} ${dryRun ? 'would be repaired' : 'repaired'}`;
			printLine(`repair-metadata: ${checked} raw PDF(s) checked, ${done}, ${unknown} unknown to the manifest`);
		}
		for (const problem of problems) printError(`problem: ${problem}`);
		if (unknown > 0) process.exitCode = exitCodes.failure;
	},
};
