/**
Resolves where BlobForge works and as whom, from global flags over environment variables.
The earlier system's variables keep working; BLOBFORGE_STORE_DIR names the embedded local
store, which is the default when no bucket is configured. Every value is validated here so a
typo is one clear line, not a confusing failure three layers down.
*/
import os from 'node:os';
import path from 'node:path';
import {UserError, exitCodes} from './errors.js';
import {registerSecret} from './redact.js';
import {handedSecrets} from './secret-handoff.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type StoreSettings =
	| {
			kind: 's3';
			bucket: string;
			region: string;
			endpoint?: string;
			forcePathStyle: boolean;
			credentials?: {accessKeyId: string; secretAccessKey: string; sessionToken?: string} | undefined;
	  }
	| {kind: 'local'; dir: string};

export type Settings = {
	store: StoreSettings;
	/** Key prefix inside the store, '' or ending in '/'. @default 'pdf/' */
	prefix: string;
	workerId?: string;
	logLevel: LogLevel;
};

/** Global flags, as yargs hands them over; each overrides its environment variable. */
export type SettingsFlags = {
	bucket?: string;
	prefix?: string;
	region?: string;
	endpoint?: string;
	storeDir?: string;
	workerId?: string;
	logLevel?: string;
};

export type Environment = Record<string, string | undefined>;

/** Every environment variable BlobForge reads, for the readme's reference and `doctor`. */
export const environmentVariables = {
	BLOBFORGE_S3_BUCKET: 'the bucket; when unset, the embedded local store is used',
	BLOBFORGE_S3_PREFIX:
		'key prefix inside the bucket (default pdf/; a trailing / is added; empty means the bucket root)',
	BLOBFORGE_S3_REGION: 'region (default us-east-1)',
	BLOBFORGE_S3_ENDPOINT_URL: 'endpoint of an S3-compatible service (R2, MinIO, Ceph, ...)',
	BLOBFORGE_S3_ACCESS_KEY_ID: 'access key; when unset, the AWS SDK default chain applies',
	BLOBFORGE_S3_SECRET_ACCESS_KEY: 'secret key; set together with the access key',
	BLOBFORGE_S3_PATH_STYLE: 'true/false: path-style addressing (default true when an endpoint is set)',
	BLOBFORGE_STORE_DIR: 'directory of the embedded local store (default $XDG_DATA_HOME/blobforge/store)',
	BLOBFORGE_WORKER_ID: 'worker id (default: derived from machine-id and hostname)',
	BLOBFORGE_LOG_LEVEL: 'debug, info, warn or error (default info)',
} as const;

function configError(message: string, hint: string): UserError {
	return new UserError(message, {hint, exitCode: exitCodes.config});
}

function nonEmpty(value: string | undefined): string | undefined {
	const trimmed = value?.trim();
	return trimmed ? trimmed : undefined;
}

export function parseLogLevel(value: string | undefined, source: string): LogLevel {
	if (value === undefined || value.trim() === '') return 'info';
	const lower = value.trim().toLowerCase();
	if (lower === 'warning') return 'warn';
	if (lower === 'debug' || lower === 'info' || lower === 'warn' || lower === 'error') return lower;
	throw configError(`${source} is "${value}", which is not a log level`, 'use one of debug, info, warn, error');
}

export function normalizePrefix(value: string, source: string): string {
	if (value === '') return '';
	if (value.startsWith('/'))
		throw configError(
			`${source} is "${value}": a prefix must not start with /`,
			'write it without the leading slash, e.g. pdf/',
		);
	const withSlash = value.endsWith('/') ? value : `${value}/`;
	if (
		withSlash
			.split('/')
			.some((segment, index, all) => segment === '..' || segment === '.' || (segment === '' && index < all.length - 1))
	) {
		throw configError(
			`${source} is "${value}": a prefix may not contain empty, . or .. segments`,
			'use plain names separated by /, e.g. team/pdf/',
		);
	}
	return withSlash;
}

function parseBoolean(value: string, source: string): boolean {
	const lower = value.trim().toLowerCase();
	if (['1', 'true', 'yes', 'on'].includes(lower)) return true;
	if (['0', 'false', 'no', 'off'].includes(lower)) return false;
	throw configError(`${source} is "${value}", which is not true or false`, 'use true or false');
}

export function defaultStoreDir(environment: Environment): string {
	const dataHome = nonEmpty(environment['XDG_DATA_HOME']) ?? path.join(os.homedir(), '.local', 'share');
	return path.join(dataHome, 'blobforge', 'store');
}

export function resolveSettings(
	flags: SettingsFlags,
	environment: Environment = {...process.env, ...handedSecrets()},
): Settings {
	const bucket = nonEmpty(flags.bucket) ?? (flags.storeDir ? undefined : nonEmpty(environment['BLOBFORGE_S3_BUCKET']));
	const storeDir =
		nonEmpty(flags.storeDir) ?? (flags.bucket ? undefined : nonEmpty(environment['BLOBFORGE_STORE_DIR']));
	if (bucket && storeDir) {
		throw configError(
			'both a bucket (BLOBFORGE_S3_BUCKET) and a local store (BLOBFORGE_STORE_DIR) are configured',
			'unset one of them, or choose with --bucket or --store-dir',
		);
	}
	const prefixSource = flags.prefix === undefined ? 'BLOBFORGE_S3_PREFIX' : '--prefix';
	const prefix = normalizePrefix(flags.prefix ?? environment['BLOBFORGE_S3_PREFIX'] ?? 'pdf/', prefixSource);
	const logLevel = parseLogLevel(
		flags.logLevel ?? environment['BLOBFORGE_LOG_LEVEL'],
		flags.logLevel === undefined ? 'BLOBFORGE_LOG_LEVEL' : '--log-level',
	);
	const workerId = nonEmpty(flags.workerId) ?? nonEmpty(environment['BLOBFORGE_WORKER_ID']);
	if (workerId && !/^[\w.@:-]{1,64}$/.test(workerId)) {
		throw configError(`the worker id "${workerId}" is not valid`, 'use up to 64 letters, digits and . _ - @ :');
	}
	if (!bucket) {
		return {
			store: {kind: 'local', dir: path.resolve(storeDir ?? defaultStoreDir(environment))},
			prefix,
			logLevel,
			workerId,
		};
	}
	if (!/^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$/.test(bucket)) {
		throw configError(
			`the bucket name "${bucket}" is not valid`,
			'bucket names have 3 to 63 lowercase letters, digits, dots and hyphens',
		);
	}
	const region = nonEmpty(flags.region) ?? nonEmpty(environment['BLOBFORGE_S3_REGION']) ?? 'us-east-1';
	if (!/^[a-z0-9-]{2,32}$/.test(region))
		throw configError(`the region "${region}" is not valid`, 'use a region name such as us-east-1 (or auto for R2)');
	const endpoint = nonEmpty(flags.endpoint) ?? nonEmpty(environment['BLOBFORGE_S3_ENDPOINT_URL']);
	if (endpoint) {
		let url: URL;
		try {
			url = new URL(endpoint);
		} catch {
			throw configError(
				`the endpoint "${endpoint}" is not a URL`,
				'write it with its scheme, e.g. https://s3.example.com or http://127.0.0.1:7480',
			);
		}
		if (url.protocol !== 'http:' && url.protocol !== 'https:')
			throw configError(
				`the endpoint "${endpoint}" must start with http:// or https://`,
				'write it with its scheme, e.g. https://s3.example.com',
			);
	}
	const accessKeyId = nonEmpty(environment['BLOBFORGE_S3_ACCESS_KEY_ID']);
	const secretAccessKey = nonEmpty(environment['BLOBFORGE_S3_SECRET_ACCESS_KEY']);
	if (Boolean(accessKeyId) !== Boolean(secretAccessKey)) {
		throw configError(
			`only ${accessKeyId ? 'BLOBFORGE_S3_ACCESS_KEY_ID' : 'BLOBFORGE_S3_SECRET_ACCESS_KEY'} is set`,
			'set both BLOBFORGE_S3_ACCESS_KEY_ID and BLOBFORGE_S3_SECRET_ACCESS_KEY, or neither to use the AWS default credential chain',
		);
	}
	registerSecret(secretAccessKey);
	// The SDK's own chain reads AWS_* from the environment first; a worker hands those over out of
	// its environment (lib/secret-handoff.ts), so they are passed on explicitly, as the SDK would use them.
	const awsKeyId = nonEmpty(environment['AWS_ACCESS_KEY_ID']);
	const awsSecret = nonEmpty(environment['AWS_SECRET_ACCESS_KEY']);
	const awsToken = nonEmpty(environment['AWS_SESSION_TOKEN']) ?? nonEmpty(environment['AWS_SECURITY_TOKEN']);
	registerSecret(awsSecret);
	registerSecret(awsToken);
	const credentials =
		accessKeyId && secretAccessKey
			? {accessKeyId, secretAccessKey}
			: awsKeyId && awsSecret
				? {accessKeyId: awsKeyId, secretAccessKey: awsSecret, ...(awsToken ? {sessionToken: awsToken} : {})}
				: undefined;
	const pathStyle = environment['BLOBFORGE_S3_PATH_STYLE'];
	return {
		store: {
			kind: 's3',
			bucket,
			region,
			endpoint,
			forcePathStyle:
				pathStyle === undefined || pathStyle === ''
					? Boolean(endpoint)
					: parseBoolean(pathStyle, 'BLOBFORGE_S3_PATH_STYLE'),
			credentials,
		},
		prefix,
		logLevel,
		workerId,
	};
}

/** One line naming the store and prefix, printed by every command that works on a store. */
export function describeStore(settings: Settings, location: string): string {
	return `${location} prefix ${settings.prefix === '' ? '(bucket root)' : settings.prefix}`;
}
