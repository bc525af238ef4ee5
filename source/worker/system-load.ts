/** CPU and memory of this machine for heartbeats (systeminformation; the first CPU sample takes ~0.5 s). */
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

export async function systemLoad(): Promise<SystemLoad> {
	try {
		const [cpu, memory] = await Promise.all([si.currentLoad(), si.mem()]);
		return {cpuPercent: Math.round(cpu.currentLoad), memoryPercent: Math.round((memory.active / memory.total) * 100)};
	} catch {
		return {};
	}
}
