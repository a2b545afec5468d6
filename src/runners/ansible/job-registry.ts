import { DetourError } from '../../core/errors.js';
import type { RunningJob } from '../../core/ports/jobs.js';

/** What the code doing the work holds: pass `signal` to the ProcessRunner. */
export interface JobHandle {
  readonly id: string;
  readonly key: string;
  readonly signal: AbortSignal;
}

export type JobStart =
  | { ok: true; job: JobHandle }
  | { ok: false; code: 'already_running'; running: RunningJob; message: string };

export type JobCancel = { ok: true; job: RunningJob } | { ok: false; code: 'not_found'; message: string };

/** The abort reason a canceled job's signal carries. */
class JobCanceledError extends DetourError {
  readonly canceledBy: string;

  constructor(jobId: string, canceledBy: string) {
    super('canceled', `job ${jobId} canceled by ${canceledBy}`);
    this.canceledBy = canceledBy;
  }
}

interface Entry {
  job: RunningJob;
  controller: AbortController;
}

/**
 * Running jobs, one per key at a time, each with its own AbortController.
 * In memory: a restart forgets them (and their processes die with the bot).
 */
export class JobRegistry {
  readonly #byId = new Map<string, Entry>();
  readonly #clock: () => Date;
  readonly #newId: () => string;

  constructor(options: { clock?: () => Date; newId?: () => string } = {}) {
    this.#clock = options.clock ?? (() => new Date());
    let next = 0;
    // Short ids, because people type them (`jobs cancel 3`).
    this.#newId =
      options.newId ??
      (() => {
        next += 1;
        return String(next);
      });
  }

  start(key: string, meta: { startedBy: string }): JobStart {
    const running = this.#findByKey(key);
    if (running !== undefined) {
      const at = running.job.startedAt.toISOString();
      return {
        ok: false,
        code: 'already_running',
        running: { ...running.job },
        message: `${key} is already running, started by ${running.job.startedBy} at ${at} (job ${running.job.id})`,
      };
    }
    const id = this.#newId();
    const controller = new AbortController();
    const job: RunningJob = { id, key, startedBy: meta.startedBy, startedAt: this.#clock() };
    this.#byId.set(id, { job, controller });
    return { ok: true, job: { id, key, signal: controller.signal } };
  }

  /** Marks the job done; its key may start again. Unknown ids are ignored (already finished). */
  finish(id: string): void {
    this.#byId.delete(id);
  }

  /** Starts, runs `work` with the handle, and finishes whatever happens. */
  async run<T>(
    key: string,
    meta: { startedBy: string },
    work: (job: JobHandle) => Promise<T>,
  ): Promise<{ ok: true; value: T } | Extract<JobStart, { ok: false }>> {
    const started = this.start(key, meta);
    if (!started.ok) return started;
    try {
      return { ok: true, value: await work(started.job) };
    } finally {
      this.finish(started.job.id);
    }
  }

  list(): RunningJob[] {
    return [...this.#byId.values()].map((e) => ({ ...e.job }));
  }

  get(id: string): RunningJob | undefined {
    const entry = this.#byId.get(id);
    return entry ? { ...entry.job } : undefined;
  }

  /** Aborts the job's signal; the job stays listed until its work finishes. */
  cancel(id: string, by: string): JobCancel {
    const entry = this.#byId.get(id);
    if (entry === undefined) return { ok: false, code: 'not_found', message: `no running job ${id}` };
    if (entry.job.canceledBy === undefined) {
      entry.job.canceledBy = by;
      entry.controller.abort(new JobCanceledError(id, by));
    }
    return { ok: true, job: { ...entry.job } };
  }

  #findByKey(key: string): Entry | undefined {
    for (const entry of this.#byId.values()) if (entry.job.key === key) return entry;
    return undefined;
  }
}

/** The registry key of an ansible playbook run. */
export function ansibleJobKey(playbook: string): string {
  return `ansible:${playbook}`;
}
