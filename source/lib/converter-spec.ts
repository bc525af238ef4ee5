/**
What `--converter` and the remote config's `converter` key say: the built-in converter (empty, or
`builtin`), a preset by name (worker/converter/presets.ts), or a command template with {input} and
{output}, run without a shell. Here, below every layer, so `config set` can check it.
*/
export const presetNames = ['marker', 'docling', 'mineru'] as const;
export type PresetName = (typeof presetNames)[number];

export type ConverterSpec =
	| {kind: 'builtin'}
	| {kind: 'preset'; name: PresetName}
	| {kind: 'template'; template: string};

export function parseConverterSpec(
	text: string | undefined,
): {ok: true; spec: ConverterSpec} | {ok: false; reason: string} {
	const value = (text ?? '').trim();
	if (value === '' || value === 'builtin' || value === 'built-in') return {ok: true, spec: {kind: 'builtin'}};
	if ((presetNames as readonly string[]).includes(value))
		return {ok: true, spec: {kind: 'preset', name: value as PresetName}};
	if (value.length > 2000) return {ok: false, reason: 'a converter command is at most 2,000 characters'};
	if (!value.includes('{input}') || !value.includes('{output}'))
		return {
			ok: false,
			reason:
				`"${value.slice(0, 60)}" is neither builtin, a preset (${presetNames.join(', ')}) nor a command with ` +
				'{input} and {output}, e.g. "my-tool {input} --out {output}"',
		};
	return {ok: true, spec: {kind: 'template', template: value}};
}

/** How a spec is written back (the remote config's value, a log line). */
export function converterSpecText(spec: ConverterSpec): string {
	return spec.kind === 'builtin' ? 'builtin' : spec.kind === 'preset' ? spec.name : spec.template;
}
