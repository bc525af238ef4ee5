/** The fleet simulator's scenarios: the grid of fleet sizes, backlogs and events. */
import type {Scenario} from './scenario.js';

const fiveMinutes = {medianSeconds: 300, p99Seconds: 900};
const oneMinute = {medianSeconds: 60, p99Seconds: 180};

const w1000Drain: Scenario = {
	name: 'w1000-drain',
	workers: 1000,
	backlog: 5000,
	drain: true,
	consoles: 1,
	duration: fiveMinutes,
	seconds: 7200,
	warmup: 60,
};

/** The grid: W = 1 … 10,000; backlogs of 10k, 100k, 1M; a trickle; a drain; a fleet restart; 1 and 5 consoles. */
export const scenarios: Scenario[] = [
	{
		name: 'w1-backlog10k',
		workers: 1,
		backlog: 10_000,
		consoles: 1,
		duration: fiveMinutes,
		// Long enough for ~130 jobs: a per-job figure of a few dozen log-normal durations wanders by ±10 %.
		seconds: 12 * 3600,
		warmup: 600,
	},
	{
		name: 'w10-backlog10k',
		workers: 10,
		backlog: 10_000,
		consoles: 1,
		duration: fiveMinutes,
		seconds: 4 * 3600,
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
		name: 'w100-backlog1m',
		workers: 100,
		backlog: 1_000_000,
		consoles: 1,
		duration: fiveMinutes,
		seconds: 3600,
		warmup: 600,
	},
	{
		name: 'w1000-backlog100k',
		workers: 1000,
		backlog: 100_000,
		consoles: 5,
		duration: fiveMinutes,
		seconds: 1800,
		warmup: 600,
	},
	{
		name: 'w1000-1min-backlog100k',
		workers: 1000,
		backlog: 100_000,
		consoles: 1,
		duration: oneMinute,
		seconds: 900,
		warmup: 300,
	},
	{
		name: 'w10000-backlog1m',
		workers: 10_000,
		backlog: 1_000_000,
		consoles: 1,
		duration: fiveMinutes,
		seconds: 600,
		warmup: 600,
	},
	{
		name: 'w1000-trickle',
		workers: 1000,
		backlog: 0,
		trickle: 3,
		consoles: 1,
		duration: fiveMinutes,
		seconds: 1800,
		// A fleet that starts idle on an empty queue fills only as the trickle comes: 1,000 workers at 3
		// jobs a second take over five minutes to all hold a job, and as long again until completions
		// settle; measured from 25 minutes, the steady state.
		warmup: 1500,
	},
	w1000Drain,
	// The same drain with four times the jobs, and with idle workers polling every minute: what of a
	// drain's cost is its idle tail, and what `--idle-poll` buys back.
	{...w1000Drain, name: 'w1000-drain20k', backlog: 20_000, seconds: 20_000},
	{...w1000Drain, name: 'w1000-drain-poll60', idlePollSeconds: 60},
	{
		name: 'w1000-restart',
		workers: 1000,
		backlog: 100_000,
		restartAt: 900,
		consoles: 1,
		duration: fiveMinutes,
		seconds: 900,
		warmup: 600,
	},
	{
		name: 'w100-drain',
		workers: 100,
		backlog: 500,
		drain: true,
		consoles: 1,
		duration: oneMinute,
		seconds: 3600,
		warmup: 30,
	},
];

/** What `npm run fleet -- small` runs (and the test suite, in tests/fleet/). */
export const smallScenarios = ['w10-backlog10k', 'w100-drain'];
