import { randomBytes } from 'node:crypto';

/** A slash command's response_url lives 30 minutes (model.CommandWebhook); stop a minute short. */
const LIFETIME_MS = 29 * 60_000;
/** Hooks held at once; the oldest go first (then a direct message carries their replies). */
const MAX_HOOKS = 1_000;

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
 * carries it instead. A confirmation's response_url waits here too, by the
 * confirmation's id, for the command it re-runs once confirmed.
 */
export class ReplyHooks {
  readonly #hooks = new Map<string, { url: string; until: number }>();
  readonly #now: () => number;
  readonly #max: number;

  constructor(now: () => number = Date.now, max = MAX_HOOKS) {
    this.#now = now;
    this.#max = max;
  }

  get size(): number {
    return this.#hooks.size;
  }

  /** Holds a response_url under a key of the caller's until `untilMs` at most (its own lifetime is shorter). */
  keep(key: string, url: string, untilMs: number): void {
    this.#add(key, url, Math.min(untilMs, this.#now() + LIFETIME_MS));
  }

  /** The response_url held under `key`, once, while it may still work. */
  take(key: string): string | undefined {
    const hook = this.#hooks.get(key);
    this.#hooks.delete(key);
    return hook && hook.until > this.#now() ? hook.url : undefined;
  }

  /** The queue target for private replies to one request. */
  target(userId: string, responseUrl: string | undefined): string {
    if (!responseUrl) return `@${userId}`;
    const key = randomBytes(9).toString('base64url');
    this.#add(key, responseUrl, this.#now() + LIFETIME_MS);
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

  #add(key: string, url: string, until: number): void {
    const now = this.#now();
    for (const [old, hook] of this.#hooks) if (hook.until <= now) this.#hooks.delete(old);
    this.#hooks.set(key, { url, until });
    // A Map keeps insertion order: the first key is the oldest.
    while (this.#hooks.size > this.#max) this.#hooks.delete(this.#hooks.keys().next().value as string);
  }
}
