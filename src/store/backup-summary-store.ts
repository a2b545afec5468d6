import type { BackupSummary } from '../core/ports/backup-runs.js';
import type { Db } from './database.js';

/** The most summaries one read returns: a digest lists a night, not a flood. */
const MAX_READ = 500;

/** Finished backups (run by the bot or reported by a ping), for the backups channel and the digest. */
export class BackupSummaryStore {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  add(summary: BackupSummary): void {
    this.#db
      .prepare(
        `INSERT INTO backup_summaries (name, source, outcome, finished_at, posted, data) VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .run(
        summary.name,
        summary.source,
        summary.outcome,
        summary.finishedAt,
        summary.posted ? 1 : 0,
        JSON.stringify(summary),
      );
  }

  /** Summaries of backups finished at or after `iso`, oldest first (at most the newest 500). */
  since(iso: string): BackupSummary[] {
    const rows = this.#db
      .prepare(
        `SELECT data FROM (SELECT id, finished_at, data FROM backup_summaries WHERE finished_at >= ?
           ORDER BY finished_at DESC, id DESC LIMIT ?) ORDER BY finished_at, id`,
      )
      .all(iso, MAX_READ) as { data: string }[];
    return rows.map((r) => JSON.parse(r.data) as BackupSummary);
  }
}
