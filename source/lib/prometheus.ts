/**
Prometheus text exposition (format 0.0.4): metric families as data, written out with HELP and TYPE
lines, escaped label values, and histograms as cumulative `_bucket`, `_sum` and `_count` series.
*/

export type Labels = Record<string, string>;

export type Sample = {labels?: Labels; value: number};

export type Family =
	| {name: string; help: string; type: 'gauge' | 'counter'; samples: Sample[]}
	| {name: string; help: string; type: 'histogram'; series: HistogramSeries[]};

export type HistogramSeries = {
	labels?: Labels;
	/** Upper bounds, ascending, without +Inf. */
	bounds: readonly number[];
	/** Observations per bucket (not cumulative), one more than `bounds` (the last is above every bound). */
	counts: readonly number[];
	sum: number;
};

export const contentType = 'text/plain; version=0.0.4; charset=utf-8';

function escapeLabel(value: string): string {
	return value.replaceAll('\\', '\\\\').replaceAll('\n', '\\n').replaceAll('"', '\\"');
}

function escapeHelp(text: string): string {
	return text.replaceAll('\\', '\\\\').replaceAll('\n', '\\n');
}

function formatValue(value: number): string {
	if (Number.isNaN(value)) return 'NaN';
	if (value === Number.POSITIVE_INFINITY) return '+Inf';
	if (value === Number.NEGATIVE_INFINITY) return '-Inf';
	return String(value);
}

function formatLabels(labels: Labels | undefined, extra?: [string, string]): string {
	const pairs = Object.entries(labels ?? {});
	if (extra) pairs.push(extra);
	return pairs.length === 0 ? '' : `{${pairs.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`;
}

function histogramLines(name: string, series: HistogramSeries): string[] {
	const lines: string[] = [];
	let cumulative = 0;
	series.bounds.forEach((bound, i) => {
		cumulative += series.counts[i] ?? 0;
		lines.push(`${name}_bucket${formatLabels(series.labels, ['le', formatValue(bound)])} ${cumulative}`);
	});
	cumulative += series.counts[series.bounds.length] ?? 0;
	lines.push(`${name}_bucket${formatLabels(series.labels, ['le', '+Inf'])} ${cumulative}`);
	lines.push(`${name}_sum${formatLabels(series.labels)} ${formatValue(series.sum)}`);
	lines.push(`${name}_count${formatLabels(series.labels)} ${cumulative}`);
	return lines;
}

export function formatExposition(families: readonly Family[]): string {
	const lines: string[] = [];
	for (const family of families) {
		lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`);
		if (family.type === 'histogram')
			for (const series of family.series) lines.push(...histogramLines(family.name, series));
		else
			for (const sample of family.samples)
				lines.push(`${family.name}${formatLabels(sample.labels)} ${formatValue(sample.value)}`);
	}
	return `${lines.join('\n')}\n`;
}

/** Counts per bucket for `bounds` (see HistogramSeries), growing as values are observed. */
export class Histogram {
	readonly counts: number[];
	sum = 0;

	constructor(readonly bounds: readonly number[]) {
		this.counts = Array.from({length: bounds.length + 1}, () => 0);
	}

	observe(value: number): void {
		const index = this.bounds.findIndex(bound => value <= bound);
		this.counts[index < 0 ? this.bounds.length : index]!++;
		this.sum += value;
	}

	series(labels?: Labels): HistogramSeries {
		return {...(labels ? {labels} : {}), bounds: this.bounds, counts: this.counts, sum: this.sum};
	}
}
