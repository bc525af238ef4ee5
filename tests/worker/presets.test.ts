/**
The marker, docling and MinerU presets against stand-in tools (tests/support/fake-tools/) that write
exactly the layouts presets.ts names: the Markdown is found, the images it links copied into assets/
and the links rewritten, the tool's JSON kept in meta/, progress read from a \r-redrawn progress bar,
a missing or broken tool said once and clearly, a link to an image the tool did not write a failure.
*/
import {mkdir, readdir, readFile, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import test from 'ava';
import {parseConverterSpec} from '../../source/lib/converter-spec.js';
import {validateConfigValue} from '../../source/queue/records.js';
import {ConversionError} from '../../source/worker/converter/conversion-error.js';
import {checkConverter, converterOf, followingConverter} from '../../source/worker/converters.js';
import {latestLine, RedrawnLines} from '../../source/worker/run-conversion.js';
import {tempDir} from '../support/temp.js';

// From dist/tests/worker to the source tree's stand-ins (scripts, not compiled).
const tools = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../tests/support/fake-tools');
process.env['PATH'] = `${tools}${path.delimiter}${process.env['PATH'] ?? ''}`;

async function job(_t: unknown) {
	const folder = await tempDir('bf-preset-');
	const input = path.join(folder, 'source.pdf');
	await writeFile(input, '%PDF-1.4\n');
	const output = path.join(folder, 'output');
	await mkdir(output);
	const argsLog = path.join(folder, 'args.jsonl');
	return {folder, input, output, argsLog};
}

async function convertWith(
	spec: string,
	paths: Awaited<ReturnType<typeof job>>,
	extra: {mode?: string; timeoutMs?: number} = {},
) {
	process.env['FAKE_TOOL_ARGS_LOG'] = paths.argsLog;
	process.env['FAKE_TOOL_MODE'] = extra.mode ?? '';
	const parsed = parseConverterSpec(spec);
	if (!parsed.ok) throw new Error(parsed.reason);
	const progress: Array<[number, number]> = [];
	let output = '';
	const outcome = await converterOf(parsed.spec).convert({
		input: paths.input,
		output: paths.output,
		...(extra.timeoutMs ? {timeoutMs: extra.timeoutMs} : {}),
		onProgress: (done, total) => progress.push([done, total]),
		onOutput: text => {
			output += text;
		},
	});
	const markdown = await readFile(path.join(paths.output, 'content.md'), 'utf8');
	const assets = await readdir(path.join(paths.output, 'assets')).catch(() => []);
	const meta = await readdir(path.join(paths.output, 'meta')).catch(() => []);
	const args = (await readFile(paths.argsLog, 'utf8').catch(() => ''))
		.split('\n')
		.filter(Boolean)
		.map(line => JSON.parse(line) as string[]);
	return {outcome, markdown, assets, meta, progress, output, args};
}

// The stand-ins read the environment: one conversion at a time.
test.serial('marker: OUT/<stem>/<stem>.md with its image and _meta.json; tqdm progress through \\r', async t => {
	const paths = await job(t);
	const result = await convertWith('marker', paths);
	t.deepEqual(result.args[0], ['marker_single', paths.input, '--output_dir', `${paths.output}.tool`]);
	t.regex(result.markdown, /^# A report/);
	t.true(result.markdown.includes('![](assets/_page_0_Picture_1.jpeg)'), result.markdown);
	t.deepEqual(result.assets, ['_page_0_Picture_1.jpeg']);
	t.deepEqual(result.meta, ['source_meta.json']);
	t.is(result.outcome.converter, 'marker (marker_single)');
	t.deepEqual(result.progress.at(-1), [2, 2], 'the last redraw of the bar');
	t.false(result.output.includes('0/2 [00:00<?'), 'the job log keeps only the last drawing of a bar');
});

test.serial(
	'docling: OUT/<stem>.md, images in <stem>_artifacts/ (referenced), the document JSON; the timeout passed on',
	async t => {
		const paths = await job(t);
		const result = await convertWith('docling', paths, {timeoutMs: 90_000});
		t.deepEqual(result.args[0]!.slice(0, 2), ['docling', paths.input]);
		t.true(result.args[0]!.includes('referenced'));
		t.deepEqual(result.args[0]!.slice(-2), ['--document-timeout', '90']);
		const image = `image_000000_${'ab12'.repeat(8)}.png`;
		t.true(result.markdown.includes(`![Image](assets/${image})`), result.markdown);
		t.deepEqual(result.assets, [image]);
		t.deepEqual(result.meta, ['source.json']);
	},
);

test.serial('docling as a free template without referenced images: the base64 image stays in the Markdown', async t => {
	const paths = await job(t);
	const result = await convertWith('docling {input} --to md --output {output}', paths);
	t.regex(result.markdown, /!\[Image\]\(data:image\/png;base64,/);
	t.deepEqual(result.assets, []);
});

test.serial('MinerU: OUT/<stem>/auto/<stem>.md with images/ and its JSON side files', async t => {
	const paths = await job(t);
	const result = await convertWith('mineru', paths);
	t.deepEqual(result.args[0], ['mineru', '-p', paths.input, '-o', `${paths.output}.tool`, '-b', 'pipeline']);
	const image = `${'9f'.repeat(32)}.jpg`;
	t.true(result.markdown.includes(`![](assets/${image})`), result.markdown);
	t.deepEqual(result.assets, [image]);
	t.deepEqual(result.meta.sort(), ['source_content_list.json', 'source_middle.json', 'source_model.json']);
	t.deepEqual(result.progress.at(-1), [3, 3]);
});

test.serial('the earlier readme example, marker as a free template, works as written', async t => {
	const paths = await job(t);
	const result = await convertWith('marker_single {input} --output_dir {output}', paths);
	t.true(result.markdown.includes('![](assets/_page_0_Picture_1.jpeg)'));
	t.deepEqual(result.meta, ['source_meta.json']);
});

test.serial(
	'a link to an image the tool did not write fails the job with the reason; a crash says the exit code',
	async t => {
		const paths = await job(t);
		const missing = await t.throwsAsync(convertWith('marker', paths, {mode: 'missing-image'}), {
			instanceOf: ConversionError,
		});
		t.regex(missing?.message ?? '', /links 1 image\(s\) it did not write where it says: _page_0_Picture_1\.jpeg/);
		const again = await job(t);
		const crash = await t.throwsAsync(convertWith('mineru', again, {mode: 'fail'}));
		t.regex(crash?.message ?? '', /the converter exited with code 1/);
	},
);

test.serial('links outside the tool output, or through a symlink, are not followed', async t => {
	const paths = await job(t);
	const {collectToolOutput} = await import('../../source/worker/converter/tool-output.js');
	const tool = `${paths.output}.tool`;
	await mkdir(tool, {recursive: true});
	await writeFile(
		path.join(tool, 'source.md'),
		'![](../../../../etc/passwd)\n![x](/etc/hostname)\n![](https://example.org/a.png)\n',
	);
	const error = await t.throwsAsync(collectToolOutput(tool, paths.output, {stem: 'source'}));
	t.regex(error?.message ?? '', /outside the converter's output/);
	const {symlink} = await import('node:fs/promises');
	await writeFile(path.join(tool, 'source.md'), '![](link.png)\n');
	await symlink('/etc/hostname', path.join(tool, 'link.png'));
	const linked = await t.throwsAsync(collectToolOutput(tool, paths.output, {stem: 'source'}));
	t.regex(linked?.message ?? '', /did not write where it says: link\.png/);
});

test.serial('two Markdown files with nothing to tell them apart fail with both names', async t => {
	const paths = await job(t);
	const {collectToolOutput} = await import('../../source/worker/converter/tool-output.js');
	const tool = `${paths.output}.tool`;
	await mkdir(path.join(tool, 'a'), {recursive: true});
	await writeFile(path.join(tool, 'a', 'one.md'), '# one');
	await writeFile(path.join(tool, 'two.md'), '# two');
	const error = await t.throwsAsync(collectToolOutput(tool, paths.output, {stem: 'source'}));
	t.regex(error?.message ?? '', /wrote 2 Markdown files \(a\/one\.md, two\.md\)/);
});

test.serial('a missing tool is one clear sentence, naming what to install; a present one says its version', async t => {
	const saved = process.env['PATH'];
	process.env['PATH'] = '/nonexistent';
	try {
		t.deepEqual(await checkConverter('marker'), {
			ok: false,
			message: 'marker_single not found on PATH; install marker (pip install marker-pdf)',
		});
		t.deepEqual(await checkConverter('my-tool {input} {output}'), {ok: false, message: 'my-tool not found on PATH'});
	} finally {
		process.env['PATH'] = saved;
	}
	const docling = await checkConverter('docling');
	t.true(docling.ok && /Docling version: 2\.31\.0/.test(docling.description), JSON.stringify(docling));
	t.true((await checkConverter('builtin')).ok);
	// Installed but broken (a missing Python module): its check command fails, and says how.
	const broken = await tempDir('bf-broken-');
	await writeFile(
		path.join(broken, 'marker_single'),
		'#!/bin/sh\necho "ModuleNotFoundError: No module named \'torch\'" >&2\nexit 1\n',
		{mode: 0o755},
	);
	process.env['PATH'] = `${broken}${path.delimiter}${saved}`;
	try {
		const check = await checkConverter('marker');
		t.false(check.ok);
		t.regex(
			check.ok ? '' : check.message,
			/marker_single --help failed \(exit 1\): ModuleNotFoundError: No module named 'torch'/,
		);
	} finally {
		process.env['PATH'] = saved;
	}
});

test('specs: builtin, the presets and templates with {input} and {output}; config set checks converter=', t => {
	for (const text of ['', 'builtin', 'marker', 'docling', 'mineru', 'tool {input} -o {output}'])
		t.true(parseConverterSpec(text).ok, text);
	const bad = parseConverterSpec('marker_single {input}');
	t.false(bad.ok);
	t.regex(
		bad.ok ? '' : bad.reason,
		/neither builtin, a preset \(marker, docling, mineru\) nor a command with \{input\} and \{output\}/,
	);
	t.deepEqual(validateConfigValue('converter', 'marker'), {ok: true, value: 'marker'});
	t.false(validateConfigValue('converter', 'nonsense').ok);
	t.false(validateConfigValue('converter', 7).ok);
});

test('a worker without --converter follows the remote config: the next job uses the new converter', async t => {
	let remote = 'builtin';
	const converter = followingConverter(() => remote);
	t.is(await converter.ready?.(), undefined, 'the built-in converter is always ready');
	remote = 'tool-that-is-not-there {input} {output}';
	t.is(await converter.ready?.(), 'tool-that-is-not-there not found on PATH');
	remote = 'docling';
	t.is(await converter.ready?.(), undefined);
	converter.dispose();
});

test('progress lines: the latest of a chunk whatever ends it; a \\r-redrawn line keeps its last drawing', t => {
	t.is(latestLine('a 1/3\rb 2/3\rc 3/3\r'), 'c 3/3');
	t.is(latestLine('x\n\n'), 'x');
	let log = '';
	const lines = new RedrawnLines(text => {
		log += text;
	});
	for (const chunk of ['bar 1/3\r', 'bar 2/3\r', 'bar 3/3\n', 'next ', 'line\n', 'tail 1/2\rtail 2/2'])
		lines.write(chunk);
	t.is(log, 'bar 3/3\nnext line\n', 'a line being redrawn waits for its end');
	lines.end();
	t.is(log, 'bar 3/3\nnext line\ntail 2/2');
});

test.serial(
	'switched by the remote config to a tool not installed here, a worker claims nothing and says why once; switched back, it works',
	async t => {
		const {makeQueue, hashOf} = await import('../support/queue.js');
		const {makePdf} = await import('../support/pdfs.js');
		const {enqueue} = await import('../../source/queue/transitions/enqueue.js');
		const {recordEvents, testWorker, until} = await import('../support/worker-events.js');
		const queue = await makeQueue();
		const {clock, keys, context} = queue;
		await context.store.put(keys.raw(hashOf(1)), await makePdf(['one']), {contentType: 'application/pdf'});
		await enqueue(context, {hash: hashOf(1), priority: 'normal', name: 'one.pdf', size: 10});
		process.env['FAKE_TOOL_MODE'] = '';
		let remote = 'not-installed-tool {input} {output}';
		const worker = testWorker(
			context,
			clock,
			'w-switch',
			followingConverter(() => remote, {runOnce: true}),
		);
		const events = recordEvents(worker, clock);
		const run = worker.run();
		await until('the converter refused', () => events.some(e => e.event === 'converter-unavailable'));
		t.like(
			events.find(e => e.event === 'converter-unavailable'),
			{fields: {reason: 'not-installed-tool not found on PATH'}},
		);
		for (let i = 0; i < 3; i++) {
			clock.advance(60_000);
			await new Promise(resolve => setTimeout(resolve, 30));
		}
		t.false(
			events.some(e => e.event === 'job-claimed'),
			'nothing claimed meanwhile',
		);
		t.is(events.filter(e => e.event === 'converter-unavailable').length, 1, 'said once, not every minute');
		remote = 'marker';
		// The worker looks again after its minute's sleep, whenever that began.
		for (let i = 0; i < 200 && !events.some(e => e.event === 'job-completed'); i++) {
			clock.advance(60_000);
			await new Promise(resolve => setTimeout(resolve, 50));
		}
		t.true(
			events.some(e => e.event === 'job-completed'),
			'done with marker once the config names it',
		);
		worker.stop('test over');
		for (let i = 0; i < 100 && clock.pendingSleepers > 0; i++) clock.advance(60_000);
		await run;
	},
);
