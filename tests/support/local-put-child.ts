/**
Child process for the full-disk tests: one local-store put, whose outcome it prints on stdout as
JSON. Run under `ulimit -f`, so its file writes fail the way a full disk makes them fail.
*/
import {LocalStore} from '../../source/storage/local-store.js';
import {isStoreError} from '../../source/storage/store-error.js';

const [root, key, size] = process.argv.slice(2) as [string, string, string];
try {
	await new LocalStore({root}).put(key, new Uint8Array(Number(size)));
	process.stdout.write(JSON.stringify({ok: true}));
} catch (error) {
	process.stdout.write(
		JSON.stringify({
			ok: false,
			storeError: isStoreError(error),
			kind: isStoreError(error) ? error.kind : undefined,
			message: (error as Error).message,
		}),
	);
}
