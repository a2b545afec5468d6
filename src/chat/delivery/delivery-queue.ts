import type { Logger } from '../../core/logger.js';
import type { OutboxStore } from '../../store/outbox-store.js';
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
}

/**
 * Channel messages (alerts, digests, scheduled results) go through here:
 * written to SQLite first, then delivered in order per platform. A failure
 * that can heal (429, 5xx, network, platform away) is retried with backoff,
 * holding back the later messages so order is kept; one that cannot is
 * recorded and reported, and the queue moves on. Nothing is lost silently,
 * and a restart resumes where it stopped.
 */
export class DeliveryQueue {
  readonly #o: Required<Omit<DeliveryQueueOptions, 'onDepth' | 'onGiveUp'>> & DeliveryQueueOptions;
  readonly #platforms = new Map<string, { deliver: Deliver; timer?: NodeJS.Timeout; running: boolean }>();
  #stopped = false;

  constructor(options: DeliveryQueueOptions) {
    this.#o = { now: () => new Date(), baseBackoffMs: 1_000, maxBackoffMs: 5 * 60_000, ...options };
  }

  /** Registers a platform and starts delivering what is already waiting for it. */
  register(platform: string, deliver: Deliver): void {
    this.#platforms.set(platform, { deliver, running: false });
    this.#kick(platform);
  }

  /**
   * Queues a message for every registered platform, or for the one named
   * (kept even before that platform registers, and delivered once it does).
   */
  post(channel: string, message: ChatMessage, only?: string, delayMs = 0): void {
    const now = this.#o.now();
    for (const platform of only === undefined ? this.#platforms.keys() : [only]) {
      this.#o.store.add(platform, channel, message, now, new Date(now.getTime() + delayMs));
      this.#kick(platform);
    }
  }

  /** Resolves once nothing waits for the platform, or after `timeoutMs` (tests and shutdown). */
  async drain(platform: string, timeoutMs = 10_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (this.#o.store.depth(platform) > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  }

  stop(): void {
    this.#stopped = true;
    for (const p of this.#platforms.values()) clearTimeout(p.timer);
  }

  #kick(platform: string, delayMs = 0): void {
    const p = this.#platforms.get(platform);
    if (!p || this.#stopped) return;
    clearTimeout(p.timer);
    p.timer = setTimeout(() => void this.#work(platform), delayMs);
  }

  async #work(platform: string): Promise<void> {
    const p = this.#platforms.get(platform);
    if (!p || p.running || this.#stopped) return;
    p.running = true;
    try {
      for (;;) {
        const item = this.#o.store.head(platform);
        this.#o.onDepth?.(platform, this.#o.store.depth(platform));
        if (!item) return;
        const wait = new Date(item.nextAttemptAt).getTime() - this.#o.now().getTime();
        if (wait > 0) return this.#kick(platform, wait);
        try {
          await p.deliver(item.channel, item.message);
          this.#o.store.delivered(item.id, this.#o.now());
        } catch (error) {
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
            continue;
          }
          const backoff = Math.min(this.#o.maxBackoffMs, this.#o.baseBackoffMs * 2 ** item.attempts);
          const delay = Math.max(failure.retryAfterMs ?? 0, backoff);
          this.#o.store.retryLater(item.id, failure.message, new Date(this.#o.now().getTime() + delay));
          this.#o.logger.warn(
            { platform, channel: item.channel, code: failure.code, retryInMs: delay, attempts: item.attempts + 1 },
            'delivery postponed',
          );
          return this.#kick(platform, delay);
        }
      }
    } finally {
      p.running = false;
    }
  }
}
