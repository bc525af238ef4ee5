#!/usr/bin/env node
/**
The `blobforge` executable. It checks the Node version before anything else loads: on an older
Node the command line itself would fail to load with a bare SyntaxError (it uses fs.glob and other
Node 22 APIs), where one line saying what to install helps.
*/
const minimum = 22;
const major = Number(process.versions.node.split('.')[0]);
if (major < minimum) {
	process.stderr.write(
		`blobforge: Node ${process.versions.node} is too old; Node ${minimum} or newer is needed (Node 24 LTS is what it is ` +
			'tested on). From a checkout, `npm ci` installs one: run blobforge as `npx blobforge` or through `npm run`.\n',
	);
	process.exit(3);
}
// Secrets a worker handed over to its re-executed self (lib/secret-handoff.ts) are read, and their
// file deleted, before anything else runs.
const {handedSecrets} = await import('./lib/secret-handoff.js');
handedSecrets();
await import('./commands/main.js');
