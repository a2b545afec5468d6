/** The audit log as the pipeline sees it; the SQLite store implements it. */
export type AuditStatus =
  | 'running'
  | 'ok'
  | 'failed'
  | 'denied'
  | 'usage'
  | 'error'
  | 'interrupted'
  /** A command that changes something waits for its confirmation button; a new row runs it. */
  | 'confirm';

export interface AuditEntry {
  id: number;
  startedAt: string;
  finishedAt: string | undefined;
  durationMs: number | undefined;
  actor: string;
  platform: string;
  command: string | undefined;
  text: string;
  status: AuditStatus;
  detail: string | undefined;
}

export interface AuditQuery {
  /** ISO 8601 in UTC: rows started at or after it. */
  since?: string;
  /** Default 50. */
  limit?: number;
  actor?: string;
}

export interface AuditLog {
  start(entry: { actor: string; platform: string; command?: string; text: string }): number;
  finish(id: number, status: Exclude<AuditStatus, 'running'>, detail?: string, command?: string): void;
  /**
   * A request decided at once (a refusal, a confirmation asked): started and
   * finished in one row, one write. Returns the row id.
   */
  record(
    entry: { actor: string; platform: string; command?: string; text: string },
    status: Exclude<AuditStatus, 'running'>,
    detail?: string,
  ): number;
  /** Newest first; `actor` keeps one actor's rows (compared without case). */
  list(options?: AuditQuery): AuditEntry[];
}
