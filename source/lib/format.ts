/** Small formatters shared by the CLI and the console. */

/** Replaces control characters and escape sequences so a hostile file name cannot drive the terminal. */
export function safeText(text: string): string {
	// C0 controls, DEL, C1 controls, and bidi overrides that can reorder what a person sees.
	// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
	return text.replaceAll(/[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/g, c => {
		if (c === '\n') return '␤';
		if (c === '\u001B') return '␛';
		return '�';
	});
}

/**
`safeText` line by line: line breaks (and tabs) stay, every other control character or escape
sequence is shown, never obeyed. What every command prints goes through it, so a hostile file name,
worker id or converter output cannot retitle or redraw the operator's terminal.
*/
export function terminalText(text: string): string {
	return text
		.split('\n')
		.map(line => line.split('\t').map(safeText).join('\t'))
		.join('\n');
}

export function formatBytes(bytes: number): string {
	const units = ['B', 'KB', 'MB', 'GB', 'TB'];
	let value = bytes;
	let unit = 0;
	while (value >= 1024 && unit < units.length - 1) {
		value /= 1024;
		unit++;
	}
	return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

export function formatDuration(ms: number): string {
	const seconds = Math.max(0, Math.round(ms / 1000));
	if (seconds < 60) return `${seconds}s`;
	const minutes = Math.floor(seconds / 60);
	if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`;
	const hours = Math.floor(minutes / 60);
	if (hours < 48) return `${hours}h${String(minutes % 60).padStart(2, '0')}m`;
	return `${Math.floor(hours / 24)}d${String(hours % 24).padStart(2, '0')}h`;
}

/** When a sleeping worker wakes: a time of day in UTC (workers and operators may be in different zones). */
export function formatWakeTime(ms: number): string {
	return `${new Date(ms).toISOString().slice(11, 16)} UTC`;
}

/** A plain text table: columns padded to the widest cell, cells made safe for the terminal. */
export function textTable(header: string[], rows: string[][]): string {
	const all = [header, ...rows].map(row => row.map(cell => safeText(cell)));
	const widths = header.map((_, i) => Math.max(...all.map(row => [...(row[i] ?? '')].length)));
	return all
		.map(row =>
			row
				.map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat(widths[i]! - [...cell].length)))
				.join('  ')
				.trimEnd(),
		)
		.join('\n');
}
