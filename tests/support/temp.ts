/**
Temporary directories for tests, removed when the test process exits (ava runs each test file in
its own process), so runs do not pile up in the temp directory. BLOBFORGE_TEST_KEEP_TMP=1 keeps
them for a post-mortem.
*/
import {rmSync} from 'node:fs';
import {mkdtemp} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const created = new Set<string>();

process.once('exit', () => {
	if (process.env['BLOBFORGE_TEST_KEEP_TMP']) return;
	for (const dir of created) {
		try {
			rmSync(dir, {recursive: true, force: true});
		} catch {
			// A process a test started may still be writing there: leave it.
		}
	}
});

/** A new directory under the system's temp directory, named `<prefix>XXXXXX`. */
export async function tempDir(prefix: string): Promise<string> {
	return removedAtExit(await mkdtemp(path.join(os.tmpdir(), prefix)));
}

/** A path something else creates (a child's state directory, a script): removed with the rest. */
export function removedAtExit(file: string): string {
	created.add(file);
	return file;
}
