/** CPU and memory of this machine for heartbeats (systeminformation; the first CPU sample takes ~0.5 s). */
import si from 'systeminformation';

export type SystemLoad = {cpuPercent?: number; memoryPercent?: number};

export async function systemLoad(): Promise<SystemLoad> {
	try {
		const [cpu, memory] = await Promise.all([si.currentLoad(), si.mem()]);
		return {cpuPercent: Math.round(cpu.currentLoad), memoryPercent: Math.round((memory.active / memory.total) * 100)};
	} catch {
		return {};
	}
}
