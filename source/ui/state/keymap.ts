/**
The console's one table of keys. Key matching, the footer, the `?` screen and the keys table in
readme.md all come from it, so they cannot drift apart (gemini-cli's keyBindings.ts is the model).
*/

/** A key as the console names it: a printable character, or one of the named keys below. */
export type KeyName = string;

export type Command =
	| 'quit'
	| 'pause-queue'
	| 'help'
	| 'next-pane'
	| 'previous-pane'
	| 'pane-1'
	| 'pane-2'
	| 'pane-3'
	| 'pane-4'
	| 'pane-5'
	| 'pane-6'
	| 'up'
	| 'down'
	| 'page-up'
	| 'page-down'
	| 'home'
	| 'end'
	| 'open'
	| 'back'
	| 'filter'
	| 'sort'
	| 'reverse-sort'
	| 'retry'
	| 'retry-all'
	| 'cancel'
	| 'priority'
	| 'clear-dead'
	| 'logs'
	| 'preview'
	| 'pause'
	| 'faster'
	| 'slower'
	| 'refresh'
	| 'history'
	| 'group'
	| 'next-match'
	| 'previous-match'
	| 'copy'
	| 'mark'
	| 'remove'
	| 'drain-worker'
	| 'stop-worker';

export type Binding = {
	command: Command;
	keys: KeyName[];
	description: string;
	category: 'General' | 'Navigation' | 'View' | 'Actions';
	/** Changes the queue: disabled by --read-only. */
	isAction?: boolean;
	/** Asks for confirmation first. */
	isDestructive?: boolean;
	/** Shown in the footer, in this order (lower first). */
	footer?: {order: number; label: string};
};

export const keymap: Binding[] = [
	{command: 'help', keys: ['?'], description: 'show every key', category: 'General', footer: {order: 0, label: 'help'}},
	{
		command: 'quit',
		keys: ['q', 'ctrl-c'],
		description: 'quit (the terminal is restored)',
		category: 'General',
		footer: {order: 99, label: 'quit'},
	},
	{
		command: 'pause',
		keys: ['space'],
		description: 'pause or resume refreshing',
		category: 'General',
		footer: {order: 8, label: 'pause'},
	},
	{
		command: 'faster',
		keys: ['+', '='],
		description: 'refresh more often (down to the floor in config)',
		category: 'General',
	},
	{command: 'slower', keys: ['-'], description: 'refresh less often', category: 'General'},
	{command: 'refresh', keys: ['ctrl-r'], description: 'refresh now', category: 'General'},
	{
		command: 'next-pane',
		keys: ['tab', 'right'],
		description: 'next pane',
		category: 'Navigation',
		footer: {order: 1, label: 'pane'},
	},
	{command: 'previous-pane', keys: ['shift-tab', 'left'], description: 'previous pane', category: 'Navigation'},
	{command: 'pane-1', keys: ['1'], description: 'Active jobs', category: 'Navigation'},
	{command: 'pane-2', keys: ['2'], description: 'Queue (todo)', category: 'Navigation'},
	{command: 'pane-3', keys: ['3'], description: 'Failed', category: 'Navigation'},
	{command: 'pane-4', keys: ['4'], description: 'Dead-letter', category: 'Navigation'},
	{command: 'pane-5', keys: ['5'], description: 'Done (the last 30 minutes)', category: 'Navigation'},
	{command: 'pane-6', keys: ['6'], description: 'Workers', category: 'Navigation'},
	{command: 'up', keys: ['up', 'k'], description: 'move up', category: 'Navigation'},
	{command: 'down', keys: ['down', 'j'], description: 'move down', category: 'Navigation'},
	{command: 'page-up', keys: ['pageup', 'ctrl-b'], description: 'page up', category: 'Navigation'},
	{command: 'page-down', keys: ['pagedown', 'ctrl-f'], description: 'page down', category: 'Navigation'},
	{command: 'home', keys: ['home', 'g'], description: 'first row', category: 'Navigation'},
	{command: 'end', keys: ['end', 'G'], description: 'last row', category: 'Navigation'},
	{
		command: 'open',
		keys: ['enter'],
		description: "the job's detail: every record and why it is where it is",
		category: 'View',
		footer: {order: 2, label: 'detail'},
	},
	{command: 'back', keys: ['escape'], description: 'back; clears the filter in a list', category: 'View'},
	{
		command: 'filter',
		keys: ['/'],
		description: 'filter a list by file name, hash, worker or tag; search a text view',
		category: 'View',
		footer: {order: 3, label: 'filter'},
	},
	{command: 'sort', keys: ['s'], description: 'sort by the next column', category: 'View'},
	{command: 'reverse-sort', keys: ['S'], description: 'reverse the sort', category: 'View'},
	{
		command: 'logs',
		keys: ['l'],
		description: "the job's logs (follows a running job)",
		category: 'View',
		footer: {order: 4, label: 'logs'},
	},
	{command: 'preview', keys: ['p'], description: 'preview the Markdown result', category: 'View'},
	{command: 'next-match', keys: ['n'], description: 'next match of the search (N: previous)', category: 'View'},
	{command: 'previous-match', keys: ['N'], description: 'previous match of the search', category: 'View'},
	{
		command: 'group',
		keys: ['e'],
		description: 'Failed, Dead: group by error; Enter opens a group, actions take all of it',
		category: 'View',
	},
	{
		command: 'history',
		keys: ['H'],
		description: 'done and failed per hour (a day) and per day (a month)',
		category: 'View',
	},
	{command: 'copy', keys: ['y'], description: "copy the job's hash or the worker's id (OSC 52)", category: 'View'},
	{
		command: 'mark',
		keys: ['m'],
		description: 'mark the row: r, c and x then act on every marked job (Esc clears)',
		category: 'Actions',
	},
	{
		command: 'retry',
		keys: ['r'],
		description: 'retry the selected job (failed or dead)',
		category: 'Actions',
		isAction: true,
		footer: {order: 5, label: 'retry'},
	},
	{
		command: 'retry-all',
		keys: ['R'],
		description: 'retry every failed or dead job the filter matches',
		category: 'Actions',
		isAction: true,
		isDestructive: true,
	},
	{
		command: 'cancel',
		keys: ['c'],
		description: 'cancel the selected job (a running one stops at its next heartbeat)',
		category: 'Actions',
		isAction: true,
		isDestructive: true,
		footer: {order: 6, label: 'cancel'},
	},
	{
		command: 'remove',
		keys: ['x'],
		description: 'remove the job for good: its records, PDF and logs (not a running one)',
		category: 'Actions',
		isAction: true,
		isDestructive: true,
	},
	{
		command: 'drain-worker',
		keys: ['d'],
		description: 'Workers: drain the worker (it finishes its job and exits)',
		category: 'Actions',
		isAction: true,
		isDestructive: true,
	},
	{
		command: 'stop-worker',
		keys: ['K'],
		description: 'Workers: stop the worker (its job is handed back)',
		category: 'Actions',
		isAction: true,
		isDestructive: true,
	},
	{
		command: 'priority',
		keys: ['P'],
		description: 'change the priority of a queued job',
		category: 'Actions',
		isAction: true,
	},
	{
		command: 'pause-queue',
		keys: ['Z'],
		description: 'pause the queue (workers stop claiming; running jobs finish), or resume it',
		category: 'Actions',
		isAction: true,
		isDestructive: true,
	},
	{
		command: 'clear-dead',
		keys: ['D'],
		description: 'clear the dead-letter queue (type y to confirm)',
		category: 'Actions',
		isAction: true,
		isDestructive: true,
		footer: {order: 7, label: 'clear dead'},
	},
];

const byKey = new Map<KeyName, Command>(keymap.flatMap(b => b.keys.map(k => [k, b.command] as const)));

export function commandFor(key: KeyName): Command | undefined {
	return byKey.get(key);
}

export function bindingOf(command: Command): Binding {
	return keymap.find(b => b.command === command)!;
}

/** How a key is written on screen: "ctrl-c" → "^C", "enter" → "⏎". */
export function displayKey(key: KeyName): string {
	const names: Record<string, string> = {
		enter: 'Enter',
		escape: 'Esc',
		space: 'Space',
		tab: 'Tab',
		'shift-tab': 'S-Tab',
		up: '↑',
		down: '↓',
		left: '←',
		right: '→',
		pageup: 'PgUp',
		pagedown: 'PgDn',
		home: 'Home',
		end: 'End',
	};
	if (key.startsWith('ctrl-')) return `^${key.slice(5).toUpperCase()}`;
	return names[key] ?? key;
}

/** The footer's entries, most useful first. */
export function footerEntries(): Array<{key: string; label: string}> {
	return keymap
		.filter(b => b.footer)
		.sort((a, b) => a.footer!.order - b.footer!.order)
		.map(b => ({key: displayKey(b.keys[0]!), label: b.footer!.label}));
}

/** The `?` screen shows some bindings as one line: the six pane keys, n and N. */
const helpFolds: Partial<Record<Command, {keys: string; description: string}>> = {
	'pane-1': {keys: '1…6', description: 'Active, Queue, Failed, Dead, Done, Workers'},
	'next-match': {keys: 'n N', description: 'next, previous match of a search'},
};
const foldedInHelp = new Set<Command>(['pane-2', 'pane-3', 'pane-4', 'pane-5', 'pane-6', 'previous-match']);

/** The `?` screen: a heading per category, then one line per binding. */
export function helpLines(columns = 0): string[] {
	// A wide terminal shows the keys in two columns, so the whole list fits a 40-row screen unscrolled.
	const half = Math.floor((columns - 2) / 2);
	const twoColumns = columns >= 100;
	const section = (categories: ReadonlyArray<(typeof keymap)[number]['category']>) => {
		const lines: string[] = [];
		for (const category of categories) {
			lines.push(category);
			for (const binding of keymap.filter(b => b.category === category && !foldedInHelp.has(b.command))) {
				const folded = helpFolds[binding.command];
				const keys = `  ${(folded?.keys ?? binding.keys.map(k => displayKey(k)).join(' ')).padEnd(10)} `;
				const text = `${folded?.description ?? binding.description}${binding.isDestructive ? ' (asks first)' : ''}`;
				lines.push(...(twoColumns ? wrapped(keys, text, half - 1) : [keys + text]));
			}
		}
		return lines;
	};
	const all = section(['General', 'Navigation', 'View', 'Actions']);
	if (!twoColumns) return all;
	// Split where the two columns come out even, but never inside a binding (at a line that continues one).
	let split = Math.ceil(all.length / 2);
	while (split < all.length && all[split]!.startsWith('   ')) split++;
	const left = all.slice(0, split);
	const right = all.slice(split);
	return Array.from({length: Math.max(left.length, right.length)}, (_, i) =>
		`${(left[i] ?? '').padEnd(half)}${right[i] ?? ''}`.trimEnd(),
	);
}

/** `lead` then `text` cut at spaces into lines of at most `width`, continuations under the text. */
function wrapped(lead: string, text: string, width: number): string[] {
	const lines: string[] = [];
	let line = lead;
	for (const word of text.split(' ')) {
		if (line.length > lead.length && line.length + 1 + word.length > width) {
			lines.push(line);
			line = ' '.repeat(lead.length);
		}
		line += line.trim() === '' ? word : ` ${word}`;
	}
	lines.push(line);
	return lines;
}

/** Input as Ink reports it, reduced to the flags the console uses. */
export type InkKey = {
	upArrow: boolean;
	downArrow: boolean;
	leftArrow: boolean;
	rightArrow: boolean;
	pageUp: boolean;
	pageDown: boolean;
	home: boolean;
	end: boolean;
	return: boolean;
	escape: boolean;
	ctrl: boolean;
	shift: boolean;
	tab: boolean;
	backspace: boolean;
	delete: boolean;
};

/**
The keys of one input event. Ink delivers a burst of typed characters (`jjj`) as one string, so
printable input becomes one key per character.
*/
export function keysOf(input: string, key: InkKey): KeyName[] {
	if (key.upArrow) return ['up'];
	if (key.downArrow) return ['down'];
	if (key.leftArrow) return ['left'];
	if (key.rightArrow) return ['right'];
	if (key.pageUp) return ['pageup'];
	if (key.pageDown) return ['pagedown'];
	if (key.home) return ['home'];
	if (key.end) return ['end'];
	if (key.return) return ['enter'];
	if (key.escape) return ['escape'];
	if (key.tab) return [key.shift ? 'shift-tab' : 'tab'];
	if (key.backspace || key.delete) return ['backspace'];
	if (key.ctrl && input.length === 1) return [`ctrl-${input.toLowerCase()}`];
	// Control characters inside a burst (keys pasted or sent together) mean their named keys.
	const named: Record<string, KeyName> = {
		' ': 'space',
		'\r': 'enter',
		'\n': 'enter',
		'\t': 'tab',
		'\u007F': 'backspace',
		'\b': 'backspace',
		'\u001B': 'escape',
	};
	return [...input].map(c => named[c] ?? c).filter(k => [...k].length > 1 || k >= ' ');
}

/** The keys table of readme.md (between its `keys:start` and `keys:end` markers); a test keeps them equal. */
export function keysMarkdown(): string {
	const rows = keymap.map(
		b =>
			`| ${b.keys.map(k => `\`${displayKey(k)}\``).join(' ')} | ${b.category} | ` +
			`${b.description}${b.isDestructive ? ' (asks first)' : ''}${b.isAction ? '; off with `--read-only`' : ''} |`,
	);
	return ['| keys | kind | what it does |', '|---|---|---|', ...rows].join('\n');
}
