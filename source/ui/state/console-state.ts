/**
The console's state, the actions and effects around it, and the small steps the key handlers share
(queue an effect, say something, move the selection). The reducer (reducer.ts) applies actions;
commands.ts runs the keys of a list, overlay-keys.ts those of an open view or dialog.
*/
import type {
	ConsoleJob,
	ConsoleSnapshot,
	ConsoleWorker,
	JobDetail,
	Priority,
	WorkerCommand,
} from '../../inspector/console-source.js';
import type {KeyName} from './keymap.js';
import {
	isGroupedPane,
	jobGroups,
	jobRows,
	panes,
	rowKeys,
	visibleRows,
	workerRows,
	type GroupedPane,
	type Grouping,
	type JobGroup,
	type PaneId,
	type SortState,
	type Window,
} from './view.js';

export type Effect =
	/** `full`: read everything now (after an action, or Ctrl-R), not only what changed. */
	| {id: number; kind: 'refresh'; full?: boolean}
	| {id: number; kind: 'retry'; hashes: string[]}
	| {id: number; kind: 'cancel'; hashes: string[]}
	| {id: number; kind: 'remove'; hashes: string[]}
	| {id: number; kind: 'worker-command'; worker: string; command: WorkerCommand; leases: string[]}
	/** Put the text on the terminal's clipboard (OSC 52). */
	| {id: number; kind: 'copy'; text: string}
	| {id: number; kind: 'reprioritize'; hash: string; priority: Priority}
	| {id: number; kind: 'clear-dead'}
	| {id: number; kind: 'pause'; pause: boolean}
	| {id: number; kind: 'load-detail'; hash: string}
	| {id: number; kind: 'load-logs'; hash: string}
	| {id: number; kind: 'load-preview'; hash: string}
	| {id: number; kind: 'quit'};

type EffectRequest = Effect extends infer E ? (E extends {id: number} ? Omit<E, 'id'> : never) : never;

export type Confirmation = {prompt: string; effect: EffectRequest};

/** A search in a text view: `typing` while the query is entered; matches are lines of the wrapped text. */
export type TextSearch = {query: string; typing: boolean};

/** A text shown in a scrollable overlay; `lines` undefined while loading. */
export type TextView = {title: string; lines?: string[]; error?: string; scroll: number; search?: TextSearch};
/** A text about one job. */
export type TextOverlay = TextView & {hash: string};

export type Overlay =
	| ({kind: 'help'} & TextView)
	/** `loadedAt`, `seen`: when it was read and the job's row then (state, attempt), to read it again. */
	| ({kind: 'detail'; detail?: JobDetail; loadedAt?: number; seen?: string} & TextOverlay)
	| ({kind: 'logs'; follow: boolean} & TextOverlay)
	| ({kind: 'preview'} & TextOverlay)
	/** Completed and failed per hour and per day; its lines follow each snapshot. */
	| ({kind: 'history'} & TextView)
	/** One worker's registration and lease; its lines follow each snapshot. */
	| ({kind: 'worker'; id: string} & TextView)
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
	/** Rows marked for one action (job hashes), per pane. */
	marks: Partial<Record<PaneId, string[]>>;
	grouping: Record<GroupedPane, Grouping>;
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
		marks: {},
		grouping: {failed: {on: false}, dead: {on: false}},
	};
}

export function withEffect(state: ConsoleState, request: EffectRequest): ConsoleState {
	return {
		...state,
		effects: [...state.effects, {...request, id: state.nextEffectId} as Effect],
		nextEffectId: state.nextEffectId + 1,
	};
}

export function say(state: ConsoleState, text: string, tone: StatusMessage['tone'], now: number): ConsoleState {
	return {...state, status: {text, tone, at: now}};
}

export function groupingOf(state: ConsoleState): Grouping | undefined {
	return isGroupedPane(state.pane) ? state.grouping[state.pane] : undefined;
}

/** Whether the pane lists error groups (grouping on, no group open). */
export function listsGroups(state: ConsoleState): boolean {
	const grouping = groupingOf(state);
	return grouping?.on === true && grouping.open === undefined;
}

/** The keys of the current pane's rows and the index of the selected one. */
export function currentRows(state: ConsoleState): {keys: string[]; index: number} {
	const keys = rowKeys(state.snapshot, state.pane, state.filter, state.sort[state.pane], groupingOf(state));
	const selection = state.selection[state.pane];
	const found = selection.key === undefined ? -1 : keys.indexOf(selection.key);
	const index = found >= 0 ? found : Math.min(selection.index, Math.max(0, keys.length - 1));
	return {keys, index};
}

/** The jobs the pane shows now, in order (an open group's only). */
export function paneJobs(state: ConsoleState): ConsoleJob[] {
	if (state.pane === 'workers' || !state.snapshot || listsGroups(state)) return [];
	const grouping = groupingOf(state);
	return jobRows(
		state.snapshot,
		state.pane,
		state.filter,
		state.sort[state.pane],
		grouping?.on ? grouping.open : undefined,
	);
}

/** The selected job of a job pane, if any. */
export function selectedJob(state: ConsoleState): ConsoleJob | undefined {
	return paneJobs(state)[currentRows(state).index];
}

/** The selected error group, when the pane lists groups. */
export function selectedGroup(state: ConsoleState): JobGroup | undefined {
	if (!listsGroups(state) || !isGroupedPane(state.pane)) return undefined;
	return jobGroups(state.snapshot, state.pane, state.filter)[currentRows(state).index];
}

export function selectedWorker(state: ConsoleState): ConsoleWorker | undefined {
	if (state.pane !== 'workers') return undefined;
	return workerRows(state.snapshot, state.filter, state.sort.workers)[currentRows(state).index];
}

/** The marked jobs of the pane that it still shows (a job that moved on is no longer marked). */
export function markedJobs(state: ConsoleState): ConsoleJob[] {
	const marks = new Set(state.marks[state.pane] ?? []);
	return marks.size === 0 ? [] : paneJobs(state).filter(j => marks.has(j.hash));
}

/** Moves the selection to `index` (clamped) and scrolls just enough to keep it visible. */
export function select(state: ConsoleState, index: number): ConsoleState {
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
export function reselect(state: ConsoleState): ConsoleState {
	return select(state, currentRows(state).index);
}
