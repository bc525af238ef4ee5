/**
Materializes a Git LFS object for upload without touching the working tree: `git lfs smudge`
reads the pointer on stdin and writes the content to stdout, fetching it when it is not in the
local LFS store. Works with the smudge filter disabled (GIT_LFS_SKIP_SMUDGE=1 clones), and from
any sub-directory of the repository. Run without a shell; the file name is never an argument.
*/
import {spawn} from 'node:child_process';
import {createHash} from 'node:crypto';
import {readFile} from 'node:fs/promises';
import path from 'node:path';

export async function readLfsObject(pointerFile: string, expectedHash: string): Promise<Buffer> {
	const pointer = await readFile(pointerFile);
	return new Promise((resolve, reject) => {
		const child = spawn('git', ['lfs', 'smudge'], {
			cwd: path.dirname(pointerFile),
			stdio: ['pipe', 'pipe', 'pipe'],
			env: {...process.env, GIT_LFS_SKIP_SMUDGE: '0'},
		});
		const chunks: Buffer[] = [];
		let stderr = '';
		child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
		child.stderr.on('data', (chunk: Buffer) => {
			stderr += chunk.toString();
		});
		child.on('error', error => reject(new Error(`git lfs is not available (${error.message}); install git-lfs`)));
		child.on('close', code => {
			const content = Buffer.concat(chunks);
			if (code !== 0) reject(new Error(`git lfs smudge failed: ${stderr.trim().split('\n').at(-1) ?? `exit ${code}`}`));
			else if (createHash('sha256').update(content).digest('hex') !== expectedHash)
				reject(new Error('git lfs returned content whose SHA-256 differs from the pointer'));
			else if (content.subarray(0, 4).toString('latin1') !== '%PDF')
				reject(new Error('the LFS object is not a PDF (does not start with %PDF)'));
			else resolve(content);
		});
		child.stdin.end(pointer);
	});
}
