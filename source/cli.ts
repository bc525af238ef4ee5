#!/usr/bin/env node
/**
The `blobforge` executable. It checks the Node version before anything else loads: on an older
Node the command line itself would fail to load with a bare SyntaxError (it uses fs.glob and other
Node 22 APIs). An installed package carries Node 24 (the `node` dependency): on an older system
Node it runs itself again on that one, passing signals on and exiting as the child does; without
it, one line says what to install. Only syntax and APIs of old Nodes up to here.
*/
import {spawn} from 'node:child_process';
import {existsSync} from 'node:fs';
import {createRequire} from 'node:module';
import path from 'node:path';

const minimum = 22;
const major = Number(process.versions.node.split('.')[0]);

function bundledNode(): string | undefined {
	try {
		const manifest = createRequire(import.meta.url).resolve('node/package.json');
		const binary = path.join(path.dirname(manifest), 'bin', 'node');
		return existsSync(binary) && binary !== process.execPath ? binary : undefined;
	} catch {
		return undefined;
	}
}

if (major < minimum) {
	const node = bundledNode();
	if (!node) {
		process.stderr.write(
			`blobforge: Node ${process.versions.node} is too old; Node ${minimum} or newer is needed (Node 24 LTS is what it is ` +
				'tested on). From a checkout, `npm ci` installs one: run blobforge as `npx blobforge` or through `npm run`.\n',
		);
		process.exit(3);
	}
	const child = spawn(node, [...process.execArgv, ...process.argv.slice(1)], {stdio: 'inherit'});
	for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'] as const)
		process.on(signal, () => child.kill(signal));
	child.on('exit', (code, signal) => {
		if (signal) {
			process.removeAllListeners(signal);
			process.kill(process.pid, signal);
		} else process.exit(code ?? 1);
	});
} else {
	await run();
}

async function run(): Promise<void> {
	// Secrets a worker handed over to its re-executed self (lib/secret-handoff.ts) are read, and their
	// file deleted, before anything else runs.
	const {handedSecrets} = await import('./lib/secret-handoff.js');
	handedSecrets();
	await import('./commands/main.js');
}
