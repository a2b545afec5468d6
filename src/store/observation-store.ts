import type { BackupObservation, ObservationOutcome } from '../core/ports/backups.js';
import type { Db } from './database.js';

interface ObservationRow {
  repo: string;
  type: 'borg' | 'restic';
  observed_at: string;
  outcome: ObservationOutcome;
  detail: string | null;
  last_archive_name: string | null;
  last_archive_at: string | null;
  archive_count: number | null;
  size_bytes: number | null;
  duration_ms: number;
}

const toObservation = (r: ObservationRow): BackupObservation => ({
  repo: r.repo,
  type: r.type,
  observedAt: r.observed_at,
  outcome: r.outcome,
  detail: r.detail ?? undefined,
  lastArchiveName: r.last_archive_name ?? undefined,
  lastArchiveAt: r.last_archive_at ?? undefined,
  archiveCount: r.archive_count ?? undefined,
  sizeBytes: r.size_bytes ?? undefined,
  durationMs: r.duration_ms,
});

/** Backup observations: every look at a repository is kept, for history and reports. */
export class ObservationStore {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  add(o: BackupObservation): void {
    this.#db
      .prepare(
        `INSERT INTO backup_observations
           (repo, type, observed_at, outcome, detail, last_archive_name, last_archive_at, archive_count, size_bytes, duration_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        o.repo,
        o.type,
        o.observedAt,
        o.outcome,
        o.detail ?? null,
        o.lastArchiveName ?? null,
        o.lastArchiveAt ?? null,
        o.archiveCount ?? null,
        o.sizeBytes ?? null,
        o.durationMs,
      );
  }

  /** The newest observation of a repository, and the newest successful one. */
  latest(repo: string): { latest?: BackupObservation; lastGood?: BackupObservation } {
    const newest = this.#db
      .prepare(`SELECT * FROM backup_observations WHERE repo = ? ORDER BY observed_at DESC, id DESC LIMIT 1`)
      .get(repo) as ObservationRow | undefined;
    const good =
      newest?.outcome === 'ok'
        ? newest
        : (this.#db
            .prepare(
              `SELECT * FROM backup_observations WHERE repo = ? AND outcome = 'ok' ORDER BY observed_at DESC, id DESC LIMIT 1`,
            )
            .get(repo) as ObservationRow | undefined);
    return { latest: newest && toObservation(newest), lastGood: good && toObservation(good) };
  }
}
