/**
`npm run fleet`: the fleet simulator's scenarios, a table row each, and bench/results/fleet.json.
`npm run fleet -- small` runs the small scenarios only (the one `npm test` runs too); a name runs that scenario.
*/
import {mkdir, writeFile} from 'node:fs/promises';
import {runScenario, type Scenario} from './scenario.js';

const fiveMinutes = {medianSeconds: 300, p99Seconds: 900};
const oneMinute = {medianSeconds: 60, p99Seconds: 180};

export const scenarios: Scenario[] = [
	{name: 'w1-backlog10k', workers: 1, backlog: 10_000, consoles: 1, duration: oneMinute, seconds: 3600, warmup: 120},
	{
		name: 'w10-backlog10k',
		workers: 10,
		backlog: 10_000,
		consoles: 1,
		duration: fiveMinutes,
		seconds: 3600,
		warmup: 600,
	},
	{
		name: 'w100-backlog100k',
		workers: 100,
		backlog: 100_000,
		consoles: 1,
		duration: fiveMinutes,
		seconds: 3600,
		warmup: 600,
	},
	{
		name: 'w1000-backlog100k',
		workers: 1000,
		backlog: 100_000,
		consoles: 1,
		duration: fiveMinutes,
		seconds: 1800,
		warmup: 600,
	},
	{
		name: 'w10000-backlog1m',
		workers: 10_000,
		backlog: 1_000_000,
		consoles: 5,
		duration: fiveMinutes,
		seconds: 1200,
		warmup: 600,
	},
	{
		name: 'w1000-trickle',
		workers: 1000,
		backlog: 0,
		trickle: 2,
		consoles: 1,
		duration: fiveMinutes,
		seconds: 1800,
		warmup: 600,
	},
	{
		name: 'w1000-drain',
		workers: 1000,
		backlog: 5000,
		drain: true,
		consoles: 1,
		duration: fiveMinutes,
		seconds: 7200,
		warmup: 60,
	},
	{
		name: 'w1000-restart',
		workers: 1000,
		backlog: 100_000,
		restartAt: 900,
		consoles: 1,
		duration: fiveMinutes,
		seconds: 1500,
		warmup: 600,
	},
];

export const smallScenarios = ['w10-backlog10k', 'w100-drain'];
scenarios.push({
	name: 'w100-drain',
	workers: 100,
	backlog: 500,
	drain: true,
	consoles: 1,
	duration: oneMinute,
	seconds: 3600,
	warmup: 30,
});

async function main(): Promise<void> {
	const wanted = process.argv.slice(2);
	const chosen =
		wanted.length === 0
			? scenarios
			: scenarios.filter(s => wanted.includes(s.name) || (wanted.includes('small') && smallScenarios.includes(s.name)));
	const results = [];
	for (const scenario of chosen) {
		const started = performance.now();
		const result = await runScenario(scenario);
		results.push({...result, cpuSeconds: Math.round((performance.now() - started) / 100) / 10});
		console.log(JSON.stringify(results.at(-1)));
	}
	await mkdir('bench/results', {recursive: true});
	await writeFile('bench/results/fleet.json', `${JSON.stringify(results, null, 2)}\n`);
}

await main();
