/** Run windows: parsing, crossing midnight, zones, overlaps, and when the next one opens. */
import test from 'ava';
import {parseRunWindow, windowState, type RunWindow} from '../../source/lib/run-window.js';

function windows(...texts: string[]): RunWindow[] {
	return texts.map(text => {
		const parsed = parseRunWindow(text);
		if (!parsed.ok) throw new Error(parsed.reason);
		return parsed.window;
	});
}

const utc = (hh: number, mm = 0) => Date.UTC(2026, 11, 2, hh, mm);

test('parsing: HH:MM-HH:MM with an optional zone; everything else refused with the form', t => {
	t.like(parseRunWindow('22:00-06:00'), {ok: true, window: {startMinute: 1320, endMinute: 360}});
	t.like(parseRunWindow('9:30-17:00@Europe/Berlin'), {ok: true, window: {startMinute: 570, zone: 'Europe/Berlin'}});
	for (const bad of ['22-06', '24:00-01:00', '10:60-11:00', '10:00', '10:00-11:00-12:00', 'x@UTC', ''])
		t.like(parseRunWindow(bad), {ok: false}, bad);
	t.regex((parseRunWindow('10:00-11:00@Mars/Base') as {reason: string}).reason, /unknown time zone "Mars\/Base"/);
});

test('inside and outside, across midnight, in a zone', t => {
	const night = windows('22:00-06:00@UTC');
	t.deepEqual(windowState(night, utc(23)), {inside: true, endsAt: utc(23) + 7 * 3_600_000});
	t.deepEqual(windowState(night, utc(5, 59)), {inside: true, endsAt: utc(6)});
	t.deepEqual(windowState(night, utc(6)), {inside: false, opensAt: utc(22)}, 'the end is not inside');
	t.deepEqual(windowState(night, utc(12, 30)), {inside: false, opensAt: utc(22)});
	// 09:00-17:00 in Tokyo (UTC+9) is 00:00-08:00 UTC.
	const tokyo = windows('09:00-17:00@Asia/Tokyo');
	t.deepEqual(windowState(tokyo, utc(7)), {inside: true, endsAt: utc(8)});
	t.deepEqual(windowState(tokyo, utc(8)), {inside: false, opensAt: utc(8) + 16 * 3_600_000});
});

test('several windows: the next to open; touching ones run on; no windows or equal ends mean always', t => {
	const two = windows('01:00-02:00@UTC', '12:00-13:00@UTC');
	t.deepEqual(windowState(two, utc(3)), {inside: false, opensAt: utc(12)});
	const touching = windows('01:00-02:00@UTC', '02:00-04:00@UTC');
	t.deepEqual(windowState(touching, utc(1, 30)), {inside: true, endsAt: utc(4)});
	t.deepEqual(windowState([], utc(3)), {inside: true, endsAt: Number.POSITIVE_INFINITY});
	t.deepEqual(windowState(windows('05:00-05:00@UTC'), utc(3)), {inside: true, endsAt: Number.POSITIVE_INFINITY});
	// Two halves of the day: inside, until at most a day later (looked at again then), never a loop.
	const state = windowState(windows('00:00-12:00@UTC', '12:00-00:00@UTC'), utc(3));
	t.true(state.inside && state.endsAt > utc(3) && state.endsAt <= utc(3) + 36 * 3_600_000);
});
