import { type Actor, actorLabel } from '../core/actor.js';
import type { AuditLog, AuditStatus } from '../core/audit.js';
import type { Logger } from '../core/logger.js';
import type { JobRunStatus, JobRunStore } from '../store/job-run-store.js';
import { type JobContext, type JobDefinition, type JobResult, shortError } from './jobs.js';

/** One run's end, as recorded: the job's result, or how it ended without one. */
export type JobRunOutcome =
  | { status: 'ok' | 'failed' | 'unavailable'; result: JobResult; auditId: number }
  | { status: 'error' | 'interrupted'; detail: string; auditId: number };

const AUDIT_STATUS: Record<Exclude<JobRunStatus, 'running' | 'skipped'>, Exclude<AuditStatus, 'running'>> = {
  ok: 'ok',
  failed: 'failed',
  // The audit has no such status: the run did not do what a run does.
  unavailable: 'failed',
  error: 'error',
  interrupted: 'interrupted',
};

export interface RunJobOptions {
  job: JobDefinition;
  context: JobContext;
  audit: AuditLog;
  runs: JobRunStore;
  /** The claimed `job_runs` row. */
  runId: number;
  /** The scheduler, or the person at the terminal for `detour job run`. */
  actor: Actor;
  platform: string;
  signal: AbortSignal;
  logger: Logger;
}

/**
 * Runs one job with its audit row (written before any work, like every command) and its
 * `job_runs` row. Never throws: a job that throws ends `error`, one cut short ends `interrupted`.
 */
export async function runJob(options: RunJobOptions): Promise<JobRunOutcome> {
  const { job, audit, runs, runId, signal, logger } = options;
  const text = `job run ${job.name}`;
  const auditId = audit.start({
    actor: actorLabel(options.actor),
    platform: options.platform,
    command: 'job run',
    text,
  });
  runs.attachAudit(runId, auditId);
  let outcome: JobRunOutcome;
  try {
    const result = await job.run(options.context, signal);
    outcome = signal.aborted
      ? { status: 'interrupted', detail: 'stopped before the job finished', auditId }
      : { status: result.outcome, result, auditId };
  } catch (error) {
    outcome = signal.aborted
      ? { status: 'interrupted', detail: 'stopped before the job finished', auditId }
      : { status: 'error', detail: shortError(error), auditId };
    if (outcome.status === 'error') logger.error({ err: error, job: job.name }, 'job failed');
  }
  const detail = 'result' in outcome ? outcome.result.summary.en : outcome.detail;
  try {
    audit.finish(auditId, AUDIT_STATUS[outcome.status], detail);
    runs.finish(runId, outcome.status, detail);
  } catch (error) {
    // The database closed under a job that outlived the shutdown: the next start marks it interrupted.
    logger.warn({ err: error, job: job.name }, 'could not record the end of a job run');
  }
  logger.info({ job: job.name, status: outcome.status, detail, audit: auditId }, 'job run finished');
  return outcome;
}
