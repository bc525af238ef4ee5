/**
What a file is: a PDF (hashed by streaming, never held in memory), a Git LFS pointer to one
(hash and size from the pointer, nothing downloaded), or neither.
*/
import {createHash} from 'node:crypto';
import {createReadStream} from 'node:fs';
import {open} from 'node:fs/promises';

export type InspectedFile =
	| {kind: 'pdf'; hash: string; size: number}
	| {kind: 'lfs-pointer'; hash: string; size: number}
	| {kind: 'not-pdf'; reason: string};

const lfsPointer =
	/^version https:\/\/git-lfs\.github\.com\/spec\/v1\r?\noid sha256:([0-9a-f]{64})\r?\nsize (\d+)\r?\n?/;

/** Files up to this size are read once and hashed in memory; larger ones are streamed. */
const smallFile = 4 * 1024 * 1024;

export async function inspectFile(file: string): Promise<InspectedFile> {
	const handle = await open(file, 'r');
	let head: Buffer;
	let size: number;
	try {
		size = (await handle.stat()).size;
		head = Buffer.alloc(Math.min(size <= smallFile ? size : 512, size));
		await handle.read(head, 0, head.byteLength, 0);
	} finally {
		await handle.close();
	}
	if (size === 0) return {kind: 'not-pdf', reason: 'empty file (0 bytes)'};
	const pointer = lfsPointer.exec(head.toString('latin1'));
	if (pointer && size < 1024) return {kind: 'lfs-pointer', hash: pointer[1]!, size: Number(pointer[2])};
	if (head.subarray(0, 4).toString('latin1') !== '%PDF')
		return {kind: 'not-pdf', reason: 'not a PDF (does not start with %PDF)'};
	return {
		kind: 'pdf',
		hash: size <= smallFile ? createHash('sha256').update(head).digest('hex') : await sha256File(file),
		size,
	};
}

export async function sha256File(file: string): Promise<string> {
	const hash = createHash('sha256');
	for await (const chunk of createReadStream(file, {highWaterMark: 1024 * 1024})) hash.update(chunk as Buffer);
	return hash.digest('hex');
}
