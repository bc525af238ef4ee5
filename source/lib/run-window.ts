/**
Run windows: `HH:MM-HH:MM`, in this machine's local time or with a zone (`22:00-06:00@Europe/Berlin`);
a window whose end is before its start crosses midnight, and equal ends mean the whole day. A worker
with windows claims only inside one of them. Wall-clock minutes are read in the window's zone with
Intl, so a daylight-saving change moves the instant a window opens, as it moves the office's day.
*/

export type RunWindow = {text: string; startMinute: number; endMinute: number; zone?: string};

export type WindowState = {inside: true; endsAt: number} | {inside: false; opensAt: number};

const dayMinutes = 24 * 60;

function minuteOf(text: string): number | undefined {
	const match = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(text);
	return match ? Number(match[1]) * 60 + Number(match[2]) : undefined;
}

export function parseRunWindow(text: string): {ok: true; window: RunWindow} | {ok: false; reason: string} {
	const [range = '', zone, extra] = text.trim().split('@');
	const [from = '', to = '', more] = range.split('-');
	const startMinute = minuteOf(from);
	const endMinute = minuteOf(to);
	if (extra !== undefined || more !== undefined || startMinute === undefined || endMinute === undefined)
		return {
			ok: false,
			reason: `run window "${text}" is not HH:MM-HH:MM (optionally @Zone, e.g. 22:00-06:00@Europe/Berlin)`,
		};
	if (zone !== undefined) {
		try {
			new Intl.DateTimeFormat('en-US', {timeZone: zone});
		} catch {
			return {ok: false, reason: `run window "${text}": unknown time zone "${zone}"`};
		}
	}
	return {ok: true, window: {text: text.trim(), startMinute, endMinute, ...(zone ? {zone} : {})}};
}

/** Minutes and milliseconds past midnight of `now` on the wall clock of `zone` (local when undefined). */
function wallClock(now: number, zone: string | undefined): {minute: number; msIntoMinute: number} {
	const parts = new Intl.DateTimeFormat('en-GB', {
		hour: '2-digit',
		minute: '2-digit',
		hourCycle: 'h23',
		...(zone ? {timeZone: zone} : {}),
	}).formatToParts(new Date(now));
	const value = (type: string) => Number(parts.find(p => p.type === type)?.value ?? 0);
	return {minute: value('hour') * 60 + value('minute'), msIntoMinute: now % 60_000};
}

function insideOne(window: RunWindow, minute: number): boolean {
	const {startMinute: start, endMinute: end} = window;
	if (start === end) return true;
	return start < end ? minute >= start && minute < end : minute >= start || minute < end;
}

/** Milliseconds from `now` until the wall clock of `window` next shows `targetMinute`. */
function untilMinute(window: RunWindow, now: number, targetMinute: number): number {
	const {minute, msIntoMinute} = wallClock(now, window.zone);
	const minutes = (targetMinute - minute + dayMinutes) % dayMinutes || dayMinutes;
	return minutes * 60_000 - msIntoMinute;
}

/**
Whether `now` is inside any window, and until when (the latest end of the windows it is in), or when
the next one opens. No windows: always inside.
*/
export function windowState(windows: readonly RunWindow[], now: number): WindowState {
	if (windows.length === 0) return {inside: true, endsAt: Number.POSITIVE_INFINITY};
	const open = windows.filter(w => insideOne(w, wallClock(now, w.zone).minute));
	if (open.some(w => w.startMinute === w.endMinute)) return {inside: true, endsAt: Number.POSITIVE_INFINITY};
	if (open.length > 0) {
		// Windows that overlap or touch: inside until the last of them closes (windows that chain round
		// the whole day end at the day's end, and are looked at again then).
		let endsAt = now;
		for (let hop = 0, at = now; hop <= windows.length; hop++) {
			const covering = windows.filter(w => insideOne(w, wallClock(at, w.zone).minute));
			if (covering.length === 0 || at - now >= dayMinutes * 60_000) break;
			endsAt = Math.max(...covering.map(w => at + untilMinute(w, at, w.endMinute)));
			at = endsAt;
		}
		return {inside: true, endsAt};
	}
	return {inside: false, opensAt: Math.min(...windows.map(w => now + untilMinute(w, now, w.startMinute)))};
}
