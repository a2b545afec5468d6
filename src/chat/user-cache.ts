/**
 * Platform user id → e-mail, kept for a while: access rules need the e-mail on
 * every request, and asking the platform each time would cost a round trip
 * before every answer. A lookup failure is not cached.
 */
export class UserCache {
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, { email: string; until: number }>();
  readonly #lookup: (userId: string) => Promise<string>;

  constructor(lookup: (userId: string) => Promise<string>, ttlMs: number, now: () => number = Date.now) {
    this.#lookup = lookup;
    this.#ttlMs = ttlMs;
    this.#now = now;
  }

  async email(userId: string): Promise<string> {
    const cached = this.#entries.get(userId);
    if (cached && cached.until > this.#now()) return cached.email;
    const email = await this.#lookup(userId);
    this.#entries.set(userId, { email, until: this.#now() + this.#ttlMs });
    return email;
  }
}
