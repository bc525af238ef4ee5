/**
The machine's load and the conversion child's memory, for the heartbeats. Sampled beside the
heartbeat, never before it: the first CPU sample takes ~0.5 s, and a slow sample must never delay
a lease renewal.
*/
import {processRss, type SystemLoad, systemLoad} from './system-load.js';

export type JobLoad = SystemLoad & {childRssBytes?: number};

export class LoadSampler {
	latest: JobLoad = {};
	childPid: number | undefined;
	private sampling = false;

	/** Starts a sample unless one is running; `latest` has the newest finished one. */
	sample(): void {
		if (this.sampling) return;
		this.sampling = true;
		void Promise.all([systemLoad(), processRss(this.childPid)])
			.then(([machine, childRssBytes]) => {
				this.latest = {...machine, ...(childRssBytes === undefined ? {} : {childRssBytes})};
			})
			.finally(() => {
				this.sampling = false;
			});
	}
}
