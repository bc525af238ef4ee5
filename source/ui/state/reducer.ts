/**
The console's one pure reducer: keys, snapshots and the answers of actions go in, a new state comes
out. Work that needs the store (refreshing, retrying, loading a log) is queued as an `Effect` in the
state; use-effects.ts performs it and dispatches the answer. Time enters only through actions, so
the reducer is tested as tables of keys and wanted states.
*/
import type {ConsoleSnapshot} from '../../inspector/console-source.js';
import {wrapLines} from '../text.js';
import {rowMark, runCommand} from './commands.js';
import {reselect, say, withEffect, type Action, type ConsoleState, type Overlay} from './console-state.js';
import {commandFor, type Command, type KeyName} from './keymap.js';
import {handleOverlayKey, scrollOverlay} from './overlay-keys.js';
import {historyLines, workerLines} from './text-views.js';
import type {PaneId} from './view.js';

export * from './console-state.js';

/** How long a status message stays. */
const statusMs = 15_000;
const movesSelection = new Set<Command>([
	'up',
	'down',
	'page-up',
	'page-down',
	'home',
	'end',
	'next-pane',
	'previous-pane',
	'pane-1',
	'pane-2',
	'pane-3',
	'pane-4',
	'pane-5',
	'pane-6',
]);

/** How often an open detail view is read again while its job stays as it was. */
const detailEveryMs = 30_000;

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
					// A refusal or hint about the selected row ("no job selected", "this one is running") is false
					// once the selection moves: it goes then, not 15 s later. Answers of actions and hints stay.
					if (command && movesSelection.has(command) && next.status?.tone === 'error') {
						const {status: _gone, ...rest} = next;
						next = rest;
					}
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
			// An open detail is read again when its job moves on, and every 30 s while it stays (its "why" counts
			// down to the stale timeout, which a `config set` may change): at most ten reads per 30 s.
			if (o?.kind === 'detail') {
				const s = action.snapshot;
				const row = [s.active, s.todo, s.failed, s.dead, s.done].flat().find(j => j.hash === o.hash);
				const seen = rowMark(row);
				if (seen !== o.seen || action.now - (o.loadedAt ?? 0) >= detailEveryMs) {
					next.overlay = {...o, seen, loadedAt: action.now};
					next = withEffect(next, {kind: 'load-detail', hash: o.hash});
				}
			}
			// History and a worker's detail are drawn from the snapshot: they follow it.
			if (o?.kind === 'history')
				next.overlay = {...o, lines: historyLines(action.snapshot.history, action.snapshot.serverNow)};
			if (o?.kind === 'worker') {
				const worker = action.snapshot.workers.find(w => w.id === o.id);
				if (worker) next.overlay = {...o, lines: workerLines(worker, action.snapshot)};
			}
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
			const {error: _previous, ...rest} = o;
			return {
				...state,
				overlay: {
					// A read that worked clears the error of one that did not.
					...(action.lines ? rest : o),
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
