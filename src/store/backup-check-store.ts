import type { Db } from './database.js';

export type CheckEventKind = 'start' | 'success' | 'fail';

export interface CheckState {
  name: string;
  firstSeenAt: string;
  lastStartAt?: string;
  lastSuccessAt?: string;
  lastFailureAt?: string;
  droppedEvents: number;
}

export interface CheckEvent {
  id: number;
  check: string;
  kind: CheckEventKind;
  at: string;
  log?: string;
}

interface StateRow {
  name: string;
  first_seen_at: string;
  last_start_at: string | null;
  last_success_at: string | null;
  last_failure_at: string | null;
  window_start_at: string | null;
  window_events: number;
  dropped_events: number;
}

const LAST_COLUMN: Record<CheckEventKind, string> = {
  start: 'last_start_at',
  success: 'last_success_at',
  fail: 'last_failure_at',
};

/**
 * Pushed reports of backup checks: one state row per check (updated in place by every ping) and
 * the events themselves, at most `limit.events` per check per `limit.windowMs`: a flood of pings
 * moves the state, never the number of rows past that.
 */
export class BackupCheckStore {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /** Makes sure each check has its state row; the first time, its overdue clock starts at `at`. */
  ensure(names: readonly string[], at: Date): void {
    const insert = this.#db.prepare(`INSERT OR IGNORE INTO backup_checks (name, first_seen_at) VALUES (?, ?)`);
    this.#db.transaction(() => {
      for (const name of names) insert.run(name, at.toISOString());
    })();
  }

  /** Records a ping: the state always; the event only within the check's rate limit. */
  record(
    name: string,
    kind: CheckEventKind,
    at: Date,
    log: string | undefined,
    limit: { events: number; windowMs: number },
  ): { stored: boolean } {
    const iso = at.toISOString();
    return this.#db.transaction(() => {
      this.#db.prepare(`INSERT OR IGNORE INTO backup_checks (name, first_seen_at) VALUES (?, ?)`).run(name, iso);
      const row = this.#db.prepare(`SELECT * FROM backup_checks WHERE name = ?`).get(name) as StateRow;
      const windowOpen =
        row.window_start_at !== null && at.getTime() - Date.parse(row.window_start_at) < limit.windowMs;
      const windowStart = windowOpen ? row.window_start_at : iso;
      const inWindow = windowOpen ? row.window_events : 0;
      const stored = inWindow < limit.events;
      this.#db
        .prepare(
          `UPDATE backup_checks SET ${LAST_COLUMN[kind]} = ?, window_start_at = ?, window_events = ?,
             dropped_events = dropped_events + ? WHERE name = ?`,
        )
        .run(iso, windowStart, stored ? inWindow + 1 : inWindow, stored ? 0 : 1, name);
      if (stored) {
        this.#db
          .prepare(`INSERT INTO backup_check_events (check_name, kind, at, log) VALUES (?, ?, ?, ?)`)
          .run(name, kind, iso, log ?? null);
      }
      return { stored };
    })();
  }

  states(): CheckState[] {
    const rows = this.#db.prepare(`SELECT * FROM backup_checks ORDER BY name`).all() as StateRow[];
    return rows.map((r) => ({
      name: r.name,
      firstSeenAt: r.first_seen_at,
      lastStartAt: r.last_start_at ?? undefined,
      lastSuccessAt: r.last_success_at ?? undefined,
      lastFailureAt: r.last_failure_at ?? undefined,
      droppedEvents: r.dropped_events,
    }));
  }

  /** The newest events of a check, newest first. */
  events(name: string, limit = 50): CheckEvent[] {
    const rows = this.#db
      .prepare(`SELECT * FROM backup_check_events WHERE check_name = ? ORDER BY at DESC, id DESC LIMIT ?`)
      .all(name, limit) as { id: number; check_name: string; kind: CheckEventKind; at: string; log: string | null }[];
    return rows.map((r) => ({ id: r.id, check: r.check_name, kind: r.kind, at: r.at, log: r.log ?? undefined }));
  }
}
