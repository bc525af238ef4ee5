/**
The fleet simulator's small scenarios (bench/fleet/): the real workers, janitor and console source
on a simulated S3 in virtual time, held to the fleet targets of DESIGN.md "Fleet scale".
*/
import test from 'ava';
import {scenarios} from '../../bench/fleet/main-scenarios.js';
import {runScenario} from '../../bench/fleet/scenario.js';

const named = (name: string) => {
	const scenario = scenarios.find(s => s.name === name);
	if (!scenario) throw new Error(`no scenario ${name}`);
	return scenario;
};

test.serial(
	'10 workers on a backlog of 10,000 five-minute jobs: busy all the time, ≤ 12 requests and ≤ $0.04 per 1,000 jobs',
	async t => {
		const result = await runScenario(named('w10-backlog10k'));
		t.log(JSON.stringify({...result, requestsPerJobByKind: undefined}));
		t.true(result.completed > 90, `${result.completed} jobs`);
		t.is(result.idleWhileClaimableSeconds, 0, 'no worker idle while a job was claimable');
		t.true(result.utilisationWhileClaimable >= 0.98, `utilisation ${result.utilisationWhileClaimable}`);
		t.true(result.requestsPerJob <= 12, `${result.requestsPerJob} requests per job`);
		t.true(result.dollarsPer1000Jobs <= 0.04, `$${result.dollarsPer1000Jobs} per 1,000 jobs`);
		t.true(result.preconditionFailedPerJob <= 0.1, `${result.preconditionFailedPerJob} refused writes per job`);
		t.is(result.slowDownsPerJob, 0);
		t.deepEqual(result.problems, []);
	},
);

test.serial('100 workers drain 500 one-minute jobs: none idle while a job waits, every job done', async t => {
	const result = await runScenario(named('w100-drain'));
	t.log(JSON.stringify({...result, requestsPerJobByKind: undefined}));
	t.true(result.completed >= 490, `${result.completed} of 500 (a few fail for good: 0.2 % of attempts)`);
	t.is(result.idleWhileClaimableSeconds, 0);
	t.true(result.utilisationWhileClaimable >= 0.98, `utilisation ${result.utilisationWhileClaimable}`);
	t.true(result.preconditionFailedPerJob <= 0.2, `${result.preconditionFailedPerJob} refused writes per job`);
	t.deepEqual(result.problems, []);
});
