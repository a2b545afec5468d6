import type { AuditEntry, AuditLog, AuditQuery, AuditStatus } from '../core/audit.js';
import type { Db } from './database.js';
import { ownerAlive, ownerId, sweepOwners } from './process-owner.js';

interface AuditRow {
  id: number;
  started_at: string;
  finished_at: string | null;
  duration_ms: number | null;
  actor: string;
  platform: string;
  command: string | null;
  text: string;
  status: AuditStatus;
  detail: string | null;
}

const toEntry = (r: AuditRow): AuditEntry => ({
  id: r.id,
  startedAt: r.started_at,
  finishedAt: r.finished_at ?? undefined,
  durationMs: r.duration_ms ?? undefined,
  actor: r.actor,
  platform: r.platform,
  command: r.command ?? undefined,
  text: r.text,
  status: r.status,
  detail: r.detail ?? undefined,
});

/**
 * The audit table. Rows are written as `running` before any work starts, with
 * the writing process's id in `owner` (see process-owner.ts).
 */
export class AuditStore implements AuditLog {
  readonly #db: Db;
  readonly #now: () => Date;
  // Prepared once: every chat request writes two rows, on the event loop.
  readonly #insert;
  readonly #update;
  readonly #record;

  constructor(db: Db, now: () => Date = () => new Date()) {
    this.#db = db;
    this.#now = now;
    this.#insert = db.prepare(
      `INSERT INTO audit (started_at, actor, platform, command, text, status, owner) VALUES (?, ?, ?, ?, ?, 'running', ?)`,
    );
    this.#update = db.prepare(
      `UPDATE audit SET finished_at = ?, status = ?, detail = ?, command = COALESCE(?, command),
         duration_ms = CAST(ROUND((julianday(?) - julianday(started_at)) * 86400000) AS INTEGER)
       WHERE id = ?`,
    );
    this.#record = db.prepare(
      `INSERT INTO audit (started_at, finished_at, duration_ms, actor, platform, command, text, status, detail, owner)
       VALUES (?, ?, 0, ?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  start(entry: { actor: string; platform: string; command?: string; text: string }): number {
    const info = this.#insert.run(
      this.#now().toISOString(),
      entry.actor,
      entry.platform,
      entry.command ?? null,
      entry.text,
      // Registered on the first row only: a process that just reads the audit takes no lock.
      ownerId(this.#db),
    );
    return Number(info.lastInsertRowid);
  }

  finish(id: number, status: Exclude<AuditStatus, 'running'>, detail?: string, command?: string): void {
    const finished = this.#now().toISOString();
    this.#update.run(finished, status, detail ?? null, command ?? null, finished, id);
  }

  record(
    entry: { actor: string; platform: string; command?: string; text: string },
    status: Exclude<AuditStatus, 'running'>,
    detail?: string,
  ): number {
    const at = this.#now().toISOString();
    const info = this.#record.run(
      at,
      at,
      entry.actor,
      entry.platform,
      entry.command ?? null,
      entry.text,
      status,
      detail ?? null,
      ownerId(this.#db),
    );
    return Number(info.lastInsertRowid);
  }

  /**
   * Marks as `interrupted` the running rows of processes that no longer exist
   * (killed half-way, crashed), wherever they ran. Rows of live processes,
   * such as a serving bot while a one-shot `detour run` starts, are left alone.
   */
  markInterrupted(): number {
    const rows = this.#db.prepare(`SELECT id, owner FROM audit WHERE status = 'running'`).all() as {
      id: number;
      owner: string;
    }[];
    const dead = rows.filter((r) => !ownerAlive(this.#db, r.owner));
    const update = this.#db.prepare(
      `UPDATE audit SET status = 'interrupted', finished_at = ?, detail = 'the process stopped before the command finished' WHERE id = ?`,
    );
    const at = this.#now().toISOString();
    this.#db.transaction(() => {
      for (const r of dead) update.run(at, r.id);
    })();
    sweepOwners(this.#db);
    return dead.length;
  }

  list(options: AuditQuery = {}): AuditEntry[] {
    const byActor = options.actor === undefined ? '' : ' AND lower(actor) = lower(?)';
    const params = [options.since ?? '', ...(options.actor === undefined ? [] : [options.actor]), options.limit ?? 50];
    const rows = this.#db
      .prepare(`SELECT * FROM audit WHERE started_at >= ?${byActor} ORDER BY id DESC LIMIT ?`)
      .all(...params) as AuditRow[];
    return rows.map(toEntry);
  }
}
