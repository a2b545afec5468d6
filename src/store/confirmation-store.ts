import { randomBytes } from 'node:crypto';
import type { Db } from './database.js';

export interface Confirmation {
  id: string;
  platform: string;
  userId: string;
  actor: string;
  text: string;
  channelId: string;
  expiresAt: string;
  state: 'pending' | 'confirmed' | 'cancelled' | 'expired';
}

export type Decision =
  | { ok: true; confirmation: Confirmation }
  | { ok: false; reason: 'unknown' | 'other_user' | 'expired' | 'already_decided'; confirmation?: Confirmation };

interface Row {
  id: string;
  platform: string;
  user_id: string;
  actor: string;
  text: string;
  channel_id: string;
  expires_at: string;
  state: Confirmation['state'];
}

const toConfirmation = (r: Row): Confirmation => ({
  id: r.id,
  platform: r.platform,
  userId: r.user_id,
  actor: r.actor,
  text: r.text,
  channelId: r.channel_id,
  expiresAt: r.expires_at,
  state: r.state,
});

/**
 * Pending confirmations live in SQLite: a restart neither loses one nor lets
 * it run twice. Deciding is one conditional UPDATE, so two clicks (or two
 * bot processes) cannot both win. Where to answer (a Mattermost response_url
 * lets its holder post as the user) is never stored: adapters keep it in
 * memory. The `reply_to` column stays empty; older versions wrote it, so it
 * is cleared on opening.
 */
export class ConfirmationStore {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
    db.prepare(`UPDATE confirmations SET reply_to = NULL WHERE reply_to IS NOT NULL`).run();
  }

  create(c: Omit<Confirmation, 'id' | 'state' | 'expiresAt'> & { ttlMs: number }, now: Date): Confirmation {
    const id = randomBytes(16).toString('base64url');
    const expiresAt = new Date(now.getTime() + c.ttlMs).toISOString();
    this.#db
      .prepare(
        `INSERT INTO confirmations (id, platform, user_id, actor, text, channel_id, created_at, expires_at, state)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending')`,
      )
      .run(id, c.platform, c.userId, c.actor, c.text, c.channelId, now.toISOString(), expiresAt);
    const { ttlMs: _ttl, ...fields } = c;
    return { ...fields, id, expiresAt, state: 'pending' };
  }

  get(id: string): Confirmation | undefined {
    const row = this.#db.prepare(`SELECT * FROM confirmations WHERE id = ?`).get(id) as Row | undefined;
    return row && toConfirmation(row);
  }

  /** Confirms or cancels, only for the user who asked, only while pending and not expired. */
  decide(id: string, userId: string, decision: 'confirmed' | 'cancelled', now: Date): Decision {
    const current = this.get(id);
    if (!current) return { ok: false, reason: 'unknown' };
    if (current.userId !== userId) return { ok: false, reason: 'other_user', confirmation: current };
    const at = now.toISOString();
    if (current.state === 'pending' && current.expiresAt <= at) {
      this.#db.prepare(`UPDATE confirmations SET state = 'expired' WHERE id = ? AND state = 'pending'`).run(id);
      return { ok: false, reason: 'expired', confirmation: { ...current, state: 'expired' } };
    }
    const changed = this.#db
      .prepare(
        `UPDATE confirmations SET state = ?, decided_at = ?, decided_by = ?
         WHERE id = ? AND user_id = ? AND state = 'pending' AND expires_at > ?`,
      )
      .run(decision, at, userId, id, userId, at).changes;
    if (changed !== 1)
      return { ok: false, reason: current.state === 'expired' ? 'expired' : 'already_decided', confirmation: current };
    return { ok: true, confirmation: { ...current, state: decision } };
  }
}
