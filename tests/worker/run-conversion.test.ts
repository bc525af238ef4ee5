/** The conversion child's bounds: a process group killed whole, a memory ceiling, a page limit. */
import {readFile, writeFile} from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import {isProcessAlive} from '../../source/lib/processes.js';
import {ConversionError} from '../../source/worker/converter/conversion-error.js';
import {convertPdf} from '../../source/worker/converter/pdf-to-markdown.js';
import {runConversion} from '../../source/worker/run-conversion.js';
import {makePdf} from '../support/pdfs.js';
import {tempDir} from '../support/temp.js';

async function until(check: () => boolean, timeoutMs = 5000): Promise<boolean> {
	const deadline = Date.now() + timeoutMs;
	while (!check()) {
		if (Date.now() > deadline) return false;
		await new Promise(resolve => setTimeout(resolve, 20));
	}
	return true;
}

/** A converter that forks a long sleeper (its pid in `pidFile`), then either hangs or exits. */
async function forkingConverter(dir: string, then: 'hang' | 'exit'): Promise<{command: string; pidFile: string}> {
	const script = path.join(dir, 'forking.sh');
	const pidFile = path.join(dir, 'grandchild.pid');
	await writeFile(
		script,
		`#!/bin/sh\nsleep 300 &\necho $! > "${pidFile}"\nmkdir -p "$2"\nprintf '# x\\n' > "$2/content.md"\n${then === 'hang' ? 'sleep 300\n' : ''}`,
	);
	return {command: `sh ${script} {input} {output}`, pidFile};
}

for (const then of ['hang', 'exit'] as const) {
	test(`an external converter that forks and ${then === 'hang' ? 'hangs' : 'exits'} leaves no process behind`, async t => {
		const dir = await tempDir('bf-group-');
		const {command, pidFile} = await forkingConverter(dir, then);
		const run = runConversion({
			input: path.join(dir, 'in.pdf'),
			output: path.join(dir, 'out'),
			command,
			...(then === 'hang' ? {timeoutMs: 1000} : {}),
		});
		if (then === 'hang') await t.throwsAsync(run, {message: /timed out/});
		else await run;
		const grandchild = Number((await readFile(pidFile, 'utf8')).trim());
		t.true(grandchild > 0);
		t.true(
			await until(() => !isProcessAlive(grandchild)),
			`the forked sleeper (pid ${grandchild}) was killed with its group`,
		);
	});
}

test('the built-in converter child is killed above its memory ceiling, and the job fails for good', async t => {
	const dir = await tempDir('bf-memory-');
	await writeFile(path.join(dir, 'in.pdf'), await makePdf(['heavy enough']));
	// pdf.js alone holds more than 40 MB resident: the ceiling is crossed at once.
	const error = await t.throwsAsync(
		runConversion({input: path.join(dir, 'in.pdf'), output: path.join(dir, 'out'), memoryLimitBytes: 40 * 2 ** 20}),
	);
	t.true(error instanceof ConversionError && error.permanent, String(error));
	t.regex(error?.message ?? '', /needed more than 40 MB of memory/);
});

test('page limits: more pages than max_pages, or none declared, fail for good', async t => {
	const two = await makePdf(['a page'], {pages: 2});
	const tooMany = await t.throwsAsync(convertPdf(two, {maxPages: 1}));
	t.true(tooMany instanceof ConversionError && tooMany.permanent);
	t.regex(tooMany?.message ?? '', /2 pages, more than max_pages \(1\)/);
	t.is((await convertPdf(two, {maxPages: 2})).pages, 2);
	// A hand-written PDF whose page tree declares /Count -5.
	const body = [
		'%PDF-1.4',
		'1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj',
		'2 0 obj << /Type /Pages /Kids [] /Count -5 >> endobj',
	].join('\n');
	const xrefAt = body.length + 1;
	const negative = Buffer.from(
		`${body}\nxref\n0 3\n0000000000 65535 f \ntrailer << /Size 3 /Root 1 0 R >>\nstartxref\n${xrefAt}\n%%EOF\n`,
	);
	const none = await t.throwsAsync(convertPdf(new Uint8Array(negative)));
	t.true(none instanceof ConversionError && none.permanent, String(none));
	t.notRegex(none?.message ?? '', /converted -5/);
});
