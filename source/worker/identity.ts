/**
A worker's identity: BLOBFORGE_WORKER_ID, or 12 hex digits of SHA-256(hostname:machine-id), stable across
restarts.
*/
import {createHash, randomUUID} from 'node:crypto';
import {readFileSync} from 'node:fs';
import os from 'node:os';

export function defaultWorkerId(): string {
	let machineId = '';
	for (const file of ['/etc/machine-id', '/var/lib/dbus/machine-id']) {
		try {
			machineId = readFileSync(file, 'utf8').trim();
			break;
		} catch {
			// try the next one
		}
	}
	const source = machineId ? `${os.hostname()}:${machineId}` : `${os.hostname()}:${randomUUID()}`;
	return createHash('sha256').update(source).digest('hex').slice(0, 12);
}
