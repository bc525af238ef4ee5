/** `blobforge pause` and `resume`: workers stop (and start again) claiming jobs of some or all priorities. */
import type {CommandModule} from 'yargs';
import {operatorName} from '../lib/operator-name.js';
import {priorities, type Priority} from '../queue/keys.js';
import type {GlobalArgs} from './context.js';
import {printJson, printLine} from './output.js';
import {openQueue, priorityArgument} from './queue-context.js';

type PauseArgs = GlobalArgs & {priority?: string[]};

export function pausedText(paused: readonly Priority[]): string {
	if (paused.length === 0) return 'nothing is paused';
	return paused.length === priorities.length ? 'the queue is paused (every priority)' : `paused: ${paused.join(', ')}`;
}

function command(pause: boolean): CommandModule<GlobalArgs, PauseArgs> {
	return {
		command: pause ? 'pause' : 'resume',
		describe: pause
			? 'Workers stop claiming jobs (of every priority, or those named); running jobs finish'
			: 'Workers claim again (every priority, or those named)',
		builder: y =>
			y
				.option('priority', {
					type: 'string',
					array: true,
					describe: `only this priority (repeatable): ${priorities.join(', ')}`,
				})
				.example(pause ? '$0 pause' : '$0 resume', pause ? 'the whole queue' : 'everything paused')
				.example(`$0 ${pause ? 'pause' : 'resume'} --priority low --priority background`, 'some priorities'),
		async handler(argv) {
			const named = (argv.priority ?? []).map(p => priorityArgument(p)!);
			const queue = await openQueue(argv);
			const paused = await queue.inspector.setPaused(pause, operatorName(), named.length > 0 ? named : undefined);
			if (argv.json) printJson({paused});
			else {
				printLine(`${queue.storeLine}: ${pausedText(paused)}`);
				if (pause) printLine('workers see it within a minute and a half (at their next listing); running jobs finish');
			}
		},
	};
}

export const pauseCommand = command(true);
export const resumeCommand = command(false);
