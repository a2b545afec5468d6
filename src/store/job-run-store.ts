import type { Db } from './database.js';
import { ownerAlive, ownerId, sweepOwners } from './process-owner.js';

export type JobTrigger = 'schedule' | 'catch-up' | 'manual';
export type JobRunStatus = 'running' | 'ok' | 'failed' | 'error' | 'unavailable' | 'skipped' | 'interrupted';

/**
 * The `job_runs` table: which slot of which job ran, is running, or was skipped. A slot is
 * claimed by inserting its row; the UNIQUE (job, scheduled_for) key lets one insert win, even
 * between two processes on the same file.
 */
export class JobRunStore {
  readonly #db: Db;
  readonly #now: () => Date;

  constructor(db: Db, now: () => Date = () => new Date()) {
    this.#db = db;
    this.#now = now;
  }

  /**
   * Claims a slot (or records a manual run when `slot` is undefined). Returns the row id, or
   * undefined when the slot was already claimed by anyone, this process included.
   */
  claim(job: string, slot: Date | undefined, trigger: JobTrigger): number | undefined {
    const info = this.#db
      .prepare(
        `INSERT OR IGNORE INTO job_runs (job, scheduled_for, trigger, status, started_at, owner)
         VALUES (?, ?, ?, 'running', ?, ?)`,
      )
      .run(job, slot?.toISOString() ?? null, trigger, this.#now().toISOString(), ownerId(this.#db));
    return info.changes === 1 ? Number(info.lastInsertRowid) : undefined;
  }

  /** Records a slot that was not run (the previous run still going), unless someone claimed it. */
  skip(job: string, slot: Date, trigger: JobTrigger, detail: string): boolean {
    const at = this.#now().toISOString();
    const info = this.#db
      .prepare(
        `INSERT OR IGNORE INTO job_runs (job, scheduled_for, trigger, status, started_at, finished_at, detail, owner)
         VALUES (?, ?, ?, 'skipped', ?, ?, ?, ?)`,
      )
      .run(job, slot.toISOString(), trigger, at, at, detail, ownerId(this.#db));
    return info.changes === 1;
  }

  attachAudit(id: number, auditId: number): void {
    this.#db.prepare('UPDATE job_runs SET audit_id = ? WHERE id = ?').run(auditId, id);
  }

  finish(id: number, status: Exclude<JobRunStatus, 'running' | 'skipped'>, detail: string): void {
    this.#db
      .prepare('UPDATE job_runs SET status = ?, detail = ?, finished_at = ? WHERE id = ?')
      .run(status, detail, this.#now().toISOString(), id);
  }

  /** Whether anyone claimed that slot (ran it, is running it, or skipped it). */
  has(job: string, slot: Date): boolean {
    return (
      this.#db.prepare('SELECT 1 FROM job_runs WHERE job = ? AND scheduled_for = ?').get(job, slot.toISOString()) !==
      undefined
    );
  }

  /**
   * Marks `interrupted` the running rows of processes that are gone. Their slot stays claimed:
   * a job cut short is not run again for the same slot (the next slot comes soon enough, and a
   * digest posted twice is worse than one late).
   */
  markInterrupted(): number {
    const rows = this.#db.prepare(`SELECT id, owner FROM job_runs WHERE status = 'running'`).all() as {
      id: number;
      owner: string;
    }[];
    const dead = rows.filter((r) => !ownerAlive(this.#db, r.owner));
    const update = this.#db.prepare(
      `UPDATE job_runs SET status = 'interrupted', finished_at = ?, detail = 'the process stopped before the job finished' WHERE id = ?`,
    );
    const at = this.#now().toISOString();
    this.#db.transaction(() => {
      for (const r of dead) update.run(at, r.id);
    })();
    sweepOwners(this.#db);
    return dead.length;
  }
}
