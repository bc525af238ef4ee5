/**
The keys that change the queue or a worker (retry, cancel, remove, priority, pause, clear dead,
drain, stop): each checks what the selection allows and asks first where the keymap says so.
r, c and x act on the marked jobs when there are any, else on the selected error group's jobs,
else on the selected job; the answer is one confirmation naming how many.
*/
import {priorities, type ConsoleJob, type JobAction, type WorkerCommand} from '../../inspector/console-source.js';
import {
	markedJobs,
	say,
	selectedGroup,
	selectedJob,
	selectedWorker,
	withEffect,
	type ConsoleState,
	type Overlay,
} from './console-state.js';
import {jobRows} from './view.js';

export const titleOf = (job: ConsoleJob | undefined, hash: string) => job?.name ?? hash.slice(0, 16);

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

type Targets = {jobs: ConsoleJob[]; what: string; several: boolean};

/** What r, c and x act on: the job named (from a detail view), the marked jobs, a group's, or the selected one. */
function targets(state: ConsoleState, job: ConsoleJob | undefined): Targets {
	if (job) return {jobs: [job], what: titleOf(job, job.hash), several: false};
	const marked = markedJobs(state);
	if (marked.length > 0) return {jobs: marked, what: plural(marked.length, 'marked job'), several: true};
	const group = selectedGroup(state);
	if (group && state.snapshot && (state.pane === 'failed' || state.pane === 'dead')) {
		const jobs = jobRows(state.snapshot, state.pane, state.filter, state.sort[state.pane], group.signature);
		return {jobs, what: `${plural(jobs.length, 'job')} failing with "${group.signature.slice(0, 60)}"`, several: true};
	}
	const selected = selectedJob(state);
	return selected
		? {jobs: [selected], what: titleOf(selected, selected.hash), several: false}
		: {jobs: [], what: '', several: false};
}

function confirm(state: ConsoleState, confirmation: Extract<Overlay, {kind: 'confirm'}>['confirmation']): ConsoleState {
	return {...state, overlay: {kind: 'confirm', confirmation}};
}

const refusal: Record<'retry' | 'cancel' | 'remove', (job: ConsoleJob) => string> = {
	retry: job =>
		`only failed and dead jobs are retried; this one is ${job.state === 'processing' ? 'running' : `in ${job.state}`}`,
	cancel: job => `a ${job.state} job cannot be cancelled`,
	remove: job =>
		job.state === 'processing'
			? 'a running job is not removed: cancel it first'
			: `a ${job.state} job is not removed here (blobforge remove --force deletes a result too)`,
};

/** r, c, x. `job`: the job of an open detail view. */
export function jobAction(
	state: ConsoleState,
	action: 'retry' | 'cancel' | 'remove',
	now: number,
	job?: ConsoleJob,
): ConsoleState {
	const target = targets(state, job);
	if (target.jobs.length === 0)
		return say(
			state,
			state.pane === 'workers' ? 'select a job in one of the job panes first' : 'no job selected',
			'error',
			now,
		);
	const allowed = target.jobs.filter(j => j.actions.includes(action as JobAction));
	if (allowed.length === 0) return say(state, refusal[action](target.jobs[0]!), 'error', now);
	const hashes = allowed.map(j => j.hash);
	const skipped = target.jobs.length - allowed.length;
	const also = skipped > 0 ? ` (${plural(skipped, 'other')} cannot be: left as they are)` : '';
	if (action === 'retry' && !target.several)
		return say(withEffect(state, {kind: 'retry', hashes}), `retrying ${target.what}…`, 'info', now);
	if (action === 'retry')
		return confirm(state, {prompt: `Retry ${target.what}${also}?`, effect: {kind: 'retry', hashes}});
	if (action === 'cancel') {
		const running = allowed.find(j => j.state === 'processing');
		return confirm(state, {
			prompt:
				`Cancel ${target.what}${also}?` +
				(running && !target.several ? ` Its worker (${running.run?.worker}) stops at its next heartbeat.` : '') +
				` ${target.several ? 'They go' : 'The job goes'} to dead-letter.`,
			effect: {kind: 'cancel', hashes},
		});
	}
	return confirm(state, {
		prompt: `Remove ${target.what}${also} for good: queue records, raw PDF, logs and manifest entry?`,
		effect: {kind: 'remove', hashes},
	});
}

export function priorityAction(state: ConsoleState, now: number, job: ConsoleJob | undefined): ConsoleState {
	const selected = job ?? selectedJob(state);
	if (!selected) return say(state, 'no job selected', 'error', now);
	if (!selected.actions.includes('reprioritize'))
		return say(
			state,
			'only queued jobs change priority (retry a failed or dead one with a priority from the CLI)',
			'error',
			now,
		);
	return {
		...state,
		overlay: {
			kind: 'priority',
			hash: selected.hash,
			title: titleOf(selected, selected.hash),
			index: Math.max(0, priorities.indexOf(selected.priority)),
		},
	};
}

export function pauseAction(state: ConsoleState): ConsoleState {
	return confirm(
		state,
		state.snapshot?.paused !== undefined
			? {prompt: 'Resume the queue: workers claim jobs of every priority again?', effect: {kind: 'pause', pause: false}}
			: {
					prompt: 'Pause the queue: workers stop claiming jobs (running jobs finish)? Every console shows it.',
					effect: {kind: 'pause', pause: true},
				},
	);
}

export function clearDeadAction(state: ConsoleState, now: number): ConsoleState {
	const count = state.snapshot?.counts.total.dead ?? 0;
	if (count === 0) return say(state, 'the dead-letter queue is empty', 'info', now);
	return confirm(state, {
		prompt: `Clear the dead-letter queue: remove ${plural(count, 'dead job')} for good? Their PDFs stay in the store.`,
		effect: {kind: 'clear-dead'},
	});
}

/** d and K on a worker row (or in a worker's detail view, `id`). */
export function workerAction(state: ConsoleState, command: WorkerCommand, now: number, id?: string): ConsoleState {
	const worker = id ? state.snapshot?.workers.find(w => w.id === id) : selectedWorker(state);
	if (!worker) return say(state, 'select a worker in the Workers pane (6) first', 'error', now);
	if (worker.status === 'stopped' || worker.status === 'gone')
		return say(state, `${worker.id} is ${worker.status}: nothing would read a command`, 'error', now);
	if (worker.command)
		return say(
			state,
			`${worker.id} is already ${worker.command.command === 'drain' ? 'draining' : 'stopping'}`,
			'info',
			now,
		);
	const leases = state.snapshot?.active.filter(j => j.run?.worker === worker.id).map(j => j.hash) ?? [];
	const job = worker.currentJob ? ` (now on ${worker.currentJob})` : '';
	return confirm(state, {
		prompt:
			command === 'drain'
				? `Drain ${worker.id}${job}: it finishes its job, claims no other and exits?`
				: `Stop ${worker.id}${job}: its job is handed back (not counted) and it exits?`,
		effect: {kind: 'worker-command', worker: worker.id, command, leases},
	});
}
