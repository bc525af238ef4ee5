/** The console: state from the reducer, effects through the source, and a screen drawn from state alone. */
import {Box} from 'ink';
import {useCallback, useReducer, type ReactNode} from 'react';
import type {ConsoleSnapshot, ConsoleSource} from '../inspector/console-source.js';
import {ConfirmDialog, PriorityPicker} from './components/dialogs.js';
import {Footer} from './components/footer.js';
import {Header} from './components/header.js';
import {GroupPane, JobPane} from './components/job-pane.js';
import {Overview} from './components/overview.js';
import {Tabs} from './components/tabs.js';
import {TextOverlay} from './components/text-overlay.js';
import {WorkersPane} from './components/workers-pane.js';
import {useConsoleKeys} from './hooks/use-console-keys.js';
import {useEffects} from './hooks/use-effects.js';
import {useTimers} from './hooks/use-timers.js';
import {useWindow} from './hooks/use-window.js';
import {helpLines} from './state/keymap.js';
import {currentRows, initialState, listsGroups, paneJobs, reducer, type ConsoleState} from './state/reducer.js';
import {liveLines} from './state/text-views.js';
import {isGroupedPane, jobGroups, overlayRows, tableRows, visibleRows, workerRows, type Window} from './state/view.js';

export type AppProps = {
	source: ConsoleSource;
	window: Window;
	/** @default 2000 */
	intervalMs?: number;
	isReadOnly?: boolean;
	onQuit: () => void;
	/** Local time; tests pass a fixed one. @default Date.now */
	now?: () => number;
	/** Where control sequences that draw nothing go (OSC 52 for copy). @default the process's stdout */
	writeTerminal?: (sequence: string) => void;
};

export function App({source, window, intervalMs, isReadOnly, onQuit, now = Date.now, writeTerminal}: AppProps) {
	const [state, dispatch] = useReducer(reducer, undefined, () =>
		initialState({intervalMs, minIntervalMs: source.minRefreshSeconds * 1000, isReadOnly, window, now: now()}),
	);
	const quit = useCallback(onQuit, [onQuit]);
	useConsoleKeys(dispatch, now);
	useTimers(dispatch, state.intervalMs, now);
	useWindow(dispatch);
	useEffects(state, dispatch, source, now, quit, writeTerminal);
	return (
		<Box flexDirection="column" width={state.window.columns} height={state.window.rows - 1} overflow="hidden">
			<Header state={state} storeLine={source.storeLine} />
			<Body state={state} />
			<Footer state={state} />
		</Box>
	);
}

function Body({state}: {state: ConsoleState}) {
	const {window, overlay, snapshot} = state;
	const width = window.columns;
	if (overlay && overlay.kind !== 'confirm' && overlay.kind !== 'priority') {
		const height = overlayRows(window);
		const common = {
			title: overlay.title,
			scroll: overlay.scroll,
			height,
			width,
			search: overlay.search,
			...(overlay.lines ? {lines: overlay.lines} : {}),
			...(overlay.error ? {error: overlay.error} : {}),
		};
		const scrollHint = '↑↓ PgUp PgDn scroll · / search';
		switch (overlay.kind) {
			case 'help':
				return <TextOverlay {...common} lines={helpLines(window.columns)} hint={`Esc or ? closes · ${scrollHint}`} />;
			case 'detail':
				return (
					<TextOverlay
						{...common}
						title={`Job ${overlay.title}`}
						hint={detailHint(snapshot, overlay.hash, overlay.detail?.state)}
					/>
				);
			case 'logs': {
				const running = snapshot?.active.find(j => j.hash === overlay.hash);
				return (
					<TextOverlay
						{...common}
						title={`Logs of ${overlay.title}`}
						tail={liveLines(running)}
						hint={`Esc back · ${scrollHint} · End follows${overlay.follow ? ' (following)' : ''}`}
					/>
				);
			}
			case 'preview':
				return (
					<TextOverlay
						{...common}
						title={`Preview of ${overlay.title} (content.md)`}
						hint={`Esc back · ${scrollHint}`}
					/>
				);
			case 'history':
				return (
					<TextOverlay
						{...common}
						title="History: done and failed per hour and per day (UTC)"
						hint={`Esc back · ${scrollHint}`}
					/>
				);
			case 'worker': {
				const worker = snapshot?.workers.find(w => w.id === overlay.id);
				const live = worker && worker.status !== 'stopped' && worker.status !== 'gone' && !worker.command;
				return (
					<TextOverlay
						{...common}
						hint={[
							'Esc back',
							...(live && !state.isReadOnly ? ['d drain', 'K stop'] : []),
							'y copy id',
							'/ search',
						].join(' · ')}
					/>
				);
			}
		}
	}
	const height = tableRows(window);
	const selection = state.selection[state.pane];
	const {index} = currentRows(state);
	const sort = state.sort[state.pane];
	let list: ReactNode;
	if (overlay?.kind === 'confirm') list = <ConfirmDialog prompt={overlay.confirmation.prompt} width={width} />;
	else if (overlay?.kind === 'priority')
		list = (
			<PriorityPicker
				title={overlay.title}
				index={overlay.index}
				current={snapshot?.todo.find(j => j.hash === overlay.hash)?.priority}
				width={width}
			/>
		);
	else if (state.pane === 'workers')
		list = (
			<WorkersPane
				rows={workerRows(snapshot, state.filter, sort)}
				offset={selection.offset}
				visible={visibleRows('workers', window)}
				width={width}
				filter={state.filter}
			/>
		);
	else if (isGroupedPane(state.pane) && listsGroups(state))
		list = (
			<GroupPane
				groups={jobGroups(snapshot, state.pane, state.filter)}
				selected={index}
				offset={selection.offset}
				height={height}
				width={width}
				serverNow={snapshot?.serverNow ?? state.now}
			/>
		);
	else
		list = (
			<JobPane
				pane={state.pane}
				rows={paneJobs(state)}
				marked={new Set(state.marks[state.pane] ?? [])}
				selected={index}
				offset={selection.offset}
				height={height}
				width={width}
				serverNow={(snapshot?.serverNow ?? state.now) + (state.now - (state.snapshotAt ?? state.now))}
				filter={state.filter}
				sort={sort}
			/>
		);
	return (
		<Box flexDirection="column">
			<Overview snapshot={snapshot} width={width} />
			<Tabs
				pane={state.pane}
				snapshot={snapshot}
				filter={state.filter}
				sort={sort}
				width={width}
				position={{index, rows: currentRows(state).keys.length, visible: visibleRows(state.pane, window)}}
			/>
			<Box flexDirection="column" height={height + 1} overflow="hidden">
				{list}
			</Box>
		</Box>
	);
}

/** The detail's keys: only what this job allows (its row's actions), and preview only for a job with a result. */
function detailHint(snapshot: ConsoleSnapshot | undefined, hash: string, state: string | undefined): string {
	const row = snapshot
		? [snapshot.active, snapshot.todo, snapshot.failed, snapshot.dead, snapshot.done].flat().find(j => j.hash === hash)
		: undefined;
	const actions = row?.actions ?? [];
	return [
		'Esc back',
		'l logs',
		...((row?.state ?? state) === 'done' ? ['p preview'] : []),
		...(actions.includes('retry') ? ['r retry'] : []),
		...(actions.includes('cancel') ? ['c cancel'] : []),
		...(actions.includes('reprioritize') ? ['P priority'] : []),
		...(actions.includes('remove') ? ['x remove'] : []),
		'y copy hash',
		'/ search',
	].join(' · ');
}
