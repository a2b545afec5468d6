/** What the bot knows of a platform user, from the platform's own API. */
export interface ChatUser {
  email: string;
  /** The user's name as the platform shows it (Mattermost's username), when the API gave one. */
  name?: string;
}

const MAX_USERS = 1_000;

/**
 * Platform user id → what the platform's API says of that user, kept for a
 * while: access rules need the e-mail on every request, and asking the
 * platform each time would cost a round trip before every answer. Only API
 * answers go in (never a name a request claims), a lookup failure is not
 * cached, and at most `maxUsers` users are kept (the least recently used go
 * first), whatever ids requests bring.
 */
export class UserCache {
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #max: number;
  readonly #entries = new Map<string, { user: ChatUser; until: number }>();
  readonly #lookup: (userId: string) => Promise<ChatUser>;

  constructor(
    lookup: (userId: string) => Promise<ChatUser>,
    ttlMs: number,
    now: () => number = Date.now,
    maxUsers = MAX_USERS,
  ) {
    this.#lookup = lookup;
    this.#ttlMs = ttlMs;
    this.#now = now;
    this.#max = maxUsers;
  }

  get size(): number {
    return this.#entries.size;
  }

  async get(userId: string): Promise<ChatUser> {
    const cached = this.peek(userId);
    if (cached) return cached;
    const user = await this.#lookup(userId);
    this.#entries.delete(userId);
    this.#entries.set(userId, { user, until: this.#now() + this.#ttlMs });
    // A Map keeps insertion order: the first key is the least recently used.
    while (this.#entries.size > this.#max) this.#entries.delete(this.#entries.keys().next().value as string);
    return user;
  }

  /** The user as last looked up, while fresh; never asks the platform (for text answered at once). */
  peek(userId: string): ChatUser | undefined {
    const cached = this.#entries.get(userId);
    if (!cached) return undefined;
    if (cached.until <= this.#now()) {
      this.#entries.delete(userId);
      return undefined;
    }
    this.#entries.delete(userId);
    this.#entries.set(userId, cached);
    return cached.user;
  }
}
