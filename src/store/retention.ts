import type { Logger } from '../core/logger.js';
import type { Db } from './database.js';

/** How long each kind of row is kept, in milliseconds (the config's `retention`). */
export interface Retention {
  audit: number;
  outbox: number;
  confirmations: number;
  samples: number;
  observations: number;
  backupEvents: number;
  /** Alert history (fired, resolved, silenced); current alert state is never pruned. */
  alerts: number;
}

/** The kinds of rows pruned, each by its rule below. */
const PRUNED_KINDS = [
  'audit',
  'outbox',
  'confirmations',
  'prompts',
  'samples',
  'samplePoints',
  'observations',
  'jobRuns',
  'checkEvents',
  'backupSummaries',
  'alerts',
] as const;

export type Pruned = Record<(typeof PRUNED_KINDS)[number], number>;

interface Rule {
  table: string;
  /** Rows matching this (with `?` the cut-off time) are old enough to go. */
  where: string;
}

/*
 * What "old" means per table. A row still in use is never old: a running audit row, a message
 * not yet delivered, a confirmation or prompt not yet expired. The newest observation of each
 * repository, and its newest good one, stay whatever their age: `backup status` shows them.
 */
const RULES: Record<keyof Pruned, Rule> = {
  audit: { table: 'audit', where: `started_at < ? AND status <> 'running'` },
  outbox: { table: 'outbox', where: `coalesce(delivered_at, failed_at) < ?` },
  confirmations: { table: 'confirmations', where: 'expires_at < ?' },
  prompts: { table: 'secret_prompts', where: 'expires_at < ?' },
  samples: { table: 'probe_samples', where: 'taken_at < ?' },
  // Through its (kind, taken_at) index: one range per kind.
  samplePoints: { table: 'sample_points', where: `kind IN ('disk', 'memory', 'load', 'reach') AND taken_at < ?` },
  observations: {
    table: 'backup_observations',
    where: `observed_at < ? AND id NOT IN (
      SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY repo ORDER BY observed_at DESC, id DESC) AS n
                      FROM backup_observations) WHERE n = 1
      UNION
      SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY repo ORDER BY observed_at DESC, id DESC) AS n
                      FROM backup_observations WHERE outcome = 'ok') WHERE n = 1)`,
  },
  // Kept as long as the audit rows they point to; a job's latest time is far younger than that.
  jobRuns: { table: 'job_runs', where: `started_at < ? AND status <> 'running'` },
  // A check's state row (last start, success, failure) is never pruned: the overdue test reads it.
  checkEvents: { table: 'backup_check_events', where: 'at < ?' },
  backupSummaries: { table: 'backup_summaries', where: 'finished_at < ?' },
  alerts: { table: 'alert_events', where: 'at < ?' },
};

const KEEP: Record<keyof Pruned, keyof Retention> = {
  audit: 'audit',
  outbox: 'outbox',
  confirmations: 'confirmations',
  prompts: 'confirmations',
  samples: 'samples',
  samplePoints: 'samples',
  observations: 'observations',
  jobRuns: 'audit',
  checkEvents: 'backupEvents',
  backupSummaries: 'backupEvents',
  alerts: 'alerts',
};

/**
 * Deletes the rows older than their retention, a small batch per statement (each its own short
 * write transaction), yielding to the event loop between batches: other processes and the
 * bot's own requests never wait long for the database.
 */
export async function pruneDatabase(
  db: Db,
  retention: Retention,
  now: Date,
  options: { batchSize?: number; stopped?: () => boolean } = {},
): Promise<Pruned> {
  const { batchSize = 500, stopped = () => false } = options;
  const pruned = Object.fromEntries(PRUNED_KINDS.map((kind) => [kind, 0])) as Pruned;
  for (const kind of PRUNED_KINDS) {
    if (stopped()) break;
    const { table, where } = RULES[kind];
    const cutoff = new Date(now.getTime() - retention[KEEP[kind]]).toISOString();
    const batch = db.prepare(`DELETE FROM ${table} WHERE rowid IN (SELECT rowid FROM ${table} WHERE ${where} LIMIT ?)`);
    while (!stopped()) {
      const { changes } = batch.run(cutoff, batchSize);
      pruned[kind] += changes;
      if (changes < batchSize) break;
      await new Promise((r) => setImmediate(r));
    }
  }
  return pruned;
}

const DAY_MS = 86_400_000;

/**
 * Prunes now, then once a day while the bot serves. The timer is unref'd: it never keeps the
 * process alive. A failed prune (database locked for long, disk full) is logged and tried again
 * the next day.
 */
export function startPruning(options: {
  db: Db;
  retention: Retention;
  logger: Logger;
  now?: () => Date;
  everyMs?: number;
}): { stop(): void; done: Promise<void> } {
  const { db, retention, logger } = options;
  const now = options.now ?? (() => new Date());
  // Checked between batches: the database closes right after a stop.
  let stopped = false;
  const run = async () => {
    try {
      const pruned = await pruneDatabase(db, retention, now(), { stopped: () => stopped });
      if (Object.values(pruned).some((n) => n > 0)) logger.info({ pruned }, 'old rows pruned');
    } catch (error) {
      logger.error({ err: error }, 'pruning old rows failed; trying again tomorrow');
    }
  };
  const done = run();
  const timer = setInterval(() => void run(), options.everyMs ?? DAY_MS);
  timer.unref();
  return {
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
    done,
  };
}
