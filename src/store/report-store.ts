import type { Db } from './database.js';
import { REPORT_QUERIES } from './report-queries.js';

/** The parameters every report query takes (see report-queries.ts). */
export interface ReportParams {
  from: string;
  to: string;
  /** JSON array of [day, fromIso, toIso]. */
  days: string;
  /** Where to start looking at certificates: a month before `from`. */
  lookback: string;
}

export interface ReportRows {
  activity: { actor: string; command: string; runs: number; ok: number; failed: number; refused: number }[];
  failures: { at: string; actor: string; text: string; detail: string | null }[];
  unlocks: { at: string; actor: string; text: string }[];
  backupObservations: {
    repo: string;
    type: string;
    observed_at: string;
    outcome: string;
    last_archive_at: string | null;
    size_bytes: number | null;
  }[];
  diskDaily: { host: string; mount: string; day: string; peak: number; at: string }[];
  diskEnds: { host: string; mount: string; at: string; percent: number | null; is_first: number }[];
  memoryPeaks: { host: string; peak: number; at: string }[];
  loadPeaks: { host: string; peak: number; at: string }[];
  hostSamples: { host: string; samples: number; failed: number }[];
  alertEvents: {
    key: string;
    kind: string;
    event: 'fired' | 'resolved';
    at: string;
    summary: string;
    duration_ms: number | null;
  }[];
  alertsFiring: { key: string; kind: string; summary: string; fired_at: string }[];
  certificates: { name: string; fingerprint: string; first_seen: string; last_seen: string; not_after: string }[];
}

/** Runs the monthly report's queries on the store, read-only; one transaction sees one state. */
export class ReportStore {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  read(params: ReportParams): ReportRows {
    const read = this.#db.transaction(() => {
      const rows: Partial<Record<keyof ReportRows, unknown[]>> = {};
      for (const [name, sql] of Object.entries(REPORT_QUERIES) as [keyof ReportRows, string][]) {
        const statement = this.#db.prepare(sql);
        // Each query names only some parameters; better-sqlite3 refuses unknown ones.
        const used = Object.fromEntries(Object.entries(params).filter(([key]) => sql.includes(`:${key}`)));
        rows[name] = statement.all(used);
      }
      return rows as ReportRows;
    });
    return read.deferred();
  }
}
