/**
What a key does while a view (help, detail, logs, preview, history, a worker) or a dialog is open.
In a text view `/` searches (case-insensitive, on the lines as wrapped on screen), n and N step
through the matches, as in less.
*/
import {priorities} from '../../inspector/console-source.js';
import {wrapLines} from '../text.js';
import {commandFor, helpLines, type KeyName} from './keymap.js';
import {runCommand} from './commands.js';
import {say, withEffect, type ConsoleState, type Overlay, type TextView} from './console-state.js';
import {overlayRows} from './view.js';

type TextOverlayOf = Extract<Overlay, TextView>;

export function isTextOverlay(overlay: Overlay): overlay is TextOverlayOf {
	return overlay.kind !== 'confirm' && overlay.kind !== 'priority';
}

/** The lines of a text view as the screen shows them (wrapped to its width). */
export function shownLines(overlay: TextOverlayOf, columns: number): string[] {
	const lines = overlay.kind === 'help' ? helpLines(columns) : (overlay.lines ?? []);
	return wrapLines(lines, columns - 1);
}

/** The indexes of the lines holding the query. */
export function matchingLines(lines: string[], query: string): number[] {
	if (query === '') return [];
	const q = query.toLowerCase();
	return lines.flatMap((line, i) => (line.toLowerCase().includes(q) ? [i] : []));
}

/** Scrolls to the next (or previous) match from the top line, round the end; says so when there is none. */
function jump(state: ConsoleState, overlay: TextOverlayOf, direction: 1 | -1, fromCurrent: boolean, now: number) {
	const query = overlay.search?.query ?? '';
	const lines = shownLines(overlay, state.window.columns);
	const matches = matchingLines(lines, query);
	if (matches.length === 0)
		return query === '' ? {...state, overlay} : say({...state, overlay}, `no match for "${query}"`, 'info', now);
	const from = overlay.scroll;
	const target =
		direction === 1
			? (matches.find(m => (fromCurrent ? m >= from : m > from)) ?? matches[0]!)
			: (matches.findLast(m => m < from) ?? matches.at(-1)!);
	return scrollOverlay(state, overlay, lines.length, target, true);
}

function handleSearchKey(state: ConsoleState, overlay: TextOverlayOf, key: KeyName, now: number): ConsoleState {
	const search = overlay.search!;
	if (key === 'escape') {
		const {search: _dropped, ...rest} = overlay;
		return {...state, overlay: rest as Overlay};
	}
	if (key === 'enter') return jump(state, {...overlay, search: {...search, typing: false}}, 1, true, now);
	const query =
		key === 'backspace'
			? search.query.slice(0, -1)
			: key === 'space'
				? `${search.query} `
				: [...key].length === 1
					? search.query + key
					: search.query;
	return jump(state, {...overlay, search: {query, typing: true}}, 1, true, now);
}

export function scrollOverlay(
	state: ConsoleState,
	overlay: Overlay & {scroll: number},
	lines: number,
	to: number,
	/** A match may stand at the top even near the end (as in less), past the last full page. */
	pastEnd = false,
): ConsoleState {
	const max = Math.max(0, lines - overlayRows(state.window));
	const scroll = Math.max(0, Math.min(to, pastEnd ? Math.max(0, lines - 1) : max));
	const follow = overlay.kind === 'logs' ? scroll >= max : undefined;
	return {...state, overlay: {...overlay, scroll, ...(follow === undefined ? {} : {follow})} as Overlay};
}

function overlayLength(state: ConsoleState, overlay: Overlay): number {
	return isTextOverlay(overlay) ? shownLines(overlay, state.window.columns).length : 0;
}

export function handleOverlayKey(state: ConsoleState, overlay: Overlay, key: KeyName, now: number): ConsoleState {
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
	if (overlay.search?.typing) return handleSearchKey(state, overlay, key, now);
	const command = commandFor(key);
	if (command === 'back' && overlay.search) {
		const {search: _dropped, ...rest} = overlay;
		return {...state, overlay: rest as Overlay};
	}
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
		case 'filter':
			return {...state, overlay: {...overlay, search: {query: '', typing: true}} as Overlay};
		case 'next-match':
		case 'previous-match':
			return overlay.search
				? jump(state, overlay, command === 'next-match' ? 1 : -1, false, now)
				: say(state, 'press / to search first', 'info', now);
		case 'logs':
		case 'preview':
		case 'retry':
		case 'cancel':
		case 'remove':
		case 'priority':
			// The same key does the same thing from the detail view as from the list.
			return overlay.kind === 'detail' ? runCommand({...state, overlay: undefined}, command, now, overlay.hash) : state;
		case 'copy':
			// Copying leaves the view open.
			if (overlay.kind === 'worker') return runCommand(state, command, now, undefined, overlay.id);
			return 'hash' in overlay ? runCommand(state, command, now, overlay.hash) : state;
		case 'drain-worker':
		case 'stop-worker':
			return overlay.kind === 'worker'
				? runCommand({...state, overlay: undefined}, command, now, undefined, overlay.id)
				: state;
		default:
			return state;
	}
}
