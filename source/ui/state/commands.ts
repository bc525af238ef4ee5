/** What a key does in a list (no view or dialog open): one pure step from state to state. */
import type {ConsoleJob} from '../../inspector/console-source.js';
import {clearDeadAction, jobAction, pauseAction, priorityAction, titleOf, workerAction} from './action-keys.js';
import {
	currentRows,
	groupingOf,
	intervalSteps,
	listsGroups,
	reselect,
	say,
	select,
	selectedGroup,
	selectedJob,
	selectedWorker,
	withEffect,
	type ConsoleState,
} from './console-state.js';
import {bindingOf, type Command} from './keymap.js';
import {historyLines, workerLines} from './text-views.js';
import {isGroupedPane, jobGroups, jobRows, panes, sortColumnNames, visibleRows} from './view.js';

/** What of a job's row makes its open detail worth reading again: its state and attempt. */
export function rowMark(job: ConsoleJob | undefined): string {
	return job ? `${job.state}/${job.run?.attempt ?? ''}/${job.attempts}` : 'absent';
}

function jobByHash(state: ConsoleState, hash: string): ConsoleJob | undefined {
	const s = state.snapshot;
	if (!s) return undefined;
	return (
		s.active.find(j => j.hash === hash) ??
		s.todo.find(j => j.hash === hash) ??
		s.failed.find(j => j.hash === hash) ??
		s.dead.find(j => j.hash === hash)
	);
}

/**
Runs a command on the list. `hashOverride` / `workerOverride`: the job or worker of an open detail
view, whose keys act on it as they do on its row.
*/
export function runCommand(
	state: ConsoleState,
	command: Command,
	now: number,
	hashOverride?: string,
	workerOverride?: string,
): ConsoleState {
	const binding = bindingOf(command);
	if (binding.isAction && state.isReadOnly)
		return say(
			state,
			'read-only console: actions are disabled (--read-only, or credentials that may not write)',
			'error',
			now,
		);
	const job = hashOverride ? jobByHash(state, hashOverride) : selectedJob(state);
	const hash = hashOverride ?? job?.hash;
	const needJob = (): ConsoleState =>
		say(
			state,
			state.pane === 'workers' ? 'select a job in one of the job panes first' : 'no job selected',
			'error',
			now,
		);
	switch (command) {
		case 'quit':
			return withEffect(state, {kind: 'quit'});
		case 'help':
			return {...state, overlay: {kind: 'help', title: 'Keys', scroll: 0}};
		case 'next-pane':
		case 'previous-pane': {
			const step = command === 'next-pane' ? 1 : panes.length - 1;
			return reselect({...state, pane: panes[(panes.indexOf(state.pane) + step) % panes.length]!});
		}
		case 'pane-1':
		case 'pane-2':
		case 'pane-3':
		case 'pane-4':
		case 'pane-5':
		case 'pane-6':
			return reselect({...state, pane: panes[Number(command.slice(5)) - 1]!});
		case 'up':
			return select(state, currentRows(state).index - 1);
		case 'down':
			return select(state, currentRows(state).index + 1);
		case 'page-up':
			return select(state, currentRows(state).index - visibleRows(state.pane, state.window));
		case 'page-down':
			return select(state, currentRows(state).index + visibleRows(state.pane, state.window));
		case 'home':
			return select(state, 0);
		case 'end':
			return select(state, Number.MAX_SAFE_INTEGER);
		case 'back': {
			// Esc steps back one thing at a time: an open group, then the marks, then the filter.
			const grouping = groupingOf(state);
			if (isGroupedPane(state.pane) && grouping?.open !== undefined)
				return reselect({...state, grouping: {...state.grouping, [state.pane]: {on: true}}});
			if ((state.marks[state.pane] ?? []).length > 0)
				return say({...state, marks: {...state.marks, [state.pane]: []}}, 'marks cleared', 'info', now);
			return state.filter === '' ? state : reselect(say({...state, filter: ''}, 'filter cleared', 'info', now));
		}
		case 'filter':
			return {...state, filterDraft: state.filter};
		case 'sort':
		case 'reverse-sort': {
			const current = state.sort[state.pane];
			const names = sortColumnNames(state.pane);
			const next =
				command === 'sort'
					? {index: (current.index + 1) % names.length, descending: false}
					: {...current, descending: !current.descending};
			return reselect(
				say(
					{...state, sort: {...state.sort, [state.pane]: next}},
					`sorted by ${names[next.index]}${next.descending ? ', reversed' : ''}`,
					'info',
					now,
				),
			);
		}
		case 'pause':
			return say(
				{...state, isPaused: !state.isPaused},
				state.isPaused ? 'refreshing again' : 'paused: press space to resume',
				'info',
				now,
			);
		case 'faster':
		case 'slower': {
			const steps = intervalSteps.filter(ms => ms >= state.minIntervalMs);
			const at = steps.findIndex(ms => ms >= state.intervalMs);
			const index = Math.max(
				0,
				Math.min(steps.length - 1, (at < 0 ? steps.length - 1 : at) + (command === 'faster' ? -1 : 1)),
			);
			const intervalMs = steps[index] ?? state.minIntervalMs;
			const floor =
				command === 'faster' && intervalMs === state.intervalMs && intervalMs === state.minIntervalMs
					? ` (the floor: console_min_refresh = ${state.minIntervalMs / 1000} s)`
					: '';
			return say({...state, intervalMs}, `refreshing every ${intervalMs / 1000} s${floor}`, 'info', now);
		}
		case 'refresh':
			return withEffect(state, {kind: 'refresh', full: true});
		case 'open': {
			const group = selectedGroup(state);
			if (group && isGroupedPane(state.pane))
				return reselect({
					...state,
					grouping: {...state.grouping, [state.pane]: {on: true, open: group.signature}},
					selection: {...state.selection, [state.pane]: {index: 0, offset: 0}},
				});
			const worker = selectedWorker(state);
			if (worker && state.snapshot)
				return {
					...state,
					overlay: {
						kind: 'worker',
						id: worker.id,
						title: `Worker ${worker.id}`,
						scroll: 0,
						lines: workerLines(worker, state.snapshot),
					},
				};
			if (listsGroups(state)) return say(state, 'no group selected', 'error', now);
			if (!hash) return needJob();
			return withEffect(
				{
					...state,
					overlay: {kind: 'detail', hash, title: titleOf(job, hash), scroll: 0, loadedAt: now, seen: rowMark(job)},
				},
				{kind: 'load-detail', hash},
			);
		}
		case 'logs':
			if (!hash) return needJob();
			return withEffect(
				{...state, overlay: {kind: 'logs', hash, title: titleOf(job, hash), scroll: 0, follow: true}},
				{kind: 'load-logs', hash},
			);
		case 'preview':
			if (!hash) return needJob();
			return withEffect(
				{...state, overlay: {kind: 'preview', hash, title: titleOf(job, hash), scroll: 0}},
				{kind: 'load-preview', hash},
			);
		case 'retry':
		case 'cancel':
		case 'remove':
			return jobAction(state, command, now, hashOverride ? job : undefined);
		case 'retry-all': {
			const s = state.snapshot;
			if (!s) return state;
			const from: Array<'failed' | 'dead'> =
				state.pane === 'failed' || state.pane === 'dead' ? [state.pane] : ['failed', 'dead'];
			const matching = from.flatMap(pane => jobRows(s, pane, state.filter, state.sort[pane]));
			if (matching.length === 0)
				return say(
					state,
					`no failed or dead job matches${state.filter ? ` the filter "${state.filter}"` : ''}`,
					'error',
					now,
				);
			const scope = state.pane === 'failed' || state.pane === 'dead' ? `${state.pane} ` : 'failed and dead ';
			return {
				...state,
				overlay: {
					kind: 'confirm',
					confirmation: {
						prompt: `Retry ${matching.length} ${scope}job${matching.length === 1 ? '' : 's'}${state.filter ? ` matching "${state.filter}"` : ''}?`,
						effect: {kind: 'retry', hashes: matching.map(j => j.hash)},
					},
				},
			};
		}
		case 'priority':
			return priorityAction(state, now, hashOverride ? job : undefined);
		case 'pause-queue':
			return pauseAction(state);
		case 'clear-dead':
			return clearDeadAction(state, now);
		case 'drain-worker':
		case 'stop-worker':
			return workerAction(state, command === 'drain-worker' ? 'drain' : 'stop', now, workerOverride);
		case 'mark': {
			if (state.pane === 'workers' || listsGroups(state))
				return say(state, 'marks are for jobs: select one in a job pane (a group is acted on whole)', 'error', now);
			if (!job) return needJob();
			const marks = new Set(state.marks[state.pane] ?? []);
			if (marks.has(job.hash)) marks.delete(job.hash);
			else marks.add(job.hash);
			const next = {...state, marks: {...state.marks, [state.pane]: [...marks]}};
			return select(
				say(next, `${marks.size} marked (r, c, x act on them; Esc clears)`, 'info', now),
				currentRows(state).index + 1,
			);
		}
		case 'group': {
			if (!isGroupedPane(state.pane))
				return say(state, 'e groups the Failed (3) and Dead (4) panes by error', 'error', now);
			const on = !state.grouping[state.pane].on;
			const grouping = {...state.grouping, [state.pane]: {on}};
			const count = jobGroups(state.snapshot, state.pane, state.filter).length;
			return reselect(
				say(
					{...state, grouping, selection: {...state.selection, [state.pane]: {index: 0, offset: 0}}},
					on ? `grouped by error: ${count} group${count === 1 ? '' : 's'} (Enter opens one, e ungroups)` : 'ungrouped',
					'info',
					now,
				),
			);
		}
		case 'history':
			return state.snapshot
				? {
						...state,
						overlay: {
							kind: 'history',
							title: 'History',
							scroll: 0,
							lines: historyLines(state.snapshot.history, state.snapshot.serverNow),
						},
					}
				: say(state, 'no data yet', 'info', now);
		case 'copy': {
			const text = workerOverride ?? (state.pane === 'workers' ? selectedWorker(state)?.id : hash);
			if (!text) return say(state, 'nothing selected to copy', 'error', now);
			return say(
				withEffect(state, {kind: 'copy', text}),
				`copied ${text.length > 20 ? `${text.slice(0, 16)}…` : text} (OSC 52; in tmux: set -g set-clipboard on)`,
				'ok',
				now,
			);
		}
		case 'next-match':
		case 'previous-match':
			return say(state, 'n and N step through a search in a text view (/ there searches)', 'info', now);
	}
}
