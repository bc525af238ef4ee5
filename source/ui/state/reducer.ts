/**
The console's state and its one pure reducer: keys, snapshots and the answers of actions go in,
a new state comes out. Work that needs the store (refreshing, retrying, loading a log) is queued
as an `Effect` in the state; use-effects.ts performs it and dispatches the answer. Time enters
only through actions, so the reducer is tested as tables of keys and wanted states.
*/
import {
	priorities,
	type ConsoleJob,
	type ConsoleSnapshot,
	type JobDetail,
	type Priority,
} from '../../inspector/console-source.js';
import {wrapLines} from '../text.js';
import {bindingOf, commandFor, helpLines, type Command, type KeyName} from './keymap.js';
import {
	jobRows,
	overlayRows,
	panes,
	rowKeys,
	sortColumnNames,
	visibleRows,
	type PaneId,
	type SortState,
	type Window,
} from './view.js';

export type Effect =
	/** `full`: read everything now (after an action, or Ctrl-R), not only what changed. */
	| {id: number; kind: 'refresh'; full?: boolean}
	| {id: number; kind: 'retry'; hashes: string[]}
	| {id: number; kind: 'cancel'; hash: string}
	| {id: number; kind: 'reprioritize'; hash: string; priority: Priority}
	| {id: number; kind: 'clear-dead'}
	| {id: number; kind: 'pause'; pause: boolean}
	| {id: number; kind: 'load-detail'; hash: string}
	| {id: number; kind: 'load-logs'; hash: string}
	| {id: number; kind: 'load-preview'; hash: string}
	| {id: number; kind: 'quit'};

type EffectRequest = Effect extends infer E ? (E extends {id: number} ? Omit<E, 'id'> : never) : never;

export type Confirmation = {prompt: string; effect: EffectRequest};

/** A text shown in a scrollable overlay; `lines` undefined while loading. */
export type TextOverlay = {hash: string; title: string; lines?: string[]; error?: string; scroll: number};

export type Overlay =
	| {kind: 'help'; scroll: number}
	| ({kind: 'detail'; detail?: JobDetail} & TextOverlay)
	| ({kind: 'logs'; follow: boolean} & TextOverlay)
	| ({kind: 'preview'} & TextOverlay)
	| {kind: 'confirm'; confirmation: Confirmation}
	| {kind: 'priority'; hash: string; title: string; index: number};

export type StatusMessage = {text: string; tone: 'ok' | 'error' | 'info'; at: number};

export type Selection = {key?: string; index: number; offset: number};

export type ConsoleState = {
	pane: PaneId;
	selection: Record<PaneId, Selection>;
	sort: Record<PaneId, SortState>;
	filter: string;
	/** The filter being typed; undefined when the filter field is closed. */
	filterDraft?: string;
	overlay?: Overlay;
	snapshot?: ConsoleSnapshot;
	/** Local time the snapshot arrived. */
	snapshotAt?: number;
	refreshError?: {message: string; at: number};
	isRefreshing: boolean;
	isPaused: boolean;
	intervalMs: number;
	minIntervalMs: number;
	isReadOnly: boolean;
	status?: StatusMessage;
	window: Window;
	/** Local time, advanced by `tick`. */
	now: number;
	effects: Effect[];
	nextEffectId: number;
};

export type Action =
	| {type: 'keys'; keys: KeyName[]; now: number}
	| {type: 'tick'; now: number}
	/** The refresh timer fired. */
	| {type: 'poll'}
	| {type: 'resize'; window: Window}
	| {type: 'refresh-started'}
	| {type: 'snapshot'; snapshot: ConsoleSnapshot; now: number}
	| {type: 'refresh-failed'; message: string; now: number}
	| {type: 'effect-taken'; id: number}
	| {type: 'detail-loaded'; hash: string; detail?: JobDetail; lines?: string[]; error?: string}
	| {type: 'text-loaded'; kind: 'logs' | 'preview'; hash: string; lines?: string[]; error?: string}
	| {type: 'action-finished'; text: string; ok: boolean; now: number};

/** Refresh intervals the `+` and `-` keys step through, in milliseconds. */
export const intervalSteps = [1000, 2000, 5000, 10_000, 30_000, 60_000];

/** How long a status message stays. */
const statusMs = 15_000;

export function initialState(options: {
	intervalMs?: number;
	minIntervalMs?: number;
	isReadOnly?: boolean;
	window: Window;
	now: number;
}): ConsoleState {
	const minIntervalMs = options.minIntervalMs ?? 1000;
	const empty = (): Selection => ({index: 0, offset: 0});
	return {
		pane: 'active',
		selection: Object.fromEntries(panes.map(p => [p, empty()])) as Record<PaneId, Selection>,
		sort: Object.fromEntries(panes.map(p => [p, {index: 0, descending: false}])) as Record<PaneId, SortState>,
		filter: '',
		isRefreshing: false,
		isPaused: false,
		intervalMs: Math.max(minIntervalMs, options.intervalMs ?? 2000),
		minIntervalMs,
		isReadOnly: options.isReadOnly ?? false,
		window: options.window,
		now: options.now,
		effects: [{id: 1, kind: 'refresh'}],
		nextEffectId: 2,
	};
}

function withEffect(state: ConsoleState, request: EffectRequest): ConsoleState {
	return {
		...state,
		effects: [...state.effects, {...request, id: state.nextEffectId} as Effect],
		nextEffectId: state.nextEffectId + 1,
	};
}

function say(state: ConsoleState, text: string, tone: StatusMessage['tone'], now: number): ConsoleState {
	return {...state, status: {text, tone, at: now}};
}

/** The keys of the current pane's rows and the index of the selected one. */
export function currentRows(state: ConsoleState): {keys: string[]; index: number} {
	const keys = rowKeys(state.snapshot, state.pane, state.filter, state.sort[state.pane]);
	const selection = state.selection[state.pane];
	const found = selection.key === undefined ? -1 : keys.indexOf(selection.key);
	const index = found >= 0 ? found : Math.min(selection.index, Math.max(0, keys.length - 1));
	return {keys, index};
}

/** The selected job of a job pane, if any. */
export function selectedJob(state: ConsoleState): ConsoleJob | undefined {
	if (state.pane === 'workers' || !state.snapshot) return undefined;
	const rows = jobRows(state.snapshot, state.pane, state.filter, state.sort[state.pane]);
	const {index} = currentRows(state);
	return rows[index];
}

/** Moves the selection to `index` (clamped) and scrolls just enough to keep it visible. */
function select(state: ConsoleState, index: number): ConsoleState {
	const {keys} = currentRows(state);
	const clamped = Math.max(0, Math.min(index, keys.length - 1));
	const visible = visibleRows(state.pane, state.window);
	const previous = state.selection[state.pane];
	let offset = previous.offset;
	if (clamped < offset) offset = clamped;
	if (clamped >= offset + visible) offset = clamped - visible + 1;
	offset = Math.max(0, Math.min(offset, Math.max(0, keys.length - visible)));
	const key = keys[clamped];
	return {
		...state,
		selection: {
			...state.selection,
			[state.pane]: {...(key === undefined ? {} : {key}), index: Math.max(0, clamped), offset},
		},
	};
}

/** After new rows arrive, a filter or a sort: keep the selected job selected if it is still listed. */
function reselect(state: ConsoleState): ConsoleState {
	return select(state, currentRows(state).index);
}

function scrollOverlay(
	state: ConsoleState,
	overlay: Overlay & {scroll: number},
	lines: number,
	to: number,
): ConsoleState {
	const max = Math.max(0, lines - overlayRows(state.window));
	const scroll = Math.max(0, Math.min(to, max));
	const follow = overlay.kind === 'logs' ? scroll >= max : undefined;
	return {...state, overlay: {...overlay, scroll, ...(follow === undefined ? {} : {follow})} as Overlay};
}

function overlayLength(state: ConsoleState, overlay: Overlay): number {
	if (overlay.kind === 'help') return helpLines(state.window.columns).length;
	if (overlay.kind === 'detail' || overlay.kind === 'logs' || overlay.kind === 'preview')
		return overlay.lines ? wrapLines(overlay.lines, state.window.columns - 1).length : 0;
	return 0;
}

function handleOverlayKey(state: ConsoleState, overlay: Overlay, key: KeyName, now: number): ConsoleState {
	if (overlay.kind === 'confirm') {
		if (key === 'y' || key === 'Y')
			return {
				...withEffect({...state, overlay: undefined}, overlay.confirmation.effect),
				status: {text: 'working…', tone: 'info', at: now},
			};
		return say({...state, overlay: undefined}, 'cancelled: nothing was changed', 'info', now);
	}
	if (overlay.kind === 'priority') {
		if (key === 'up' || key === 'k') return {...state, overlay: {...overlay, index: Math.max(0, overlay.index - 1)}};
		if (key === 'down' || key === 'j')
			return {...state, overlay: {...overlay, index: Math.min(priorities.length - 1, overlay.index + 1)}};
		// A digit moves the choice, as the arrows do; Enter sets it (what the dialog's hint says).
		const digit = Number(key);
		if (Number.isInteger(digit) && digit >= 1 && digit <= priorities.length)
			return {...state, overlay: {...overlay, index: digit - 1}};
		if (key === 'enter') {
			const priority = priorities[overlay.index]!;
			return {
				...withEffect({...state, overlay: undefined}, {kind: 'reprioritize', hash: overlay.hash, priority}),
				status: {text: 'working…', tone: 'info', at: now},
			};
		}
		if (key === 'escape' || key === 'q') return {...state, overlay: undefined};
		return state;
	}
	const command = commandFor(key);
	if (command === 'back' || command === 'quit' || (command === 'help' && overlay.kind === 'help'))
		return {...state, overlay: undefined};
	const page = overlayRows(state.window);
	const length = overlayLength(state, overlay);
	switch (command) {
		case 'up':
			return scrollOverlay(state, overlay, length, overlay.scroll - 1);
		case 'down':
			return scrollOverlay(state, overlay, length, overlay.scroll + 1);
		case 'page-up':
			return scrollOverlay(state, overlay, length, overlay.scroll - page);
		case 'page-down':
		case 'pause': // space pages down in a text, as in less
			return scrollOverlay(state, overlay, length, overlay.scroll + page);
		case 'home':
			return scrollOverlay(state, overlay, length, 0);
		case 'end':
			return scrollOverlay(state, overlay, length, length);
		case 'logs':
		case 'preview':
		case 'retry':
		case 'cancel':
		case 'priority':
			// The same key does the same thing from the detail view as from the list.
			return overlay.kind === 'detail' ? runCommand({...state, overlay: undefined}, command, now, overlay.hash) : state;
		default:
			return state;
	}
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

const titleOf = (job: ConsoleJob | undefined, hash: string) => job?.name ?? hash.slice(0, 16);

function runCommand(state: ConsoleState, command: Command, now: number, hashOverride?: string): ConsoleState {
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
			return {...state, overlay: {kind: 'help', scroll: 0}};
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
		case 'back':
			return state.filter === '' ? state : reselect(say({...state, filter: ''}, 'filter cleared', 'info', now));
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
		case 'open':
			if (!hash) return needJob();
			return withEffect(
				{...state, overlay: {kind: 'detail', hash, title: titleOf(job, hash), scroll: 0}},
				{kind: 'load-detail', hash},
			);
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
			if (!hash) return needJob();
			if (job && !job.actions.includes('retry'))
				return say(
					state,
					`only failed and dead jobs are retried; this one is ${job.state === 'processing' ? 'running' : `in ${job.state}`}`,
					'error',
					now,
				);
			return say(withEffect(state, {kind: 'retry', hashes: [hash]}), `retrying ${titleOf(job, hash)}…`, 'info', now);
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
		case 'cancel':
			if (!hash) return needJob();
			if (job && !job.actions.includes('cancel'))
				return say(state, `a ${job.state} job cannot be cancelled`, 'error', now);
			return {
				...state,
				overlay: {
					kind: 'confirm',
					confirmation: {
						prompt:
							`Cancel ${titleOf(job, hash)}?` +
							(job?.state === 'processing' ? ` Its worker (${job.run?.worker}) stops at its next heartbeat.` : '') +
							' The job goes to dead-letter.',
						effect: {kind: 'cancel', hash},
					},
				},
			};
		case 'priority':
			if (!hash) return needJob();
			if (job && !job.actions.includes('reprioritize'))
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
					hash,
					title: titleOf(job, hash),
					index: Math.max(0, priorities.indexOf(job?.priority ?? 'normal')),
				},
			};
		case 'pause-queue': {
			const paused = state.snapshot?.paused !== undefined;
			return {
				...state,
				overlay: {
					kind: 'confirm',
					confirmation: paused
						? {
								prompt: 'Resume the queue: workers claim jobs of every priority again?',
								effect: {kind: 'pause', pause: false},
							}
						: {
								prompt: 'Pause the queue: workers stop claiming jobs (running jobs finish)? Every console shows it.',
								effect: {kind: 'pause', pause: true},
							},
				},
			};
		}
		case 'clear-dead': {
			const count = state.snapshot?.counts.total.dead ?? 0;
			if (count === 0) return say(state, 'the dead-letter queue is empty', 'info', now);
			return {
				...state,
				overlay: {
					kind: 'confirm',
					confirmation: {
						prompt: `Clear the dead-letter queue: remove ${count} dead job${count === 1 ? '' : 's'} for good? Their PDFs stay in the store.`,
						effect: {kind: 'clear-dead'},
					},
				},
			};
		}
	}
}

function handleFilterKey(state: ConsoleState, draft: string, key: KeyName): ConsoleState {
	if (key === 'enter') return {...state, filterDraft: undefined};
	if (key === 'escape') return reselect({...state, filterDraft: undefined, filter: ''});
	if (key === 'ctrl-c') return withEffect(state, {kind: 'quit'});
	const next =
		key === 'backspace'
			? draft.slice(0, -1)
			: key === 'space'
				? `${draft} `
				: [...key].length === 1
					? draft + key
					: draft;
	return reselect({...state, filterDraft: next, filter: next});
}

export function reducer(state: ConsoleState, action: Action): ConsoleState {
	switch (action.type) {
		case 'keys': {
			let next = {...state, now: action.now};
			for (const key of action.keys) {
				if (next.filterDraft !== undefined) next = handleFilterKey(next, next.filterDraft, key);
				else if (next.overlay)
					next =
						key === 'ctrl-c' ? withEffect(next, {kind: 'quit'}) : handleOverlayKey(next, next.overlay, key, action.now);
				else {
					const command = commandFor(key);
					if (command) next = runCommand(next, command, action.now);
				}
			}
			return next;
		}
		case 'tick': {
			const status =
				state.status && action.now - state.status.at > statusMs && state.status.text !== 'working…'
					? undefined
					: state.status;
			return {...state, now: action.now, status};
		}
		case 'poll':
			return state.isPaused || state.isRefreshing || state.effects.some(e => e.kind === 'refresh')
				? state
				: withEffect(state, {kind: 'refresh'});
		case 'resize':
			return reselect({...state, window: action.window});
		case 'refresh-started':
			return {...state, isRefreshing: true};
		case 'snapshot': {
			let next: ConsoleState = {
				...state,
				// The first answer opens the console on a pane with something to show, not on an empty Active one.
				...(state.snapshot === undefined && state.pane === 'active' ? {pane: firstPaneWithRows(action.snapshot)} : {}),
				snapshot: action.snapshot,
				snapshotAt: action.now,
				now: action.now,
				isRefreshing: false,
				refreshError: undefined,
			};
			// A log view of a running job follows it: when the attempt ends, its log is read again.
			const o = state.overlay;
			if (o?.kind === 'logs') {
				const wasRunning = state.snapshot?.active.some(j => j.hash === o.hash);
				const isRunning = action.snapshot.active.some(j => j.hash === o.hash);
				if (wasRunning && !isRunning) next = withEffect(next, {kind: 'load-logs', hash: o.hash});
			}
			return reselect(next);
		}
		case 'refresh-failed':
			return {...state, isRefreshing: false, refreshError: {message: action.message, at: action.now}, now: action.now};
		case 'effect-taken':
			return {...state, effects: state.effects.filter(e => e.id !== action.id)};
		case 'detail-loaded': {
			const o = state.overlay;
			if (o?.kind !== 'detail' || o.hash !== action.hash) return state;
			return {
				...state,
				overlay: {
					...o,
					...(action.detail ? {detail: action.detail} : {}),
					...(action.lines ? {lines: action.lines} : {}),
					...(action.error ? {error: action.error} : {}),
				},
			};
		}
		case 'text-loaded': {
			const o = state.overlay;
			if (o?.kind !== action.kind || o.hash !== action.hash) return state;
			const loaded = {
				...o,
				...(action.lines ? {lines: action.lines} : {}),
				...(action.error ? {error: action.error} : {}),
			} as Overlay & {scroll: number};
			// A followed log starts at its end.
			const length = action.lines ? wrapLines(action.lines, state.window.columns - 1).length : 0;
			return o.kind === 'logs' && o.follow
				? scrollOverlay({...state, overlay: loaded}, loaded, length, length)
				: {...state, overlay: loaded};
		}
		case 'action-finished': {
			const next = say(state, action.text, action.ok ? 'ok' : 'error', action.now);
			return withEffect(next, {kind: 'refresh', full: true});
		}
	}
}

/** Active if a job runs; else the first of Queue, Failed, Dead, Done with rows; else Active. */
function firstPaneWithRows(snapshot: ConsoleSnapshot): PaneId {
	const order = ['active', 'todo', 'failed', 'dead', 'done'] as const;
	return order.find(p => snapshot[p].length > 0) ?? 'active';
}
