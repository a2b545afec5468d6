import type { Logger } from '../../core/logger.js';
import type { OutboxItem, OutboxStore } from '../../store/outbox-store.js';
import type { ChatMessage } from '../message.js';
import { DeliveryError } from './delivery-error.js';

/** Delivers one message to one platform channel; throws DeliveryError when it cannot. */
export type Deliver = (channel: string, message: ChatMessage) => Promise<void>;

export interface DeliveryQueueOptions {
  store: OutboxStore;
  logger: Logger;
  now?: () => Date;
  /** First retry delay; doubles up to maxBackoffMs. */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  onDepth?: (platform: string, depth: number) => void;
  /** Called when a message is given up (cannot be delivered by waiting). */
  onGiveUp?: (platform: string, channel: string, error: DeliveryError) => void;
  /** When the database is locked by another process (SQLITE_BUSY): try again after this. */
  busyRetryMs?: number;
  /** When the database fails otherwise (disk full, I/O error): try again after this. */
  storeFailureRetryMs?: number;
  /**
   * How often an idle platform looks at the outbox again: one-shot processes (`detour job run`,
   * `detour run`) queue their channel messages there for the serving bot to deliver.
   */
  pollMs?: number;
}

interface PlatformState {
  deliver: Deliver;
  timer?: NodeJS.Timeout;
  running: boolean;
  /** Delivered, but the database refused to record it: recorded first next time, never sent twice. */
  unrecorded?: { id: number; at: Date };
}

interface Unsaved {
  platform: string;
  channel: string;
  message: ChatMessage;
  at: Date;
  notBefore: Date;
}

// Messages the database refused while it was locked or full wait in memory, up to this many.
const MAX_UNSAVED = 1_000;

/**
 * Channel messages (alerts, digests, scheduled results) go through here:
 * written to SQLite first, then delivered in order per platform. A failure
 * that can heal (429, 5xx, network, platform away) is retried with backoff,
 * holding back the later messages so order is kept; one that cannot is
 * recorded and reported, and the queue moves on. Nothing is lost silently,
 * and a restart resumes where it stopped. The queue never throws: an
 * unreadable row is set aside, and a database that is locked, full or failing
 * is tried again later (the bot keeps serving meanwhile).
 */
export class DeliveryQueue {
  readonly #o: Required<Omit<DeliveryQueueOptions, 'onDepth' | 'onGiveUp'>> & DeliveryQueueOptions;
  readonly #platforms = new Map<string, PlatformState>();
  readonly #unsaved: Unsaved[] = [];
  #stopped = false;
  #poll: NodeJS.Timeout | undefined;

  constructor(options: DeliveryQueueOptions) {
    this.#o = {
      now: () => new Date(),
      baseBackoffMs: 1_000,
      maxBackoffMs: 5 * 60_000,
      busyRetryMs: 1_000,
      storeFailureRetryMs: 60_000,
      pollMs: 30_000,
      ...options,
    };
  }

  /** Registers a platform and starts delivering what is already waiting for it. */
  register(platform: string, deliver: Deliver): void {
    this.#platforms.set(platform, { deliver, running: false });
    this.#kick(platform);
    // Only an idle platform (nothing armed, nothing running) is woken: a backoff is never cut short.
    this.#poll ??= setInterval(() => {
      for (const [name, p] of this.#platforms) if (!p.running && p.timer === undefined) this.#kick(name);
    }, this.#o.pollMs).unref();
  }

  /**
   * Queues a message for every registered platform, or for the one named
   * (kept even before that platform registers, and delivered once it does).
   */
  post(channel: string, message: ChatMessage, only?: string, delayMs = 0): void {
    const now = this.#o.now();
    for (const platform of only === undefined ? this.#platforms.keys() : [only]) {
      this.#unsaved.push({ platform, channel, message, at: now, notBefore: new Date(now.getTime() + delayMs) });
      if (this.#unsaved.length > MAX_UNSAVED) {
        const lost = this.#unsaved.shift();
        this.#o.logger.error(
          { platform: lost?.platform, channel: lost?.channel },
          'message dropped: the database has refused messages for too long',
        );
      }
      try {
        this.#save(platform);
      } catch (error) {
        this.#storeFailed(platform, error);
        continue;
      }
      this.#kick(platform);
    }
  }

  /** Resolves once nothing waits for the platform, or after `timeoutMs` (tests and shutdown). */
  async drain(platform: string, timeoutMs = 10_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    const waiting = () => this.#unsaved.some((u) => u.platform === platform) || this.#o.store.depth(platform) > 0;
    while (waiting() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  }

  /**
   * Once every configured platform is registered: messages waiting for a platform that is no
   * longer configured would wait forever; they are set aside and counted in the log.
   */
  setAsideUnregistered(): void {
    try {
      const count = this.#o.store.setAsideExcept([...this.#platforms.keys()], 'platform not configured', this.#o.now());
      if (count > 0) this.#o.logger.warn({ count }, 'queued messages for a platform no longer configured set aside');
    } catch (error) {
      // Tried again at the next start; nothing depends on it meanwhile.
      this.#o.logger.warn({ err: error }, 'could not set aside messages of unconfigured platforms');
    }
  }

  stop(): void {
    this.#stopped = true;
    clearInterval(this.#poll);
    for (const p of this.#platforms.values()) clearTimeout(p.timer);
  }

  #kick(platform: string, delayMs = 0): void {
    const p = this.#platforms.get(platform);
    if (!p || this.#stopped) return;
    clearTimeout(p.timer);
    p.timer = setTimeout(() => {
      p.timer = undefined;
      void this.#work(platform);
    }, delayMs);
  }

  async #work(platform: string): Promise<void> {
    const p = this.#platforms.get(platform);
    if (!p || p.running || this.#stopped) return;
    p.running = true;
    try {
      this.#save(platform);
      for (;;) {
        if (p.unrecorded) {
          this.#o.store.delivered(p.unrecorded.id, p.unrecorded.at);
          p.unrecorded = undefined;
        }
        const item = this.#o.store.head(platform);
        this.#o.onDepth?.(platform, this.#o.store.depth(platform));
        if (!item) return;
        if ('unreadable' in item) {
          this.#o.store.setAside(item.id, item.unreadable, this.#o.now());
          this.#o.logger.error(
            { platform, channel: item.channel, outboxId: item.id, reason: item.unreadable },
            'unreadable queued message set aside',
          );
          continue;
        }
        const wait = new Date(item.nextAttemptAt).getTime() - this.#o.now().getTime();
        if (wait > 0) return this.#kick(platform, wait);
        try {
          await p.deliver(item.channel, item.message);
        } catch (error) {
          if (this.#failed(platform, item, error)) continue;
          return;
        }
        p.unrecorded = { id: item.id, at: this.#o.now() };
        this.#o.store.delivered(item.id, p.unrecorded.at);
        p.unrecorded = undefined;
      }
    } catch (error) {
      this.#storeFailed(platform, error);
    } finally {
      p.running = false;
    }
  }

  /** Records a failed delivery; true when the queue may go on with the next message. */
  #failed(platform: string, item: OutboxItem, error: unknown): boolean {
    const failure =
      error instanceof DeliveryError
        ? error
        : new DeliveryError(platform, 'delivery_failed', (error as Error)?.message ?? String(error), {
            retryable: true,
            cause: error,
          });
    if (!failure.retryable) {
      this.#o.store.giveUp(item.id, failure.message, this.#o.now());
      this.#o.logger.error(
        { platform, channel: item.channel, code: failure.code, outboxId: item.id },
        `message not delivered: ${failure.message}`,
      );
      this.#o.onGiveUp?.(platform, item.channel, failure);
      return true;
    }
    const backoff = Math.min(this.#o.maxBackoffMs, this.#o.baseBackoffMs * 2 ** item.attempts);
    const delay = Math.max(failure.retryAfterMs ?? 0, backoff);
    this.#o.store.retryLater(item.id, failure.message, new Date(this.#o.now().getTime() + delay));
    this.#o.logger.warn(
      { platform, channel: item.channel, code: failure.code, retryInMs: delay, attempts: item.attempts + 1 },
      'delivery postponed',
    );
    this.#kick(platform, delay);
    return false;
  }

  /** Writes the platform's messages held in memory to the outbox, oldest first, so order is kept. */
  #save(platform: string): void {
    for (let i = 0; i < this.#unsaved.length; ) {
      const u = this.#unsaved[i] as Unsaved;
      if (u.platform !== platform) {
        i++;
        continue;
      }
      this.#o.store.add(u.platform, u.channel, u.message, u.at, u.notBefore);
      this.#unsaved.splice(i, 1);
    }
  }

  /** The database refused (locked by another process, full, failing): nothing is lost, try later. */
  #storeFailed(platform: string, error: unknown): void {
    const code = (error as { code?: unknown })?.code;
    const busy = code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED' || String(code).startsWith('SQLITE_BUSY_');
    const retryInMs = busy ? this.#o.busyRetryMs : this.#o.storeFailureRetryMs;
    const fields = { platform, code, retryInMs, err: error };
    if (busy) this.#o.logger.warn(fields, 'delivery queue waits: the database is locked');
    else this.#o.logger.error(fields, 'delivery queue waits: the database failed');
    this.#kick(platform, retryInMs);
  }
}
