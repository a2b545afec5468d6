import type { Cron } from 'croner';
import type * as Luxon from 'luxon';
import type { AuditLog } from '../core/audit.js';
import type { Logger } from '../core/logger.js';
import type { JobRunStore, JobTrigger } from '../store/job-run-store.js';
import { useOnce } from '../use-once.js';
import { type Clock, systemClock } from './clock.js';
import { cronIn, lastSlot, nextSlot, OFF } from './cron.js';
import { JOBS, type JobContext, type JobDefinition } from './jobs.js';
import { runJob } from './run-job.js';

export interface SchedulerOptions {
  /** The config's `schedule`: a cron per job name, or `off`. */
  schedule: Readonly<Record<string, string>>;
  timezone: string;
  context: JobContext;
  audit: AuditLog;
  runs: JobRunStore;
  logger: Logger;
  clock?: Clock;
  jobs?: readonly JobDefinition[];
  /** Jobs left unscheduled because they have nothing to work on, with why (see nothing-to-do.ts). */
  nothingToDo?: Readonly<Record<string, string>>;
  /** How long `stop()` waits for aborted jobs to end. */
  stopTimeoutMs?: number;
}

export interface SchedulerStatus {
  state: 'running' | 'stopped';
  jobs: Record<string, { cron: string; next: string | undefined; running: boolean; notScheduled?: string }>;
}

interface Entry {
  job: JobDefinition;
  pattern: string;
  cron: Cron;
  next: Date | undefined;
  timer?: unknown;
}

/*
 * Timers wake at least this often and compare with the clock: a machine that slept, or a clock
 * set by NTP, is noticed within a minute (and Node's timers cannot wait past 24.8 days anyway).
 */
const MAX_WAIT_MS = 60_000;

/** The jobs that run on a schedule, with their cron: the config's, else the default; `off` drops one. */
export function effectiveSchedule(
  schedule: Readonly<Record<string, string>>,
  jobs: readonly JobDefinition[] = JOBS,
): { job: JobDefinition; pattern: string }[] {
  return jobs.flatMap((job) => {
    const pattern = Object.hasOwn(schedule, job.name) ? schedule[job.name] : job.defaultCron;
    return pattern === undefined || pattern === OFF ? [] : [{ job, pattern }];
  });
}

/**
 * Runs the jobs at their times in the configured time zone. Each time (a "slot") is claimed in
 * `job_runs` before it runs, so it runs once whichever process claims it, and a restart
 * never repeats it. At start, the latest slot missed while no bot ran is run once when the job
 * says it is still useful. A job still running when its next slot comes skips that slot.
 */
export class Scheduler {
  readonly #o: SchedulerOptions & { clock: Clock };
  readonly #entries: Entry[];
  /** Jobs with a time but nothing to work on: listed by status(), never armed. */
  readonly #idle: { name: string; pattern: string; reason: string }[] = [];
  readonly #running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  #state: 'running' | 'stopped' = 'stopped';

  constructor(options: SchedulerOptions) {
    this.#o = { clock: systemClock, ...options };
    const idle = options.nothingToDo ?? {};
    this.#entries = effectiveSchedule(options.schedule, options.jobs).flatMap(({ job, pattern }) => {
      if (!Object.hasOwn(idle, job.name))
        return [{ job, pattern, cron: cronIn(pattern, options.timezone), next: undefined }];
      this.#idle.push({ name: job.name, pattern, reason: idle[job.name] as string });
      return [];
    });
  }

  /** Arms every job and runs the times missed while stopped; resolves once those catch-ups have ended. */
  start(): Promise<void> {
    if (this.#state === 'running') return Promise.resolve();
    this.#state = 'running';
    const { runs, logger, clock, timezone } = this.#o;
    const interrupted = runs.markInterrupted();
    if (interrupted > 0)
      logger.warn({ count: interrupted }, 'job runs left running by a stopped process marked interrupted');
    const now = clock.now();
    const missed = new Map<Entry, Date>();
    for (const entry of this.#entries) {
      const slot = lastSlot(entry.cron, now);
      if (slot && !runs.has(entry.job.name, slot)) missed.set(entry, slot);
    }
    // Whether a missed time is still useful is decided on local times: luxon is read for that and
    // not kept (see useOnce), so an idle bot carries no date library.
    const useful =
      missed.size === 0
        ? new Set<Entry>()
        : useOnce<typeof Luxon, Set<Entry>>('luxon', ({ DateTime }) => {
            const local = (d: Date) => DateTime.fromJSDate(d, { zone: timezone });
            return new Set(
              [...missed].filter(([entry, slot]) => entry.job.catchUp(local(slot), local(now))).map(([e]) => e),
            );
          });
    const catchUps: Promise<void>[] = [];
    for (const entry of this.#entries) {
      const slot = missed.get(entry);
      if (slot && useful.has(entry)) {
        logger.info({ job: entry.job.name, slot: slot.toISOString() }, 'running a job time missed while stopped');
        catchUps.push(this.#fire(entry, slot, 'catch-up'));
      } else if (slot) {
        logger.info({ job: entry.job.name, slot: slot.toISOString() }, 'missed job time no longer useful; not run');
      }
      entry.next = nextSlot(entry.cron, now);
      this.#arm(entry);
    }
    logger.info(
      {
        jobs: this.#entries.map((e) => `${e.job.name} ${e.pattern}`),
        ...(this.#idle.length > 0 ? { notScheduled: this.#idle.map((i) => `${i.name}: ${i.reason}`) } : {}),
      },
      'scheduler started',
    );
    return Promise.allSettled(catchUps).then(() => undefined);
  }

  /** Stops arming, aborts running jobs and waits (a while) for them to end. */
  async stop(): Promise<void> {
    if (this.#state === 'stopped') return;
    this.#state = 'stopped';
    for (const entry of this.#entries) this.#o.clock.clearTimer(entry.timer);
    for (const { controller } of this.#running.values()) controller.abort(new Error('the bot is stopping'));
    const done = Promise.allSettled([...this.#running.values()].map((r) => r.done));
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), this.#o.stopTimeoutMs ?? 5_000);
    });
    if ((await Promise.race([done, late])) === 'late') {
      this.#o.logger.warn({ jobs: [...this.#running.keys()] }, 'jobs did not stop in time');
    }
    clearTimeout(timer);
  }

  status(): SchedulerStatus {
    const jobs: SchedulerStatus['jobs'] = Object.fromEntries(
      this.#entries.map((e) => [
        e.job.name,
        {
          cron: e.pattern,
          next: this.#state === 'running' ? e.next?.toISOString() : undefined,
          running: this.#running.has(e.job.name),
        },
      ]),
    );
    for (const i of this.#idle)
      jobs[i.name] = { cron: i.pattern, next: undefined, running: false, notScheduled: i.reason };
    return { state: this.#state, jobs };
  }

  /** Resolves once no job runs (tests). */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running.values()].map((r) => r.done));
  }

  #arm(entry: Entry): void {
    if (this.#state !== 'running' || entry.next === undefined) return;
    const wait = Math.min(Math.max(entry.next.getTime() - this.#o.clock.now().getTime(), 0), MAX_WAIT_MS);
    entry.timer = this.#o.clock.setTimer(() => this.#tick(entry), wait);
  }

  #tick(entry: Entry): void {
    if (this.#state !== 'running' || entry.next === undefined) return;
    const now = this.#o.clock.now();
    if (now < entry.next) {
      this.#arm(entry);
      return;
    }
    // Several slots passed at once (the machine slept): the latest one runs, once.
    let slot = entry.next;
    let passed = 1;
    for (let n = nextSlot(entry.cron, slot); n !== undefined && n <= now; n = nextSlot(entry.cron, slot)) {
      slot = n;
      passed += 1;
    }
    if (passed > 1)
      this.#o.logger.warn({ job: entry.job.name, passed }, 'several job times passed at once; running the latest');
    entry.next = nextSlot(entry.cron, now);
    this.#arm(entry);
    void this.#fire(entry, slot, 'schedule');
  }

  async #fire(entry: Entry, slot: Date, trigger: JobTrigger): Promise<void> {
    const { runs, logger } = this.#o;
    const name = entry.job.name;
    try {
      if (this.#running.has(name)) {
        const detail = 'the previous run was still running';
        if (runs.skip(name, slot, trigger, detail))
          logger.warn({ job: name, slot: slot.toISOString() }, `job time skipped: ${detail}`);
        return;
      }
      const runId = runs.claim(name, slot, trigger);
      if (runId === undefined) {
        logger.info({ job: name, slot: slot.toISOString() }, 'job time already taken by another process');
        return;
      }
      const controller = new AbortController();
      const done = runJob({
        job: entry.job,
        context: this.#o.context,
        audit: this.#o.audit,
        runs,
        runId,
        actor: { kind: 'scheduler' },
        platform: 'scheduler',
        signal: controller.signal,
        logger,
      }).then(() => undefined);
      this.#running.set(name, { controller, done });
      await done.finally(() => this.#running.delete(name));
    } catch (error) {
      // The database refused the claim (locked for long, disk full): this time is lost, the next one comes.
      logger.error({ err: error, job: name, slot: slot.toISOString() }, 'could not start a job');
    }
  }
}
