/**
`npm run fleet`: the fleet simulator's scenarios, a table row each, and bench/results/fleet.json.
`npm run fleet -- small` runs the small scenarios only (the one `npm test` runs too); a name runs that scenario.
*/
import {mkdir, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {scenarios, smallScenarios} from './main-scenarios.js';
import {runScenario} from './scenario.js';

type Row = Awaited<ReturnType<typeof runScenario>> & {runSeconds: number; backlog: number};

const columns: Array<[string, (r: Row) => string | number]> = [
	['scenario', r => r.scenario],
	['W', r => r.workers],
	['backlog', r => r.backlog],
	['jobs', r => r.completed],
	['of ideal', r => r.ofIdeal],
	['of W/mean', r => r.ofMeanIdeal],
	['converting', r => r.converting],
	['util. (claimable)', r => r.utilisationWhileClaimable],
	['idle while claimable, s', r => r.idleWhileClaimableSeconds],
	['enqueue→claim p50/p99 s', r => `${r.enqueueToClaimP50s}/${r.enqueueToClaimP99s}`],
	['req/job', r => r.requestsPerJob],
	['$/1k jobs', r => r.dollarsPer1000Jobs],
	['$/1k +consoles', r => r.dollarsPer1000JobsWithConsoles],
	['janitor req/h', r => r.janitorRequestsPerHour],
	['412/job', r => r.preconditionFailedPerJob],
	['503/job', r => r.slowDownsPerJob],
	['head KB', r => Math.round(r.snapshotBytes / 100) / 10],
	['shards MB', r => Math.round(r.shardBytes / 1e4) / 100],
	['console req/refresh', r => r.consoles.map(c => c.requestsPerRefresh).join(' ')],
	['console KB/refresh', r => r.consoles.map(c => c.kbPerRefresh).join(' ')],
	['first refresh s', r => r.consoles.map(c => c.firstRefreshSeconds).join(' ')],
	['restart req/worker (recovery)', r => (r.restart ? `${r.restart.perWorker} (${r.restart.recoveryPerWorker})` : '')],
	['run s', r => r.runSeconds],
];

export function table(rows: Row[]): string {
	const lines = [`| ${columns.map(c => c[0]).join(' | ')} |`, `|${columns.map(() => '---').join('|')}|`];
	for (const row of rows) lines.push(`| ${columns.map(c => String(c[1](row))).join(' | ')} |`);
	return lines.join('\n');
}

async function main(): Promise<void> {
	const wanted = process.argv.slice(2);
	const chosen =
		wanted.length === 0
			? scenarios
			: scenarios.filter(s => wanted.includes(s.name) || (wanted.includes('small') && smallScenarios.includes(s.name)));
	const output = process.env['BLOBFORGE_FLEET_OUTPUT'] ?? 'bench/results/fleet.json';
	await mkdir(path.dirname(output), {recursive: true});
	const rows: Row[] = [];
	for (const scenario of chosen) {
		const started = performance.now();
		const result = await runScenario(scenario, line => console.error(line));
		rows.push({...result, backlog: scenario.backlog, runSeconds: Math.round((performance.now() - started) / 100) / 10});
		console.error(`${scenario.name}: done in ${rows.at(-1)!.runSeconds} s`);
		await writeFile(output, `${JSON.stringify(rows, null, 2)}\n`);
	}
	console.log(table(rows));
	console.log(`\nJSON: ${output}`);
}

await main();
