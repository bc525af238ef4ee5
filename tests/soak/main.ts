/**
`npm run soak`: the full soak; prints its figures and writes bench/results/soak.json. Exit 1 if a promise was
broken.
*/
import {mkdir, writeFile} from 'node:fs/promises';
import {testS3} from '../support/s3-server.js';
import {formatSoakReport, runSoak} from './soak.js';

const server = testS3();
if (!server) {
	console.error('no test S3 server: run `npm run soak`, which boots one');
	process.exit(2);
}
const [jobs = 1000, workers = 8, kills = 50, faultRate = 0.05, slots = 3] = process.argv.slice(2).map(Number);
const report = await runSoak(server, {
	jobs,
	workers,
	slots,
	kills,
	faultRate,
	timeoutMs: 30 * 60_000,
	log: line => console.log(line),
});
console.log(formatSoakReport(report));
await mkdir('bench/results', {recursive: true});
await writeFile('bench/results/soak.json', JSON.stringify({date: new Date().toISOString(), report}, null, 2));
const broken =
	report.jobsLost > 0 ||
	report.jobsStuck > 0 ||
	report.completedTwice > 0 ||
	report.resultsInvalid.length > 0 ||
	report.jobsDone + report.jobsDead < report.jobs;
process.exit(broken ? 1 : 0);
