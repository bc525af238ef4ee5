/** The console's only useInput: every key event becomes one `keys` action, in order. */
import {useInput} from 'ink';
import type {Dispatch} from 'react';
import {keysOf} from '../state/keymap.js';
import type {Action} from '../state/reducer.js';

export function useConsoleKeys(dispatch: Dispatch<Action>, now: () => number): void {
	useInput((input, key) => {
		const keys = keysOf(input, key);
		if (keys.length > 0) dispatch({type: 'keys', keys, now: now()});
	});
}
