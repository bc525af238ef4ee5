/** Follows the terminal's size: a resize re-lays the screen so no frame is taller than the terminal. */
import {useStdout} from 'ink';
import {useEffect, type Dispatch} from 'react';
import type {Action} from '../state/reducer.js';
import type {Window} from '../state/view.js';

export function windowOf(stdout: {columns?: number; rows?: number}): Window {
	return {columns: Math.max(40, stdout.columns || 80), rows: Math.max(12, stdout.rows || 24)};
}

export function useWindow(dispatch: Dispatch<Action>): void {
	const {stdout} = useStdout();
	useEffect(() => {
		const onResize = () => dispatch({type: 'resize', window: windowOf(stdout as NodeJS.WriteStream)});
		stdout.on('resize', onResize);
		return () => {
			stdout.off('resize', onResize);
		};
	}, [dispatch, stdout]);
}
