/**
What a scenario's throughput is measured against: the fleet with no overhead at all, each machine
converting its own stream of attempts (sim-converter.ts: the same durations and failures its real
worker drew) with no claim, listing, janitor pass or restart between them.
*/
import type {RemoteConfig} from '../../source/queue/records.js';
import {retryBackoffMs} from '../../source/queue/transitions/finish.js';
import {type AttemptDraws, drawAttempt} from './sim-converter.js';

/** Each machine's id and when its first worker started. */
export type Machines = Map<string, number>;

/** Jobs completed (and attempts ended) between `fromMs` and `toMs` by machines that never wait for work. */
export function idealBacklog(
	machines: Machines,
	drawsOf: (id: string) => AttemptDraws,
	fromMs: number,
	toMs: number,
): {completed: number; attempts: number} {
	let completed = 0;
	let attempts = 0;
	for (const [id, startMs] of machines) {
		const draws = drawsOf(id);
		for (let at = startMs; ; ) {
			const attempt = drawAttempt(draws);
			at += attempt.ms;
			if (at > toMs) break;
			if (at <= fromMs) continue;
			attempts++;
			if (attempt.outcome === 'done') completed++;
		}
	}
	return {completed, attempts};
}

/**
When an ideal FIFO queue would end a drain of `jobs` queued jobs: the machine free first takes the
job claimable longest the moment one is (the jobs never tried first, then each retry from its retry
time, as `fail` sets it, with no janitor pass to wait for), and a
job ends done, failed for good or past max_retries, as the real fleet's do. A queue that put due
retries first would end some drains sooner and others later (a retry's backoff can leave a machine
waiting); the product claims in random order, so its drains end on either side of this one.
*/
export function idealDrainEnd(
	machines: Machines,
	drawsOf: (id: string) => AttemptDraws,
	jobs: number,
	config: Pick<RemoteConfig, 'retry_backoff' | 'max_retries'>,
): number {
	const free = [...machines].map(([id, at]) => ({at, draws: drawsOf(id)}));
	const retries: Array<{at: number; attempt: number}> = [];
	let fresh = jobs;
	let end = 0;
	while (fresh > 0 || retries.length > 0) {
		let machine = free[0];
		for (const m of free) if (machine === undefined || m.at < machine.at) machine = m;
		if (machine === undefined) return Number.POSITIVE_INFINITY;
		let start = machine.at;
		let attempt = 1;
		if (fresh > 0) fresh--;
		else {
			let next = 0;
			for (let i = 1; i < retries.length; i++) if ((retries[i]?.at ?? 0) < (retries[next]?.at ?? 0)) next = i;
			const [due] = retries.splice(next, 1);
			if (due === undefined) break;
			start = Math.max(start, due.at);
			attempt = due.attempt;
		}
		const drawn = drawAttempt(machine.draws);
		machine.at = start + drawn.ms;
		end = Math.max(end, machine.at);
		if (drawn.outcome === 'failed' && attempt <= config.max_retries)
			retries.push({at: machine.at + retryBackoffMs(config, attempt), attempt: attempt + 1});
	}
	return end;
}
