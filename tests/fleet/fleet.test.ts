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

// One simulated hour of ten workers is about 100 jobs: a few failures or janitor turns more move a
// single run's requests per job by ±1, so the cost targets hold over eight seeded hours pooled, and
// the invariants (nobody idle, no SlowDown, no problem) in every one of them; so does throughput against
// the ideal (W / mean duration), which one hour's draws move by ±15 %.
test.serial(
	'10 workers on a backlog of 10,000 five-minute jobs: busy all the time, ≤ 12 requests and ≤ $0.04 per 1,000 jobs',
	async t => {
		let jobs = 0;
		let requests = 0;
		let dollars = 0;
		let refused = 0;
		let ideal = 0;
		for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
			const result = await runScenario({...named('w10-backlog10k'), seconds: 3600, seed});
			t.log(JSON.stringify({seed, ...result, requestsPerJobByKind: undefined, consoles: undefined}));
			t.is(result.idleWhileClaimableSeconds, 0, `seed ${seed}: no worker idle while a job was claimable`);
			t.true(result.utilisationWhileClaimable >= 0.98, `seed ${seed}: utilisation ${result.utilisationWhileClaimable}`);
			// The fleet's capacity in its converters (failed and crashed attempts too): what the queue controls.
			t.true(result.converting >= 0.98, `seed ${seed}: converting ${result.converting}`);
			t.is(result.slowDownsPerJob, 0);
			t.deepEqual(result.problems, []);
			jobs += result.completed;
			ideal += result.completed / result.ofIdeal;
			requests += result.requestsPerJob * result.completed;
			dollars += result.dollarsPer1000Jobs * result.completed;
			refused += result.preconditionFailedPerJob * result.completed;
		}
		t.log(
			`pooled over ${jobs} jobs: ${(requests / jobs).toFixed(2)} requests, $${(dollars / jobs).toFixed(4)} per 1,000`,
		);
		// The jobs an hour takes are drawn (log-normal durations, crashes): one seed's count swings by ±15 %
		// around its ideal, the pool of eight by a few per cent.
		t.true(jobs >= 0.95 * ideal, `${jobs} jobs where the fleet's ideal is ${ideal.toFixed(0)}`);
		t.true(requests / jobs <= 12, `${(requests / jobs).toFixed(2)} requests per job`);
		t.true(dollars / jobs <= 0.04, `$${(dollars / jobs).toFixed(4)} per 1,000 jobs`);
		t.true(refused / jobs <= 0.1, `${(refused / jobs).toFixed(3)} refused writes per job`);
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
