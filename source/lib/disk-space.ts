/**
Free room on the disk that holds a directory (or its nearest existing parent, for a store not
created yet). A full disk fails conversions and, on the local store, every write: `doctor` and a
starting worker say so before it happens.
*/
import {statfs} from 'node:fs/promises';
import path from 'node:path';

/** Below this, `doctor` warns and a starting worker logs a warning: a few large PDFs fill it. */
export const lowDiskBytes = 1024 ** 3;

/** Bytes free to this user on the disk of `dir`; undefined when no ancestor can be read. */
export async function freeBytes(dir: string): Promise<number | undefined> {
	for (let current = path.resolve(dir); ; current = path.dirname(current)) {
		try {
			const disk = await statfs(current);
			return disk.bavail * disk.bsize;
		} catch {
			if (path.dirname(current) === current) return undefined;
		}
	}
}
