/**
The built-in conversion children that wait for the next job, one per slot at most: each back from
its last job (a child serves up to 50, run-conversion.ts), or one started ahead when the running
child will not come back. A child takes ~0.45 s to start (Node, then pdf.js, then a warm-up document), which for a short
PDF is longer than the conversion. A crash, a hang or an error ends the child with its job, so it
never reaches another. A waiting child holds ~96 MB: the worker drops them when the queue runs dry,
and no spare is started while the machine has less than `minFreeBytes` of memory available.
*/
import type {ChildProcess} from 'node:child_process';
import os from 'node:os';
import {isProcessAlive} from '../lib/processes.js';

/** Below this much available memory no spare is started (the waiting child holds ~96 MB). */
const minFreeMemoryBytes = 1024 ** 3;

type Unreffable = {ref?(): void; unref?(): void} | null | undefined;

/** A spare must not keep the worker's process alive, nor be counted as work in progress. */
function setRef(child: ChildProcess, isRef: boolean): void {
	const handles: Unreffable[] = [
		child,
		child.stdout as Unreffable,
		child.stderr as Unreffable,
		child.channel as Unreffable,
	];
	for (const handle of handles) {
		if (isRef) handle?.ref?.();
		else handle?.unref?.();
	}
}

/** Node learns of a child's death a little late (at its next turn of the event loop); the pid is asked too. */
function isUsable(child: ChildProcess): boolean {
	return (
		child.exitCode === null &&
		child.signalCode === null &&
		child.connected &&
		child.pid !== undefined &&
		isProcessAlive(child.pid)
	);
}

export class SpareConverter {
	/** Children waiting for a job, oldest first: at most `keep` (a worker's slots), each back from a job or started ahead. */
	private readonly waiting: ChildProcess[] = [];

	constructor(
		private readonly start: () => ChildProcess,
		private readonly options: {minFreeBytes?: number; freeMemory?: () => number; keep?: () => number} = {},
	) {}

	private get capacity(): number {
		return Math.max(1, this.options.keep?.() ?? 1);
	}

	/** The process id of a waiting child (the oldest), if one waits. */
	get pid(): number | undefined {
		return this.waiting[0]?.pid;
	}

	/** Starts a child for the next job, unless a usable one is waiting already. */
	prepare(): void {
		this.dropDead();
		if (this.waiting.length > 0) return;
		// Short of memory, the next job pays the start-up rather than risk the running conversion.
		if ((this.options.freeMemory ?? os.freemem)() < (this.options.minFreeBytes ?? minFreeMemoryBytes)) return;
		const child = this.start();
		// Whatever it prints before its job is nobody's log; a failed start shows when it is taken.
		child.stdout?.resume();
		child.stderr?.resume();
		child.on('error', () => undefined);
		setRef(child, false);
		this.waiting.push(child);
	}

	/** A waiting child that is still alive and connected (the most recently used); the caller gives it its job. */
	take(): ChildProcess | undefined {
		this.dropDead();
		const child = this.waiting.pop();
		if (child) setRef(child, true);
		return child;
	}

	/**
	A child back from a job it converted, healthy: it waits for the next. Beyond `keep` waiting, the
	oldest is ended: one warm child per slot is enough.
	*/
	keep(child: ChildProcess): void {
		if (this.waiting.includes(child)) return;
		// While it waits, an error of its own (a failed send) is nobody's to throw.
		if (child.listenerCount('error') === 0) child.on('error', () => undefined);
		child.stdout?.resume();
		child.stderr?.resume();
		setRef(child, false);
		this.waiting.push(child);
		while (this.waiting.length > this.capacity) this.waiting.shift()?.kill('SIGKILL');
	}

	/** Ends every waiting child. */
	dispose(): void {
		for (const child of this.waiting.splice(0)) child.kill('SIGKILL');
	}

	private dropDead(): void {
		for (const child of [...this.waiting]) {
			if (isUsable(child)) continue;
			child.kill('SIGKILL');
			this.waiting.splice(this.waiting.indexOf(child), 1);
		}
	}
}
