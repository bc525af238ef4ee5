/**
The external converters BlobForge knows by name, as their command lines and output layouts are in
the versions named (from the tools' sources and documentation):

- marker (marker-pdf 1.x): `marker_single IN --output_dir OUT` writes `OUT/<stem>/<stem>.md`,
  `OUT/<stem>/<stem>_meta.json` and the images beside them (`_page_0_Picture_1.jpeg`), linked
  relatively; tqdm progress on stderr, redrawn with `\r`.
- docling (docling 2.x): `docling IN --to md --to json --image-export-mode referenced --output OUT`
  writes `OUT/<stem>.md`, `OUT/<stem>.json` and the images in `OUT/<stem>_artifacts/` (without
  `referenced` they are base64 inside the Markdown).
- MinerU (mineru 2.x): `mineru -p IN -o OUT -b pipeline` writes `OUT/<stem>/<method>/<stem>.md`
  (`<method>`: auto, txt, ocr, vlm or hybrid_auto), `images/*.jpg` beside it and JSON side files
  (`<stem>_content_list.json`, `<stem>_middle.json`, `<stem>_model.json`).

Whatever the layout, tool-output.ts finds the Markdown, copies the images it links into `assets/`
and keeps the JSON beside it in `meta/`. A free command template gets the same treatment.
*/

import type {PresetName} from '../../lib/converter-spec.js';

export type {PresetName};

export type Preset = {
	name: PresetName;
	/** The program run, found on PATH. */
	program: string;
	/** What to install when it is missing. */
	install: string;
	/** Arguments that show the tool runs (and its version where it has one), checked at worker start and by doctor. */
	checkArgs: string[];
	args(input: string, output: string, options: {timeoutSeconds?: number | undefined}): string[];
	/** Where its Markdown is, relative to OUT, for the input's stem: tried first, in order. */
	markdown(stem: string): string[];
};

export const presets: Record<PresetName, Preset> = {
	marker: {
		name: 'marker',
		program: 'marker_single',
		install: 'pip install marker-pdf',
		checkArgs: ['--help'],
		args: (input, output) => [input, '--output_dir', output],
		markdown: stem => [`${stem}/${stem}.md`],
	},
	docling: {
		name: 'docling',
		program: 'docling',
		install: 'pip install docling',
		checkArgs: ['--version'],
		args: (input, output, {timeoutSeconds}) => [
			input,
			'--to',
			'md',
			'--to',
			'json',
			'--image-export-mode',
			'referenced',
			'--output',
			output,
			...(timeoutSeconds ? ['--document-timeout', String(timeoutSeconds)] : []),
		],
		markdown: stem => [`${stem}.md`],
	},
	mineru: {
		name: 'mineru',
		program: 'mineru',
		install: 'pip install "mineru[core]"',
		checkArgs: ['--version'],
		args: (input, output) => ['-p', input, '-o', output, '-b', 'pipeline'],
		markdown: stem => ['auto', 'txt', 'ocr', 'vlm', 'hybrid_auto'].map(method => `${stem}/${method}/${stem}.md`),
	},
};
