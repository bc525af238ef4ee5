/**
An operator's commands to this worker (queue/transitions/worker-command.ts): heard from a lease a
heartbeat adopted, from the idle signal naming this worker, or at an idle registration rewrite; obeyed by
the worker (worker.ts). Requests: a GET of registry/commands/<id>.json when one of those says there
may be a command, and a DELETE once it is carried out. Nothing in steady state.
*/
import type {QueueContext} from '../queue/queue-context.js';
import {parseJsonObject, type WorkerCommand} from '../queue/records.js';
import {clearWorkerCommand, readWorkerCommand} from '../queue/transitions/worker-command.js';
import type {WorkerEmitter} from './events.js';

export type HeardCommand = {command: WorkerCommand; by: string; at: number};

export class WorkerCommands {
	/** The command being carried out; the first heard wins, except that stop overrides drain. */
	pending?: HeardCommand;
	/** Server time of the worker's first registration: an older command was meant for an earlier process. */
	private startedAt = Number.POSITIVE_INFINITY;

	constructor(
		private readonly context: Pick<QueueContext, 'store' | 'keys'>,
		private readonly workerId: string,
		private readonly events: WorkerEmitter,
		private readonly obey: (heard: HeardCommand) => void,
	) {}

	started(serverTime: number): void {
		this.startedAt = Math.min(this.startedAt, serverTime);
	}

	/** A lease the worker adopted carries a command: read the record (who sent it), else take the lease's word. */
	async fromLease(command: WorkerCommand | undefined): Promise<void> {
		if (!command || this.pending?.command === command || this.pending?.command === 'stop') return;
		if (!(await this.check('lease'))) this.hear({command, by: 'an operator', at: 0}, 'lease');
	}

	/** The idle signal changed: a body naming this worker means a command waits for it. */
	async fromSignal(body: Uint8Array | undefined): Promise<void> {
		if (!body) return;
		const json = parseJsonObject(body);
		if (json.ok && json.value['command'] === this.workerId) await this.check('signal');
	}

	/** Reads the command record; whether one was heard. A stale or malformed one is removed unheeded. */
	async check(via: 'lease' | 'signal' | 'registration'): Promise<boolean> {
		const {command, problem} = await readWorkerCommand(this.context, this.workerId);
		if (problem) {
			this.events.emit('malformed-record', {key: this.context.keys.workerCommand(this.workerId), reason: problem});
			await clearWorkerCommand(this.context, this.workerId);
			return false;
		}
		if (!command) return false;
		if (command.at < this.startedAt) {
			this.events.emit('worker-command', {command: command.command, by: command.by, via, stale: true});
			await clearWorkerCommand(this.context, this.workerId);
			return false;
		}
		this.hear(command, via);
		return true;
	}

	/** Once carried out: the record goes, so a restarted worker of the same id is not stopped again. */
	async done(): Promise<void> {
		if (this.pending) await clearWorkerCommand(this.context, this.workerId);
	}

	private hear(heard: HeardCommand, via: 'lease' | 'signal' | 'registration'): void {
		if (this.pending?.command === heard.command || this.pending?.command === 'stop') return;
		this.pending = {command: heard.command, by: heard.by, at: heard.at};
		this.events.emit('worker-command', {command: heard.command, by: heard.by, via});
		this.obey(this.pending);
	}
}
