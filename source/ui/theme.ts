/**
Colours by meaning, not by name, so NO_COLOR (https://no-color.org) is honoured in one place:
with it set, every colour is undefined and the console uses only bold, dim and inverse.
*/
import {createContext, useContext} from 'react';

export type Tone = 'accent' | 'ok' | 'warn' | 'bad' | 'muted' | 'info';

export type Theme = {isColor: boolean; color(tone: Tone): string | undefined};

const palette: Record<Tone, string> = {
	accent: 'cyan',
	ok: 'green',
	warn: 'yellow',
	bad: 'red',
	muted: 'gray',
	info: 'blue',
};

export function makeTheme(environment: NodeJS.ProcessEnv = process.env): Theme {
	const isColor = !environment['NO_COLOR'];
	return {isColor, color: tone => (isColor ? palette[tone] : undefined)};
}

export const ThemeContext = createContext<Theme>(makeTheme());

export function useTheme(): Theme {
	return useContext(ThemeContext);
}
