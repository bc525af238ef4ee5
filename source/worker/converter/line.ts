/** A line of a page as the converter reads it, and an image standing in the page's flow. */
import type {Segment} from './tables.js';
import type {Run} from './text-styles.js';

export type ConvertedImage = {
	/** page<N>-image<M>.jpg or .png */
	name: string;
	bytes: Buffer;
	page: number;
	width: number;
	height: number;
	/** Where its top edge stands on the page (PDF units from the bottom): it goes into the text there. */
	top: number;
};

export type Line = {
	text: string;
	/** The text in runs of one style (bold, italic, monospaced): `text` is their plain join. */
	runs: Run[];
	/** Set wholly in a bold or italic (not monospaced) font. */
	emphasized?: boolean;
	size: number;
	x: number;
	y: number;
	page: number;
	gapBefore: number;
	pageHeight: number;
	/** The line cut where a gap is wider than a word space can be: a table row's cells. */
	segments: Segment[];
	/** An image standing here in the page's flow (the line has no text). */
	image?: ConvertedImage;
};
