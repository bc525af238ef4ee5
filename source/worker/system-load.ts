/** CPU and memory of this machine for heartbeats and the registration (systeminformation). */
import si from 'systeminformation';

import {readFile} from 'node:fs/promises';

export type SystemLoad = {cpuPercent?: number; memoryPercent?: number};

/** Resident memory of a process in bytes (Linux /proc); undefined elsewhere or when it is gone. */
export async function processRss(pid: number | undefined): Promise<number | undefined> {
	if (pid === undefined) return undefined;
	try {
		const match = /VmRSS:\s+(\d+) kB/.exec(await readFile(`/proc/${pid}/status`, 'utf8'));
		return match ? Number(match[1]) * 1024 : undefined;
	} catch {
		return undefined;
	}
}

let lastSample: {at: number; load: Promise<SystemLoad>} | undefined;

/**
CPU and memory of this machine, sampled at most every 10 s and shared by every caller:
systeminformation runs a command for the CPU figures (~3 ms of CPU each time), which per job
cost a fast pipeline about 5 % of its throughput.
*/
export async function systemLoad(now = performance.now()): Promise<SystemLoad> {
	if (lastSample && now - lastSample.at < 10_000) return lastSample.load;
	const load = (async () => {
		try {
			const [cpu, memory] = await Promise.all([si.currentLoad(), si.mem()]);
			return {cpuPercent: Math.round(cpu.currentLoad), memoryPercent: Math.round((memory.active / memory.total) * 100)};
		} catch {
			return {};
		}
	})();
	lastSample = {at: now, load};
	return load;
}
