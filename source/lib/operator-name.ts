/** Who acts, for records an operator leaves in the bucket (a pause): user@host. */
import os from 'node:os';

export function operatorName(): string {
	let user = 'unknown';
	try {
		user = os.userInfo().username;
	} catch {
		// No passwd entry (a container's arbitrary uid): the host alone says enough.
	}
	return `${user}@${os.hostname()}`;
}
