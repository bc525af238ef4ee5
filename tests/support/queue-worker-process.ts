import {listCandidates} from '../../source/queue/candidates.js';
import {openQueueContext, type QueueContext} from '../../source/queue/queue-context.js';
import {claim} from '../../source/queue/transitions/claim.js';
import {complete} from '../../source/queue/transitions/finish.js';
import {heartbeat} from '../../source/queue/transitions/heartbeat.js';
import {openStore} from '../../source/storage/open-store.js';

const worker = process.argv[2]!;
const {store, stats} = openStore({
	kind: 's3',
	bucket: process.env['BLOBFORGE_TEST_BUCKET']!,
	region: 'us-east-1',
	endpoint: process.env['BLOBFORGE_TEST_S3_ENDPOINT']!,
	forcePathStyle: true,
	credentials: {
		accessKeyId: process.env['BLOBFORGE_TEST_S3_ACCESS_KEY_ID']!,
		secretAccessKey: process.env['BLOBFORGE_TEST_S3_SECRET_ACCESS_KEY']!,
	},
});
const context: QueueContext = openQueueContext(store);
let converted = 0;
let taken = 0;
for (;;) {
	// One page holds every job: completed jobs keep their (leased-out) entries until the janitor sweeps them.
	const {candidates} = await listCandidates(context, {maxKeys: 1000});
	if (candidates.length === 0) break;
	let claimed = false;
	for (const candidate of candidates) {
		const outcome = await claim(context, worker, candidate);
		if (outcome.kind === 'taken') {
			taken++;
			continue;
		}
		if (outcome.kind !== 'claimed') continue;
		claimed = true;
		await heartbeat(context, outcome.held, {stage: 'converting', pagesDone: 1, pagesTotal: 1});
		const done = await complete(context, outcome.held, new TextEncoder().encode(`converted ${candidate.hash}`));
		if (done.kind === 'completed') {
			converted++;
			process.stdout.write(`${JSON.stringify({worker, hash: candidate.hash, replaced: done.replaced})}\n`);
		}
		break;
	}
	// Everything listed is in flight elsewhere: wait for it to finish or come back.
	if (!claimed) await new Promise(resolve => setTimeout(resolve, 50));
}
process.stdout.write(
	`${JSON.stringify({worker, summary: {converted, taken, requests: stats.snapshot().total.count}})}\n`,
);
