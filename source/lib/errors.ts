/**
Errors meant for the person at the terminal: one clear line saying what is wrong, a hint
saying how to fix it, and the exit code. The CLI prints these without a stack trace.
*/
export const exitCodes = {
	ok: 0,
	/** The command ran but failed, or what was asked for does not exist. */
	failure: 1,
	/** Bad arguments. */
	usage: 2,
	/** Bad configuration: a variable or flag has an invalid value. */
	config: 3,
	/** The store cannot be used: unreachable, bad credentials, missing bucket, no permission. */
	store: 4,
	/** `doctor`: the bucket cannot support safe leases. */
	unsafe: 5,
} as const;

export type ExitCode = (typeof exitCodes)[keyof typeof exitCodes];

export class UserError extends Error {
	override readonly name = 'UserError';

	constructor(
		message: string,
		readonly options: {hint?: string; exitCode?: ExitCode; cause?: unknown} = {},
	) {
		super(message, options.cause === undefined ? undefined : {cause: options.cause});
	}

	get exitCode(): ExitCode {
		return this.options.exitCode ?? exitCodes.failure;
	}
}

/** Whether a Node.js system error has this code (ENOENT, EEXIST, ...). */
export function isErrno(error: unknown, code: string): boolean {
	return (error as NodeJS.ErrnoException | undefined)?.code === code;
}
