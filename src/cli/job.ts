import { userInfo } from 'node:os';
import { createLogger } from '../log.js';
import { buildApp, lazyExecaRunner } from '../main.js';
import { findJob, JOB_NAMES } from '../scheduler/jobs.js';
import { runJob } from '../scheduler/run-job.js';
import { JobRunStore } from '../store/job-run-store.js';
import { watchInterrupt } from './interrupt.js';
import { loadCliConfig } from './load.js';
import { printable } from './terminal-text.js';
import type { CliValues } from './values.js';

const USAGE = `usage: detour job run <name> [--config F]   (jobs: ${JOB_NAMES.join(', ')})`;
// As `detour run`: longer than the runners' kill-after delay.
const FORCE_EXIT_AFTER_MS = 15_000;

/**
 * `detour job run <name>`: one scheduled job now, audited with the person at the terminal as
 * actor (like `detour run`). The morning digest is printed here, not posted: posting is the
 * serving bot's part (its chat platforms and delivery queue).
 */
export async function jobCommand(args: string[], values: CliValues): Promise<number> {
  const [verb, name, ...extra] = args;
  if (verb !== 'run' || name === undefined || extra.length > 0) {
    process.stderr.write(
      `detour job: ${verb === 'run' || verb === undefined ? 'give one job name' : `unknown action "${verb}"`}\n${USAGE}\n`,
    );
    return 2;
  }
  const job = findJob(name);
  if (!job) {
    process.stderr.write(`detour job run: unknown job "${name}". Jobs: ${JOB_NAMES.join(', ')}.\n`);
    return 2;
  }
  const logger = createLogger({ level: process.env.DETOUR_LOG_LEVEL ?? 'error', destination: 2 });
  const { config } = await loadCliConfig(values, logger);
  const app = buildApp({ config, logger, run: lazyExecaRunner, refresh: 'before-answer' });
  const interrupt = watchInterrupt({
    forceAfterMs: FORCE_EXIT_AFTER_MS,
    onFirst: (signal) => process.stderr.write(`detour job run: ${signal} received, stopping the job…\n`),
  });
  try {
    const runs = new JobRunStore(app.db);
    const runId = runs.claim(job.name, undefined, 'manual');
    if (runId === undefined) throw new Error('could not record the job run');
    const outcome = await runJob({
      job,
      context: { probes: app.probes, backups: app.backups, hooks: app.jobHooks },
      audit: app.audit,
      runs,
      runId,
      actor: { kind: 'local', username: userInfo().username },
      platform: 'console',
      signal: interrupt.signal,
      logger,
    });
    if (outcome.status === 'interrupted') {
      process.stderr.write(`detour job run: ${job.name} interrupted (audit #${outcome.auditId}).\n`);
      return interrupt.exitCode() || 1;
    }
    const said = 'result' in outcome ? outcome.result.summary[config.locale] : outcome.detail;
    process.stdout.write(`${printable(`${job.name}: ${said} (audit #${outcome.auditId})`)}\n`);
    const message = 'result' in outcome ? outcome.result.message : undefined;
    if (message) process.stdout.write(`\n${printable([message.title, message.body].filter(Boolean).join('\n'))}\n`);
    return outcome.status === 'ok' ? 0 : 1;
  } finally {
    interrupt.dispose();
    await app.close();
  }
}
