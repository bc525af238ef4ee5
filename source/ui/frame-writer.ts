/**
Draws the console's frames on the alternate screen, rewriting only the lines that changed.

Ink (in its debug mode) hands each whole frame to this stream; the writer compares it line by line
with what is on screen and sends only the lines that differ, each at its absolute row. A refresh
that changes "updated 3s ago" and one progress bar sends two lines, not forty, which matters over
a slow SSH link. Absolute rows cannot drift: Ink 6.8's own incremental mode moved the cursor one
row short when a frame ended in a newline, and drew every later frame one row low. Frames are
coalesced to at most one write per `minIntervalMs`, the latest frame winning.
*/
import {Writable} from 'node:stream';

/** The terminal side: the process's stdout, or a fake in tests. */
export type TerminalOut = {
	columns?: number;
	rows?: number;
	write(data: string): unknown;
	on(event: 'resize', listener: () => void): unknown;
	off(event: 'resize', listener: () => void): unknown;
};

const clearScreen = '\u001B[2J';
const resizeSettleMs = 250;
const moveTo = (row: number) => `\u001B[${row};1H`;
/** Erase the whole line first: erasing after a line that fills the last column would erase its last character. */
const eraseLine = '\u001B[2K';

/** The bytes that turn the screen showing `shown` into `next` (both lists of lines, row 1 first). */
export function frameUpdate(shown: readonly string[], next: readonly string[]): string {
	let out = '';
	for (let i = 0; i < Math.max(shown.length, next.length); i++) {
		if (shown[i] === next[i]) continue;
		out += moveTo(i + 1) + eraseLine + (next[i] ?? '');
	}
	return out;
}

export class FrameWriter extends Writable {
	readonly isTTY = true;
	/** Bytes sent to the terminal so far (what the tests weigh). */
	bytesSent = 0;
	private shown: string[] = [];
	private pending?: string;
	private timer?: NodeJS.Timeout;
	private lastFlush = Number.NEGATIVE_INFINITY;
	/** Until this time every frame is drawn whole on a cleared screen (see onResize). */
	private clearUntil = Number.NEGATIVE_INFINITY;

	constructor(
		private readonly terminal: TerminalOut,
		private readonly minIntervalMs = 50,
		private readonly now: () => number = () => performance.now(),
	) {
		super({decodeStrings: false});
		terminal.on('resize', this.onResize);
	}

	get columns(): number | undefined {
		return this.terminal.columns;
	}

	get rows(): number | undefined {
		return this.terminal.rows;
	}

	override _write(chunk: unknown, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
		// Ink writes one whole frame per call; an empty write is its flush barrier on unmount.
		const text = typeof chunk === 'string' ? chunk : String(chunk);
		if (text !== '') {
			this.pending = text;
			this.schedule();
		}
		callback();
	}

	/** Stops following the terminal; a frame not yet drawn is dropped (the console is closing). */
	dispose(): void {
		clearTimeout(this.timer);
		this.timer = undefined;
		this.pending = undefined;
		this.terminal.off('resize', this.onResize);
	}

	private schedule(): void {
		if (this.timer) return;
		const wait = this.lastFlush + this.minIntervalMs - this.now();
		if (wait <= 0) this.flush();
		else this.timer = setTimeout(() => this.flush(), wait);
	}

	private flush(): void {
		this.timer = undefined;
		if (this.pending === undefined) return;
		const next = this.pending.split('\n');
		this.pending = undefined;
		this.lastFlush = this.now();
		const whole = this.lastFlush <= this.clearUntil;
		const out = (whole ? clearScreen : '') + frameUpdate(whole ? [] : this.shown, next);
		this.shown = next;
		if (out === '') return;
		this.bytesSent += Buffer.byteLength(out);
		this.terminal.write(out);
	}

	private readonly onResize = () => {
		// Text the terminal re-wrapped or cut is no longer where the last frame put it: draw it all
		// anew. Ink draws once at the new size before the console has re-laid its columns, so every
		// frame of the next quarter second is drawn whole, not just the first.
		this.clearUntil = this.now() + resizeSettleMs;
		this.emit('resize');
	};
}
