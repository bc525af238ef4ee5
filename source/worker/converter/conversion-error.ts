/** A conversion failure with the reason a person reads, and whether retrying could help. */
export class ConversionError extends Error {
	override readonly name = 'ConversionError';

	constructor(
		message: string,
		/** True when the input itself is the problem (encrypted, corrupt, not a PDF): straight to dead-letter. */
		readonly permanent: boolean,
	) {
		super(message);
	}
}
