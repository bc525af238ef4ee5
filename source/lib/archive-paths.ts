/**
Archive entry names are untrusted: a result could carry `../../.bashrc` or `/etc/passwd`.
Every name is reduced to a relative path inside its folder before anything is written.
*/
export function safeEntryPath(name: string): string | undefined {
	const parts = name
		.replaceAll('\\', '/')
		.split('/')
		.filter(part => part !== '' && part !== '.');
	// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
	if (parts.length === 0 || parts.some(part => part === '..' || /[\u0000-\u001F]/.test(part))) return undefined;
	return parts.join('/');
}
