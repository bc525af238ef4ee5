// Converts one file with the built-in converter and prints {pages, headings, images, ms, maxRssKb} as JSON.
import {readFileSync} from 'node:fs';
import {convertPdf} from '../source/worker/converter/pdf-to-markdown.js';

const started = performance.now();
const result = await convertPdf(readFileSync(process.argv[2]!));
const ms = performance.now() - started;
process.stdout.write(
	JSON.stringify({
		pages: result.pages,
		headings: result.headings,
		images: result.images.length,
		ms,
		maxRssKb: process.resourceUsage().maxRSS,
	}),
);
