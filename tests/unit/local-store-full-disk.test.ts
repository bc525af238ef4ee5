/**
A write that finds no room (a full disk, a quota, a file-size limit) fails with a clear store error
and leaves nothing behind: no lock file that would hold its key forever, no half-written body.
`ulimit -f` in a child process makes the file writes fail as a full disk does (Node ignores
SIGXFSZ, so the write returns EFBIG), with no special file system needed.
*/
import {execFile} from 'node:child_process';
import {readdir} from 'node:fs/promises';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {promisify} from 'node:util';
import test from 'ava';
import {LocalStore} from '../../source/storage/local-store.js';
import type {StoredObject} from '../../source/storage/object-store.js';
import {tempDir} from '../support/temp.js';

const run = promisify(execFile);
const child = path.join(path.dirname(fileURLToPath(import.meta.url)), '../support/local-put-child.js');

type Outcome = {ok: boolean; storeError?: boolean; kind?: string; message?: string};

/** One put in a child whose files may grow to `blocks` × 512 bytes. */
async function putUnderLimit(root: string, key: string, size: number, blocks: number): Promise<Outcome> {
	const {stdout} = await run('sh', [
		'-c',
		`ulimit -f ${blocks} && exec "$0" "$@"`,
		process.execPath,
		child,
		root,
		key,
		String(size),
	]);
	return JSON.parse(stdout) as Outcome;
}

async function filesIn(folder: string): Promise<string[]> {
	return readdir(folder).catch(() => []);
}

/** Fails the test instead of hanging when a put waits on a lock that nobody will release. */
async function putWithin(store: LocalStore, key: string, body: string, ms: number): Promise<void> {
	let timer: NodeJS.Timeout | undefined;
	const timeout = new Promise<never>((_, reject) => {
		timer = setTimeout(
			() => reject(new Error(`the put of ${key} still waited after ${ms} ms (a lock was left behind)`)),
			ms,
		);
	});
	try {
		await Promise.race([store.put(key, body), timeout]);
	} finally {
		clearTimeout(timer);
	}
}

for (const [what, blocks, size] of [
	['the lock file cannot be written', 0, 10],
	['the body cannot be written', 4, 64 * 1024],
] as const) {
	test(`no room to write (${what}): a clear store error, no lock or temporary file left, the key writable at once`, async t => {
		const root = await tempDir('bf-full-');
		const store = new LocalStore({root});
		await store.put('queue/signal.json', 'before');
		const outcome = await putUnderLimit(root, 'queue/signal.json', size, blocks);
		t.false(outcome.ok);
		t.true(outcome.storeError, outcome.message);
		t.regex(
			outcome.message ?? '',
			/the local store could not write: a file-size limit \(ulimit -f\) was reached \(EFBIG\); nothing was written/,
		);
		t.deepEqual(await filesIn(path.join(root, 'locks')), [], 'no lock file is left');
		t.deepEqual(await filesIn(path.join(root, 'tmp')), [], 'no temporary body is left');
		t.is(
			Buffer.from(((await store.get('queue/signal.json')) as StoredObject).body).toString(),
			'before',
			'the object is unchanged',
		);
		await putWithin(store, 'queue/signal.json', 'after', 10_000);
		t.is(Buffer.from(((await store.get('queue/signal.json')) as StoredObject).body).toString(), 'after');
	});
}
