import { createHash, randomBytes } from 'node:crypto';
import { CommandFailedError } from '../core/errors.js';
import { Secret } from '../core/secret.js';
import type { Db } from '../store/database.js';

/**
 * One-time links for typing a secret outside the chat (Slack has no masked
 * input): bound to the user who asked, valid a few minutes, usable once. The
 * token only lives in the link and in memory; SQLite keeps its hash, for the
 * "used once" rule and the audit trail. The command waiting for the secret
 * waits in memory: after a restart the link says to run the command again.
 */
export interface OpenPrompt {
  token: string;
  /** Resolves with the secret once typed; rejects when the link expires. */
  secret: Promise<Secret>;
}

export type Submission =
  | { ok: true; purpose: string; result: Promise<string | undefined> }
  | { ok: false; reason: 'unknown' | 'expired' | 'used' };

interface Waiter {
  resolve(secret: Secret): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
  result?: Promise<string | undefined>;
}

const hash = (token: string) => createHash('sha256').update(token).digest('hex');

export class SecretPrompts {
  readonly #db: Db;
  readonly #now: () => Date;
  readonly #waiters = new Map<string, Waiter>();

  constructor(db: Db, now: () => Date = () => new Date()) {
    this.#db = db;
    this.#now = now;
  }

  open(p: { platform: string; userId: string; actor: string; purpose: string; ttlMs: number }): OpenPrompt {
    const token = randomBytes(24).toString('base64url');
    const key = hash(token);
    const now = this.#now();
    this.#db
      .prepare(
        `INSERT INTO secret_prompts (token_hash, platform, user_id, actor, purpose, created_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        key,
        p.platform,
        p.userId,
        p.actor,
        p.purpose,
        now.toISOString(),
        new Date(now.getTime() + p.ttlMs).toISOString(),
      );
    const secret = new Promise<Secret>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(key);
        reject(
          new CommandFailedError(
            'prompt_expired',
            `nobody typed the passphrase in time (${Math.round(p.ttlMs / 60_000)} min); run the command again`,
          ),
        );
      }, p.ttlMs);
      this.#waiters.set(key, { resolve, reject, timer });
    });
    return { token, secret };
  }

  /** Lets the page show the command's outcome once the secret was used. */
  attachResult(token: string, result: Promise<string | undefined>): void {
    const waiter = this.#waiters.get(hash(token));
    if (waiter) waiter.result = result;
  }

  /** What the page shows before the secret is typed: its purpose, or why the link is dead. */
  describe(token: string): { ok: true; purpose: string } | { ok: false; reason: 'unknown' | 'expired' | 'used' } {
    const row = this.#row(token);
    if (!row) return { ok: false, reason: 'unknown' };
    if (row.used_at) return { ok: false, reason: 'used' };
    if (row.expires_at <= this.#now().toISOString() || !this.#waiters.has(hash(token)))
      return { ok: false, reason: 'expired' };
    return { ok: true, purpose: row.purpose };
  }

  /** Hands the secret to the waiting command, once. */
  submit(token: string, value: string): Submission {
    const key = hash(token);
    const state = this.describe(token);
    if (!state.ok) return state;
    const used = this.#db
      .prepare(`UPDATE secret_prompts SET used_at = ? WHERE token_hash = ? AND used_at IS NULL`)
      .run(this.#now().toISOString(), key).changes;
    const waiter = this.#waiters.get(key);
    if (used !== 1 || !waiter) return { ok: false, reason: 'used' };
    this.#waiters.delete(key);
    clearTimeout(waiter.timer);
    waiter.resolve(new Secret(value));
    return { ok: true, purpose: state.purpose, result: waiter.result ?? Promise.resolve(undefined) };
  }

  /** Takes back a prompt whose link could not be handed to its user: the link is dead at once. */
  withdraw(token: string): void {
    const key = hash(token);
    const waiter = this.#waiters.get(key);
    if (waiter) clearTimeout(waiter.timer);
    this.#waiters.delete(key);
    this.#db
      .prepare(`UPDATE secret_prompts SET used_at = ? WHERE token_hash = ? AND used_at IS NULL`)
      .run(this.#now().toISOString(), key);
  }

  /** Fails every waiting command (the bot is stopping). */
  close(): void {
    for (const w of this.#waiters.values()) {
      clearTimeout(w.timer);
      w.reject(new CommandFailedError('prompt_closed', 'the bot is stopping; run the command again'));
    }
    this.#waiters.clear();
  }

  #row(token: string) {
    return this.#db
      .prepare(`SELECT purpose, expires_at, used_at FROM secret_prompts WHERE token_hash = ?`)
      .get(hash(token)) as { purpose: string; expires_at: string; used_at: string | null } | undefined;
  }
}
