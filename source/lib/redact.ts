/**
Keeps credentials out of logs, errors, job logs and `doctor` output. Secrets are registered
once when the configuration is read; every text written for a person passes through redact().
*/
const secrets = new Set<string>();

export function registerSecret(value: string | undefined): void {
	if (value && value.length >= 4) secrets.add(value);
}

const patterns: RegExp[] = [
	// SigV4 signatures and credentials in URLs or headers
	/(Signature=)[0-9a-f]{16,}/gi,
	/(X-Amz-Credential=)[^&\s]+/gi,
	/(X-Amz-Security-Token=)[^&\s]+/gi,
	/(Authorization:\s*)[^\n]+/gi,
	/(aws_secret_access_key\s*=\s*)\S+/gi,
];

/** Whether `bytes` hold a registered secret (a result a converter wrote, before it is uploaded). */
export function containsSecret(bytes: Uint8Array): boolean {
	const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	for (const secret of secrets) if (buffer.includes(secret)) return true;
	return false;
}

export function redact(text: string): string {
	let result = text;
	for (const secret of secrets) result = result.split(secret).join('[redacted]');
	for (const pattern of patterns) result = result.replace(pattern, '$1[redacted]');
	return result;
}
