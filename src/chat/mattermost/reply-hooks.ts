import { randomBytes } from 'node:crypto';

/** A slash command's response_url lives 30 minutes (model.CommandWebhook); stop a minute short. */
const LIFETIME_MS = 29 * 60_000;

export interface PrivateTarget {
  userId: string;
  key: string | undefined;
  /** The response_url, while it may still work. */
  url: string | undefined;
}

/**
 * Private replies the delivery queue holds for later are addressed
 * `@<user id>#<key>`: the key names the request's response_url, kept here in
 * memory only (it is a credential for that user's ephemeral posts, so it goes
 * neither to SQLite nor to the logs). While it lives, the reply stays
 * ephemeral; once it is dead or forgotten (a restart), a direct message
 * carries it instead.
 */
export class ReplyHooks {
  readonly #hooks = new Map<string, { url: string; until: number }>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** The queue target for private replies to one request. */
  target(userId: string, responseUrl: string | undefined): string {
    if (!responseUrl) return `@${userId}`;
    this.#prune();
    const key = randomBytes(9).toString('base64url');
    this.#hooks.set(key, { url: responseUrl, until: this.#now() + LIFETIME_MS });
    return `@${userId}#${key}`;
  }

  /** A private target's parts, or undefined for any other channel. */
  resolve(target: string): PrivateTarget | undefined {
    const m = /^@([a-z0-9]{26})(?:#([A-Za-z0-9_-]+))?$/.exec(target);
    if (!m) return undefined;
    const hook = m[2] ? this.#hooks.get(m[2]) : undefined;
    const alive = hook && hook.until > this.#now() ? hook.url : undefined;
    return { userId: m[1] as string, key: m[2], url: alive };
  }

  forget(key: string | undefined): void {
    if (key) this.#hooks.delete(key);
  }

  #prune(): void {
    const now = this.#now();
    for (const [key, hook] of this.#hooks) if (hook.until <= now) this.#hooks.delete(key);
  }
}
