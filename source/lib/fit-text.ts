/** Text cut to a terminal width: made safe for the terminal, measured in columns, cut with an ellipsis. */
import stringWidth from 'string-width';
import {safeText} from './format.js';

/** `text` made safe and cut to `width` columns (wide characters count twice), padded when `pad`. */
export function fitText(text: string, width: number, options: {pad?: boolean; alignRight?: boolean} = {}): string {
	if (width <= 0) return '';
	let shown = safeText(text);
	if (stringWidth(shown) > width) {
		let cut = '';
		let used = 0;
		for (const char of shown) {
			const w = stringWidth(char);
			if (used + w > width - 1) break;
			cut += char;
			used += w;
		}
		shown = `${cut}…`;
	}
	if (!options.pad) return shown;
	const gap = ' '.repeat(Math.max(0, width - stringWidth(shown)));
	return options.alignRight ? gap + shown : shown + gap;
}
