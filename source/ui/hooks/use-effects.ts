/**
Performs the effects the reducer queues (refresh, actions, loading a text) through the console
source, and dispatches their answers. The reducer never awaits; this is the only place that does.
*/
import {useEffect, useRef, type Dispatch} from 'react';
import type {AdminOutcome, ConsoleSource} from '../../inspector/console-source.js';
import type {Action, ConsoleState, Effect} from '../state/reducer.js';
import {detailLines, logLines, previewLines} from '../state/text-views.js';

function messageOf(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}

/** One line for the outcomes of a (bulk) action: what worked, and the first refusal. */
export function summarize(verb: string, outcomes: AdminOutcome[]): {text: string; ok: boolean} {
	const done = outcomes.filter(o => o.ok);
	const refused = outcomes.flatMap(o => (o.ok ? [] : [o]));
	const only = outcomes.length === 1 ? outcomes[0]! : undefined;
	if (only) return only.ok ? {text: only.message, ok: true} : {text: `${verb} refused: ${only.reason}`, ok: false};
	const first = refused[0] ? `; ${refused.length} refused (${refused[0].hash.slice(0, 12)}: ${refused[0].reason})` : '';
	return {text: `${verb}: ${done.length} of ${outcomes.length} job(s)${first}`, ok: refused.length === 0};
}

const toStdout = (sequence: string): void => {
	process.stdout.write(sequence);
};

export function useEffects(
	state: ConsoleState,
	dispatch: Dispatch<Action>,
	source: ConsoleSource,
	now: () => number,
	quit: () => void,
	/** Writes a control sequence to the terminal (OSC 52 for copy). */
	writeTerminal: (sequence: string) => void = toStdout,
): void {
	const refreshing = useRef(false);
	const started = useRef(new Set<number>());
	const serverNow = state.snapshot?.serverNow ?? now();
	useEffect(() => {
		for (const effect of state.effects) {
			if (started.current.has(effect.id)) continue;
			started.current.add(effect.id);
			dispatch({type: 'effect-taken', id: effect.id});
			void perform(effect);
		}
		async function perform(effect: Effect): Promise<void> {
			const finished = (text: string, ok: boolean) => dispatch({type: 'action-finished', text, ok, now: now()});
			try {
				switch (effect.kind) {
					case 'refresh': {
						if (refreshing.current) return; // one refresh at a time; the next timer tick asks again
						refreshing.current = true;
						dispatch({type: 'refresh-started'});
						try {
							dispatch({type: 'snapshot', snapshot: await source.snapshot({full: effect.full === true}), now: now()});
						} catch (error) {
							dispatch({type: 'refresh-failed', message: messageOf(error), now: now()});
						} finally {
							refreshing.current = false;
						}
						return;
					}
					case 'retry': {
						const outcome = summarize('retry', await source.retry(effect.hashes));
						finished(outcome.text, outcome.ok);
						return;
					}
					case 'cancel': {
						const outcomes = [];
						for (const hash of effect.hashes) outcomes.push(await source.cancel(hash));
						const outcome = summarize('cancel', outcomes);
						finished(outcome.text, outcome.ok);
						return;
					}
					case 'remove': {
						const outcome = summarize('remove', await source.remove(effect.hashes));
						finished(outcome.text, outcome.ok);
						return;
					}
					case 'worker-command': {
						const answer = await source.commandWorker(effect.worker, effect.command, effect.leases);
						finished(answer.ok ? answer.message : `${effect.command} refused: ${answer.reason}`, answer.ok);
						return;
					}
					case 'copy':
						// OSC 52: the terminal (over SSH too) puts the base64 text on the clipboard; nothing is drawn.
						writeTerminal(`\u001B]52;c;${Buffer.from(effect.text).toString('base64')}\u0007`);
						return;
					case 'reprioritize': {
						const outcome = summarize('priority change', [await source.reprioritize(effect.hash, effect.priority)]);
						finished(outcome.text, outcome.ok);
						return;
					}
					case 'pause': {
						const paused = await source.setPaused(effect.pause);
						finished(
							paused.length > 0
								? 'paused the queue: workers stop claiming within a minute and a half'
								: 'resumed the queue: workers claim again',
							true,
						);
						return;
					}
					case 'clear-dead': {
						const {count} = await source.clearDead();
						finished(`cleared the dead-letter queue: ${count} job(s) removed`, true);
						return;
					}
					case 'load-detail': {
						const detail = await source.job(effect.hash);
						dispatch({
							type: 'detail-loaded',
							hash: effect.hash,
							detail,
							lines: detailLines(detail, serverNow),
						});
						return;
					}
					case 'load-logs': {
						const {logs, problems} = await source.logs(effect.hash);
						dispatch({type: 'text-loaded', kind: 'logs', hash: effect.hash, lines: logLines(logs, problems)});
						return;
					}
					case 'load-preview': {
						dispatch({
							type: 'text-loaded',
							kind: 'preview',
							hash: effect.hash,
							lines: previewLines(await source.preview(effect.hash)),
						});
						return;
					}
					case 'quit':
						quit();
						return;
				}
			} catch (error) {
				const message = messageOf(error);
				if (effect.kind === 'load-detail') dispatch({type: 'detail-loaded', hash: effect.hash, error: message});
				else if (effect.kind === 'load-logs' || effect.kind === 'load-preview')
					dispatch({
						type: 'text-loaded',
						kind: effect.kind === 'load-logs' ? 'logs' : 'preview',
						hash: effect.hash,
						error: message,
					});
				else finished(`${effect.kind} failed: ${message}`, false);
			}
		}
	}, [state.effects, dispatch, source, now, quit, serverNow, writeTerminal]);
}
