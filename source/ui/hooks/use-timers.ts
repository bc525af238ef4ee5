/** The refresh timer (restarted when the interval changes) and the one-second tick that ages "updated 3s ago". */
import {useEffect, type Dispatch} from 'react';
import type {Action} from '../state/reducer.js';

export function useTimers(dispatch: Dispatch<Action>, intervalMs: number, now: () => number): void {
	useEffect(() => {
		const timer = setInterval(() => dispatch({type: 'poll'}), intervalMs);
		return () => clearInterval(timer);
	}, [dispatch, intervalMs]);
	useEffect(() => {
		const timer = setInterval(() => dispatch({type: 'tick', now: now()}), 1000);
		return () => clearInterval(timer);
	}, [dispatch, now]);
}
