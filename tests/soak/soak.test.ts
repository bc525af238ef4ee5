/** The short soak (the full one is `npm run soak`): the same chaos with smaller numbers. */
import test from 'ava';
import {requireS3} from '../support/s3-server.js';
import {formatSoakReport, runSoak} from './soak.js';

test(
	'soak: 150 jobs, 4 workers (two of 3 slots) killed 10 times (kill -9 and SIGTERM), 5 % store faults: nothing lost, nothing stuck, every result ' +
		'right',
	async t => {
		const server = requireS3(t);
		if (!server) return;
		const report = await runSoak(server, {
			jobs: 150,
			workers: 4,
			slots: 3,
			kills: 10,
			faultRate: 0.05,
			timeoutMs: 240_000,
		});
		t.log(formatSoakReport(report));
		t.is(report.jobsLost, 0, 'no job lost');
		t.is(report.jobsStuck, 0, 'no job left running');
		t.is(report.jobsDone, 150, 'every job done (max_retries 8 outlasts the faults)');
		t.is(report.resultsValid, 150, "every result is its own job's");
		t.deepEqual(report.resultsInvalid, []);
		t.is(report.completedTwice, 0, 'no job completed twice');
		t.is(report.kills.sigkill + report.kills.sigterm, 10);
		t.true(report.faultsInjected > 0, 'faults were injected');
	},
);
