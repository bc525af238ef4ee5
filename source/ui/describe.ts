/** Short words for figures the console shows: a monthly cost, a time left. */
import {formatDuration} from '../lib/format.js';

/** Dollars per month, short: "$0.52/mo". */
export function describeMonthlyCost(dollars: number): string {
	return dollars < 0.01 ? '<$0.01/mo' : dollars < 10 ? `$${dollars.toFixed(2)}/mo` : `$${Math.round(dollars)}/mo`;
}

/** Time left at the current rate, or a word when it is not known. */
export function describeEta(ms: number | undefined): string {
	return ms === undefined ? '—' : formatDuration(ms);
}
