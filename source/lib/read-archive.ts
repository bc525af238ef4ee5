/**
Reads a result archive with limits, so a hostile one (a 2 MB zip declaring a 2 GiB entry, or ten
thousand tiny ones) cannot take the reader's memory or disk. Entries are judged by their declared
sizes before anything is inflated, and fflate inflates into a buffer of the declared size (a lie
only truncates the entry). What is refused is named, with the reason; a body that is not a zip
archive at all says so instead of failing.
*/
import {unzipSync} from 'fflate';

export type ArchiveLimits = {
	/** @default 10000 */
	maxEntries?: number;
	/** @default 256 MiB */
	maxEntryBytes?: number;
	/** @default 1 GiB */
	maxTotalBytes?: number;
	/** Inflated size over compressed size, above which an entry counts as a bomb. @default 1000 */
	maxRatio?: number;
	/** Only these entries (the others are skipped, not refused). @default all */
	only?: string[];
};

export type ArchiveContents =
	| {ok: true; files: Record<string, Uint8Array>; refused: Array<{name: string; reason: string}>}
	| {ok: false; reason: string};

const mib = 2 ** 20;

/** Whether the bytes begin as a zip archive does (a local file header, or an empty archive). */
export function looksLikeZip(bytes: Uint8Array): boolean {
	return bytes[0] === 0x50 && bytes[1] === 0x4b && (bytes[2] === 0x03 || bytes[2] === 0x05);
}

export function readArchive(bytes: Uint8Array, limits: ArchiveLimits = {}): ArchiveContents {
	if (!looksLikeZip(bytes)) return {ok: false, reason: 'the result is not a zip archive'};
	const maxEntries = limits.maxEntries ?? 10_000;
	const maxEntryBytes = limits.maxEntryBytes ?? 256 * mib;
	const maxTotalBytes = limits.maxTotalBytes ?? 1024 * mib;
	const maxRatio = limits.maxRatio ?? 1000;
	const refused: Array<{name: string; reason: string}> = [];
	let entries = 0;
	let total = 0;
	try {
		const files = unzipSync(bytes, {
			filter(file) {
				const refuse = (reason: string) => {
					refused.push({name: file.name, reason});
					return false;
				};
				if (limits.only && !limits.only.includes(file.name)) return false;
				if (++entries > maxEntries) return refuse(`more than ${maxEntries} entries`);
				if (file.originalSize > maxEntryBytes)
					return refuse(`${file.originalSize} bytes, more than ${maxEntryBytes} allowed for one entry`);
				// Tiny entries (a few hundred bytes of zeros) compress far better than 1000:1 without harm.
				if (file.originalSize > mib && file.originalSize > maxRatio * Math.max(1, file.size))
					return refuse(`inflates ${Math.round(file.originalSize / Math.max(1, file.size))}:1, a zip bomb`);
				if (total + file.originalSize > maxTotalBytes) return refuse(`the archive would exceed ${maxTotalBytes} bytes`);
				if (file.compression !== 0 && file.compression !== 8) return refuse(`compression method ${file.compression}`);
				total += file.originalSize;
				return true;
			},
		});
		return {ok: true, files, refused};
	} catch (error) {
		return {
			ok: false,
			reason: `the result archive is damaged (${error instanceof Error ? error.message : String(error)})`,
		};
	}
}
