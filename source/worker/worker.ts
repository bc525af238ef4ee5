/**
The worker: claim, convert, heartbeat, complete or fail; idle cheaply; shut down cleanly. Composed,
as asynq's server is, of parts with one job each: the Claimer (listing and claim), the Slots (the
jobs it runs at once, `--slots`), a JobRun per job (with its JobLease heartbeats), the
Registration, the JanitorSchedule, the FailureRecorder (a failure the store refused), and the
JobLogWriter. The converter is passed in. Everything it does is an event (worker/events.ts); the
log subscribes.

Slots share one process: one store client and connection pool, one warm JIT, one registration (it
says how many slots), one claimer whose listing serves them all, so slots of one worker never race
each other for a job. Each job keeps its own fenced lease and heartbeats.

Idle: one conditional GET of queue/signal.json every 10 s (304 while nothing new), a full
candidate listing only when it changed (after the jobs the signal names, if any: claimer.ts) or
every 5 minutes.

Shutdown (SIGINT, SIGTERM, SIGHUP, SIGQUIT, or an unexpected error): the conversion is ended, the
job handed back with its retry count (a fenced requeue), the registration marked stopped. A second
signal does not skip this.
*/
import {windowState, type RunWindow} from '../lib/run-window.js';
import {remoteRunWindows} from '../queue/records.js';
import type {Clock} from '../lib/clock.js';
import {ObjectWatch} from '../queue/object-watch.js';
import type {QueueContext} from '../queue/queue-context.js';
import type {RemoteConfigCache} from '../queue/remote-config.js';
import type {HeldLease} from '../queue/transitions/lease-write.js';
import {resumeLease} from '../queue/transitions/resume.js';
import {Claimer} from './claimer.js';
import {type HeldJobs, heldJobsFile, stateDirectory} from './held-jobs.js';
import type {Converter} from './converters.js';
import {errorText, WorkerEmitter, type WorkerStatus} from './events.js';
import {JanitorSchedule} from './janitor-schedule.js';
import {tidyScratch} from './job-folders.js';
import {JobLogWriter} from './job-logs.js';
import {JobRun} from './job-run.js';
import {Slots} from './slots.js';
import {waitForWork} from './idle-wait.js';
import {touchClaimable} from '../queue/claimable-touch.js';
import {namedJobs, wokenNamesAtMost} from '../queue/signal.js';
import type {Candidate} from '../queue/candidates.js';
import {SafetyListing} from './safety-listing.js';
import {FailureRecorder} from './pending-failure.js';
import {Registration, type WorkerIdentity} from './registration.js';
import {StoreTrouble} from './store-trouble.js';
import {WorkerCommands, type HeardCommand} from './worker-commands.js';

export type WorkerOptions = WorkerIdentity & {
	context: QueueContext;
	remoteConfig: RemoteConfigCache;
	converter: Converter;
	clock: Clock;
	/** Process at most one job, then exit. */
	runOnce?: boolean | undefined;
	/** Jobs at once. @default the remote config's worker_slots, else the converter's choice (converters.ts) */
	slots?: number | undefined;
	/** Seconds between idle polls of the signal object. @default 10 */
	idlePollSeconds?: number | undefined;
	/** What the janitor uses, when not `context`: lets a caller count its requests apart. */
	janitorContext?: QueueContext | undefined;
	/** Where the jobs held are remembered for a restart. @default a file in the state directory */
	heldJobs?: HeldJobs | undefined;
	/** Where job folders are made (and a killed worker's are removed at start). @default the system's temp directory */
	scratchDir?: string | undefined;
	/** Claim only inside these windows; outside them sleep without polling the bucket. @default always */
	runWindows?: readonly RunWindow[] | undefined;
	/** At a window's end, hand the running job back (a fenced requeue, the attempt not counted). */
	abortOutsideWindow?: boolean | undefined;
};

export class Worker extends WorkerEmitter {
	private readonly stopController = new AbortController();
	private readonly registration: Registration;
	private readonly janitor: JanitorSchedule;
	private readonly claimer: Claimer;
	private readonly failures: FailureRecorder;
	private readonly logs: JobLogWriter;
	private readonly slots = new Slots();
	/**
	Wakes the loop from a wait with free slots: a job ended (a busy worker lists again after each job,
	as a worker of one slot does, rather than wait for the signal) or a drain was heard.
	*/
	private wake = new AbortController();
	private readonly safety = new SafetyListing();
	private readonly trouble: StoreTrouble;
	private readonly held: HeldJobs;
	private readonly commands: WorkerCommands;
	private status: WorkerStatus = {state: 'starting', jobs: [], slots: 1, jobsCompleted: 0, jobsFailed: 0};

	constructor(private readonly options: WorkerOptions) {
		super();
		const {context, clock} = options;
		this.registration = new Registration(context, clock, options);
		this.registration.keepsWindows((options.runWindows ?? []).map(w => w.text));
		this.janitor = new JanitorSchedule(options.janitorContext ?? context, clock, this, options.workerId);
		this.held = options.heldJobs ?? heldJobsFile(stateDirectory(), options.workerId);
		this.claimer = new Claimer(
			context,
			options.workerId,
			clock,
			this,
			() => this.janitor.fleetLeases,
			hash => this.slots.holds(hash),
		);
		this.failures = new FailureRecorder(context, this.registration, this.janitor, this);
		this.logs = new JobLogWriter(context, this);
		this.trouble = new StoreTrouble(clock, this.stopController.signal, this, () => this.claimer.forget());
		this.commands = new WorkerCommands(context, options.workerId, this, heard => this.obey(heard));
		// Idle, at most every ten minutes: the slow path for a command whose signal an enqueue rewrote
		// before this worker polled it. A busy worker hears commands from its lease (consoles mark the
		// lease of each job it starts until it obeys), so its rewrites cost no GET.
		let checkedAt = Number.NEGATIVE_INFINITY;
		this.registration.onRewrite(async (serverTime, status) => {
			if (this.stopping || status !== 'idle' || serverTime - checkedAt < 10 * 60_000) return;
			checkedAt = serverTime;
			await this.commands.check('registration');
		});
	}

	/** An operator's command: stop hands the running jobs back now; drain lets them finish and claims no other. */
	private obey(heard: HeardCommand): void {
		this.registration.carriesOut(heard);
		if (heard.command === 'stop' || this.slots.size === 0) {
			this.stop(obeyedReason(heard));
			return;
		}
		// Draining: the registration says so now; the jobs finish and the loop stops once the last has.
		this.wake.abort();
		void this.registration.write(this.registration.status, {force: true}).catch(() => undefined);
	}

	/** Jobs at once: --slots, else the remote config's worker_slots, else the converter's choice. */
	private slotCount(): number {
		if (this.options.runOnce) return 1;
		if (this.options.slots !== undefined && this.options.slots > 0) return this.options.slots;
		const config = this.options.remoteConfig.config;
		if (config.worker_slots > 0) return config.worker_slots;
		return Math.max(1, this.options.converter.defaultSlots?.(config) ?? 1);
	}

	/** Asks the worker to stop: the running job is handed back. Safe to call more than once. */
	stop(reason: string): void {
		if (this.stopping) return;
		this.emit('shutdown-requested', {reason});
		this.setStatus({state: 'stopping'});
		this.stopController.abort(reason);
		this.slots.abortAll(`worker shutting down (${reason})`);
		this.options.converter.dispose();
	}

	get stopping(): boolean {
		return this.stopController.signal.aborted;
	}

	async run(): Promise<void> {
		const {context, workerId} = this.options;
		this.emit('worker-started', {store: this.options.storeLine, worker: workerId, pid: process.pid});
		// A store in passing trouble at start (a full disk, an outage) is waited out like one met later.
		let registered = false;
		while (!registered && !this.stopping) {
			await this.trouble.survive(async () => {
				await this.options.remoteConfig.get();
				await this.registration.write('idle', {force: true});
				this.commands.started(this.registration.firstWrittenAt ?? 0);
				registered = true;
				return 'continue';
			});
		}
		if (!registered) return;
		this.trouble.clear();
		await tidyScratch(this, this.options.scratchDir);
		const resumed = await this.resumeOwnLeases();
		await this.janitor.run();
		// The signal is read before every listing that can end in idleness (here, then on each wake), so
		// an enqueue that lands after a listing always shows as a change at the next poll. If this first
		// read fails, the first idle poll counts as a change: one listing more, no job missed.
		const signal = new ObjectWatch(context.store, context.keys.signal());
		await this.trouble.survive(async () => {
			await signal.changed();
			return 'continue';
		});
		try {
			for (const held of resumed) {
				while (!this.stopping && this.slots.size >= this.slotCount()) await this.slots.anyEnds();
				if (!this.stopping) this.begin(held);
			}
			while (!this.stopping) {
				if ((await this.trouble.survive(async () => this.cycle(signal))) === 'stop') break;
			}
		} finally {
			// Left by an error out of the loop: the running jobs are handed back, as at any shutdown.
			if (this.slots.size > 0 && !this.stopping) this.stop('the worker loop ended');
			await this.slots.allEnd();
			await this.shutDown();
		}
	}

	/**
	The leases an earlier process of this worker held when it died: resumed here, one GET each to
	find out (transitions/resume.ts), so a fleet restart reads no other worker's lease.
	*/
	private async resumeOwnLeases(): Promise<HeldLease[]> {
		const {context, workerId} = this.options;
		const held: HeldLease[] = [];
		const counts = {resumed: 0, requeued: 0, dead: 0, done: 0};
		const {hashes, ownerGone} = await this.held.recall();
		for (const hash of hashes) {
			let decided = false;
			const outcome = await this.trouble.survive(async () => {
				const result = await resumeLease(context, workerId, hash, {ownerGone});
				decided = result.kind !== 'resumed';
				if (result.kind === 'resumed') {
					held.push(result.held);
					counts.resumed++;
				} else if (result.kind === 'recovered') {
					if (result.ending === 'requeued') counts.requeued++;
					else if (result.ending === 'dead') counts.dead++;
					else if (result.ending === 'done') counts.done++;
				}
				return 'continue';
			});
			if (outcome === 'stop') break;
			// Kept when the store failed to answer: the next start tries again (or the janitor finds it stale).
			if (decided) await this.held.forget(hash);
		}
		if (Object.values(counts).some(n => n > 0)) this.emit('recovered-own-leases', counts);
		return held;
	}

	private async shutDown(): Promise<void> {
		this.options.converter.dispose();
		await this.commands.done().catch(error => this.emit('deregister-failed', {error: errorText(error)}));
		// One last try on the way out; if the store still refuses, the lease goes stale and the janitor
		// (or this worker's next start) recovers it.
		await this.failures.flush().catch(error => this.emit('late-failure-not-recorded', {error: errorText(error)}));
		await this.logs.flush();
		await this.registration
			.write('stopped', {force: true})
			.catch(error => this.emit('deregister-failed', {error: errorText(error)}));
		this.setStatus({state: 'stopped', jobs: []});
		this.emit('worker-stopped', {completed: this.registration.completed, failed: this.registration.failed});
	}

	/**
	One claim into a free slot, one wait for a slot to free, or one idle wait: claims a job and starts
	it (and runs the janitor when it is due), or, with nothing to claim, polls the signal object until
	it changes (or five minutes pass, as a safety net). 'stop' after the one job of --run-once.
	*/
	private async cycle(signal: ObjectWatch): Promise<'continue' | 'stop'> {
		const {clock} = this.options;
		this.slots.throwFailure();
		const pending = this.commands.pending;
		if (pending) {
			// A drain lets every running job finish first.
			if (pending.command === 'drain' && this.slots.size > 0) {
				await this.slots.anyEnds();
				return 'continue';
			}
			this.stop(obeyedReason(pending));
			return 'stop';
		}
		await this.options.remoteConfig.get();
		const slots = this.slotCount();
		this.registration.hasSlots(slots);
		if (this.status.slots !== slots) this.setStatus({slots});
		// Busy workers run the janitor too: otherwise stale leases and failed jobs would wait for some
		// worker to go idle, which a long queue may not allow for hours.
		if (this.slots.size >= slots) {
			const ended = new AbortController();
			await Promise.race([
				this.slots.anyEnds(),
				this.janitor.retryDue(AbortSignal.any([this.stopController.signal, ended.signal])),
			]);
			ended.abort();
			await this.janitor.runIfDue();
			return 'continue';
		}
		if (await this.sleepOutsideWindow()) return 'continue';
		if (await this.waitForConverter()) return 'continue';
		await this.failures.flush();
		const listedAt = clock.now();
		// Before the listing: a job that ends from here on wakes the wait below, if it comes to one.
		this.wake = new AbortController();
		const held = await this.claimer.claimNext(() => this.stopping || this.commands.pending !== undefined);
		this.trouble.clear();
		const unsignalled = this.safety.claimed(held !== undefined);
		if (held) {
			this.begin(held);
			if (unsignalled) await this.announce(this.claimer.leftOver());
			if (this.options.runOnce) {
				await this.slots.allEnd();
				this.slots.throwFailure();
				return 'stop';
			}
			await this.janitor.runIfDue();
			return 'continue';
		}
		if (this.options.runOnce) return 'stop';
		// Jobs were there but others took each one first: try again in a moment, not after an idle poll.
		if (this.claimer.contended) {
			const wake = AbortSignal.any([this.stopController.signal, this.wake.signal]);
			await clock.sleep(1000 + Math.random() * 2000, wake).catch(() => undefined);
			return 'continue';
		}
		// Free slots wait as an idle worker does; the worker is idle only once no slot is busy.
		if (this.slots.size === 0) {
			this.setStatus({state: 'idle', jobs: []});
			this.options.converter.idle();
			await this.registration.write('idle');
		}
		const woken = await waitForWork({
			clock,
			signal,
			stop: AbortSignal.any([this.stopController.signal, this.wake.signal]),
			pollMs: (this.options.idlePollSeconds ?? 10) * 1000,
			until: this.safety.untilAfter(listedAt),
			onPoll: async () => {
				if (this.slots.size === 0) await this.registration.write('idle');
				await this.janitor.runIfDue();
			},
		});
		// The jobs a signal names are tried before a listing (claimer.ts); a safety listing lists.
		this.safety.waited(woken);
		if (woken === 'changed') {
			this.claimer.heard(namedJobs(signal.lastBody, wokenNamesAtMost));
			this.claimer.sawTouch(signal.lastBody, signal.lastModified);
		}
		await this.commands.fromSignal(signal.lastBody);
		return 'continue';
	}

	/**
	Jobs a safety listing showed beside the one it claimed: no signal named them to this worker, so
	the idle fleet may not know of them either. A touch naming them wakes it at its next poll; if
	the touch fails, each idle worker's own safety listing remains.
	*/
	private async announce(jobs: Candidate[]): Promise<void> {
		this.emit('unsignalled-jobs', {count: jobs.length + 1});
		if (jobs.length === 0) return;
		await touchClaimable(this.options.context, {unsignalled: jobs.length}, jobs).catch(() => undefined);
	}

	private unavailable?: string;

	/**
	A converter that cannot run (the remote config switched the fleet to a tool not installed here):
	claim nothing, say why once, look again in a minute (the config may change back).
	*/
	private async waitForConverter(): Promise<boolean> {
		const problem = await this.options.converter.ready?.();
		if (problem !== this.unavailable) {
			if (problem) this.emit('converter-unavailable', {reason: problem});
			this.unavailable = problem;
		}
		if (!problem) return false;
		// The running jobs (on the converter before the switch) finish first.
		if (this.slots.size > 0) {
			await this.slots.anyEnds();
			return true;
		}
		this.setStatus({state: 'idle', jobs: []});
		await this.registration.write('idle');
		await this.options.clock.sleep(60_000, this.stopController.signal).catch(() => undefined);
		await this.options.remoteConfig.refresh().catch(() => undefined);
		return true;
	}

	/** The worker's own windows (--run-window), else the remote config's. */
	private windows(): {windows: readonly RunWindow[]; remote: boolean} {
		if (this.options.runWindows && this.options.runWindows.length > 0)
			return {windows: this.options.runWindows, remote: false};
		const windows = remoteRunWindows(this.options.remoteConfig.config);
		this.registration.keepsWindows(windows.map(w => w.text));
		return {windows, remote: true};
	}

	private abortsOutsideWindow(): boolean {
		return this.options.abortOutsideWindow ?? this.options.remoteConfig.config.abort_outside_window === 1;
	}

	/**
	Outside every run window: says until when (the registration, one PUT), then sleeps with no request.
	Windows from the remote config are looked at again every 30 minutes (a conditional GET), so a
	change reaches a sleeping fleet.
	*/
	private async sleepOutsideWindow(): Promise<boolean> {
		const {clock} = this.options;
		const {windows, remote} = this.windows();
		const state = windowState(windows, clock.now());
		if (state.inside) return false;
		// Outside the window no slot claims; the running jobs finish (or are handed back at its end).
		if (this.slots.size > 0) {
			await this.slots.anyEnds();
			return true;
		}
		this.setStatus({state: 'idle', jobs: []});
		this.options.converter.idle();
		await this.registration.write('idle', {force: true, sleepingUntil: state.opensAt});
		this.emit('outside-run-window', {until: new Date(state.opensAt).toISOString()});
		const until = remote ? Math.min(state.opensAt, clock.now() + 30 * 60_000) : state.opensAt;
		await clock.sleep(Math.max(0, until - clock.now()), this.stopController.signal).catch(() => undefined);
		if (remote) await this.options.remoteConfig.refresh().catch(() => undefined);
		return true;
	}

	/** With --abort-outside-window: hands the job back when the window it started in closes. */
	private windowEnd(run: JobRun): () => void {
		const {windows} = this.windows();
		if (!this.abortsOutsideWindow() || windows.length === 0) return () => undefined;
		const {clock} = this.options;
		const state = windowState(windows, clock.now());
		if (!state.inside || !Number.isFinite(state.endsAt)) return () => undefined;
		const done = new AbortController();
		clock.sleep(Math.max(0, state.endsAt - clock.now()), done.signal).then(
			() => run.handBack('outside run window'),
			() => undefined,
		);
		return () => done.abort();
	}

	/** Starts a held job in a free slot; it runs beside the loop, which goes on claiming. */
	private begin(held: HeldLease): void {
		const run: JobRun = new JobRun(
			{
				...this.options,
				events: this,
				registration: this.registration,
				failures: this.failures,
				logs: this.logs,
				isStopping: () => this.stopping,
				show: job => {
					this.slots.show(run, job);
					this.setStatus({state: 'processing', jobs: this.slots.jobs});
				},
				commands: this.commands,
				queueCrowded: () => this.claimer.crowded,
			},
			held,
		);
		if (this.stopping) run.abort('worker shutting down');
		this.slots.add(
			run,
			async () => {
				await this.held.remember(held.lease.hash);
				const stopWatchingWindow = this.windowEnd(run);
				try {
					await run.run();
				} finally {
					stopWatchingWindow();
					// A command the completing write adopted (it arrived after the last heartbeat).
					await this.commands.fromLease(held.lease.workerCommand).catch(() => undefined);
					await this.held.forget(held.lease.hash);
					this.janitor.endedLeases.note(held.lease, held.etag);
				}
			},
			() => {
				this.setStatus({
					jobs: this.slots.jobs,
					jobsCompleted: this.registration.completed,
					jobsFailed: this.registration.failed,
				});
				this.wake.abort();
			},
		);
	}

	private setStatus(change: Partial<WorkerStatus>): void {
		this.status = {...this.status, ...change};
		this.emit('status', this.status);
	}
}

/** Why the worker stops for an operator's command: "drained by op@host", "stopped by op@host". */
function obeyedReason(heard: HeardCommand): string {
	return `${heard.command === 'stop' ? 'stopped' : 'drained'}${heard.by ? ` by ${heard.by}` : ''}`;
}
