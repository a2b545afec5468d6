import type { ChatFile, ChatMessage } from '../chat/message.js';
import type { Db } from './database.js';

export interface OutboxItem {
  id: number;
  platform: string;
  channel: string;
  message: ChatMessage;
  attempts: number;
  nextAttemptAt: string;
}

/** A row that cannot become a message (damaged by hand, or by a bug): set aside, never retried. */
export interface UnreadableItem {
  id: number;
  platform: string;
  channel: string;
  unreadable: string;
}

interface OutboxRow {
  id: number;
  platform: string;
  channel: string;
  message: string;
  attempts: number;
  next_attempt_at: string;
}

/** The delivery queue's table: every channel message is written here before any attempt. */
export class OutboxStore {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  add(platform: string, channel: string, message: ChatMessage, at: Date, notBefore = at): number {
    const info = this.#db
      .prepare(`INSERT INTO outbox (platform, channel, message, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?)`)
      .run(platform, channel, JSON.stringify(message), at.toISOString(), notBefore.toISOString());
    return Number(info.lastInsertRowid);
  }

  /** The oldest undelivered message of a platform: messages go out in order, one at a time. */
  head(platform: string): OutboxItem | UnreadableItem | undefined {
    const row = this.#db
      .prepare(
        `SELECT id, platform, channel, message, attempts, next_attempt_at FROM outbox
         WHERE platform = ? AND delivered_at IS NULL AND failed_at IS NULL ORDER BY id LIMIT 1`,
      )
      .get(platform) as OutboxRow | undefined;
    if (!row) return undefined;
    const message = typeof row.channel === 'string' ? readMessage(row.message) : 'channel is not text';
    if (typeof message === 'string') return { id: row.id, platform, channel: String(row.channel), unreadable: message };
    return {
      id: row.id,
      platform: row.platform,
      channel: row.channel,
      message,
      attempts: row.attempts,
      nextAttemptAt: row.next_attempt_at,
    };
  }

  delivered(id: number, at: Date): void {
    this.#db
      .prepare(`UPDATE outbox SET delivered_at = ?, attempts = attempts + 1 WHERE id = ?`)
      .run(at.toISOString(), id);
  }

  retryLater(id: number, error: string, next: Date): void {
    this.#db
      .prepare(`UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ?`)
      .run(error, next.toISOString(), id);
  }

  giveUp(id: number, error: string, at: Date): void {
    this.#db
      .prepare(`UPDATE outbox SET attempts = attempts + 1, last_error = ?, failed_at = ? WHERE id = ?`)
      .run(error, at.toISOString(), id);
  }

  /** Marks an unreadable row failed with the reason, so it neither blocks the queue nor comes back. */
  setAside(id: number, reason: string, at: Date): void {
    this.#db
      .prepare(`UPDATE outbox SET last_error = ?, failed_at = ? WHERE id = ?`)
      .run(`unreadable row: ${reason}`, at.toISOString(), id);
  }

  /** Sets aside the waiting rows of every platform not named (one no longer configured). Returns how many. */
  setAsideExcept(platforms: readonly string[], reason: string, at: Date): number {
    return this.#db
      .prepare(
        `UPDATE outbox SET last_error = ?, failed_at = ?
         WHERE delivered_at IS NULL AND failed_at IS NULL AND platform NOT IN (SELECT value FROM json_each(?))`,
      )
      .run(reason, at.toISOString(), JSON.stringify(platforms)).changes;
  }

  depth(platform: string): number {
    const row = this.#db
      .prepare(`SELECT count(*) AS n FROM outbox WHERE platform = ? AND delivered_at IS NULL AND failed_at IS NULL`)
      .get(platform) as { n: number };
    return row.n;
  }
}

/** The stored message, or why it is not one. */
function readMessage(text: unknown): ChatMessage | string {
  if (typeof text !== 'string') return 'not text';
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'not JSON';
  }
  if (typeof value !== 'object' || value === null) return 'not a message object';
  const { body, title, files } = value as Record<string, unknown>;
  if (typeof body !== 'string') return 'no text body';
  if (title !== undefined && typeof title !== 'string') return 'title is not text';
  if (files !== undefined && !isFileList(files)) return 'files are not a list of {path, name, title?}';
  return { ...(title === undefined ? {} : { title }), body, ...(files === undefined ? {} : { files }) };
}

/** Files named by path (never their bytes: a row stays small, the files outlive a restart). */
function isFileList(value: unknown): value is ChatFile[] {
  return (
    Array.isArray(value) &&
    value.every((f) => {
      const { path, name, title } = (f ?? {}) as Record<string, unknown>;
      return typeof path === 'string' && typeof name === 'string' && (title === undefined || typeof title === 'string');
    })
  );
}
