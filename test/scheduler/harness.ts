import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../src/core/logger.js';
import type { CatchUp, JobContext, JobDefinition, JobResult } from '../../src/scheduler/jobs.js';
import { Scheduler } from '../../src/scheduler/scheduler.js';
import { AuditStore } from '../../src/store/audit-store.js';
import { type Db, openDatabase } from '../../src/store/database.js';
import { JobRunStore } from '../../src/store/job-run-store.js';
import type { FakeClock } from './fake-clock.js';

export const PARIS = 'Europe/Paris';

/** No port is reached by the test jobs below; the real jobs' tests give their own. */
export const NO_CONTEXT = {} as JobContext;

export const okResult = (text: string): JobResult => ({ outcome: 'ok', summary: { en: text, fr: text } });

/** A job that notes the clock's time each time it runs. */
export function recordingJob(
  name: string,
  defaultCron: string,
  clock: FakeClock,
  options: { catchUp?: CatchUp; run?: JobDefinition['run'] } = {},
): JobDefinition & { ranAt: Date[] } {
  const ranAt: Date[] = [];
  return {
    name,
    defaultCron,
    catchUp: options.catchUp ?? (() => true),
    ranAt,
    async run(context, signal) {
      ranAt.push(clock.now());
      return options.run ? options.run(context, signal) : okResult(`${name} done`);
    },
  };
}

export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'detour-scheduler-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A scheduler on its own connection to the database file, as a separate bot process has. */
export function schedulerOn(
  file: string,
  clock: FakeClock,
  jobs: readonly JobDefinition[],
  options: { schedule?: Record<string, string>; context?: JobContext; nothingToDo?: Record<string, string> } = {},
): { scheduler: Scheduler; db: Db; runs: JobRunStore; audit: AuditStore } {
  const db = openDatabase(file);
  const now = () => clock.now();
  const runs = new JobRunStore(db, now);
  const audit = new AuditStore(db, now);
  const scheduler = new Scheduler({
    schedule: options.schedule ?? {},
    timezone: PARIS,
    context: options.context ?? NO_CONTEXT,
    audit,
    runs,
    logger: silentLogger,
    clock,
    jobs,
    nothingToDo: options.nothingToDo,
    stopTimeoutMs: 1_000,
  });
  return { scheduler, db, runs, audit };
}

/** Every run of a job in the database, oldest first: its slot (UTC) and status. */
export function slots(db: Db, job: string): { slot: string | null; status: string; trigger: string }[] {
  return db
    .prepare('SELECT scheduled_for AS slot, status, trigger FROM job_runs WHERE job = ? ORDER BY id')
    .all(job) as { slot: string | null; status: string; trigger: string }[];
}
