import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryError } from '../../src/chat/delivery/delivery-error.js';
import { DeliveryQueue } from '../../src/chat/delivery/delivery-queue.js';
import type { ChatMessage } from '../../src/chat/message.js';
import { silentLogger } from '../../src/core/logger.js';
import { openDatabase } from '../../src/store/database.js';
import { OutboxStore } from '../../src/store/outbox-store.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'detour-outbox-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A platform double: records deliveries, fails on demand. */
function flakyPlatform() {
  const delivered: string[] = [];
  const failures: DeliveryError[] = [];
  return {
    delivered,
    failNext: (e: DeliveryError) => failures.push(e),
    deliver: async (channel: string, message: ChatMessage) => {
      const failure = failures.shift();
      if (failure) throw failure;
      delivered.push(`${channel}:${message.body}`);
    },
  };
}

const rateLimited = (ms: number) =>
  new DeliveryError('slack', 'ratelimited', 'rate limited', { retryable: true, retryAfterMs: ms });

describe('delivery queue', () => {
  it('keeps order through a rate limit and respects Retry-After', async () => {
    const store = new OutboxStore(openDatabase(':memory:'));
    const queue = new DeliveryQueue({ store, logger: silentLogger, baseBackoffMs: 10 });
    const slack = flakyPlatform();
    slack.failNext(rateLimited(300));
    queue.register('slack', slack.deliver);
    for (const n of [1, 2, 3]) queue.post('infra', { body: `m${n}` });
    await new Promise((r) => setTimeout(r, 50));
    expect(slack.delivered).toEqual([]);
    const head = store.head('slack');
    expect(head?.attempts).toBe(1);
    expect(new Date(head?.nextAttemptAt as string).getTime() - Date.now()).toBeGreaterThan(150);
    await queue.drain('slack');
    expect(slack.delivered).toEqual(['infra:m1', 'infra:m2', 'infra:m3']);
    queue.stop();
  });

  it('gives up on what cannot heal, reports it, and goes on', async () => {
    const store = new OutboxStore(openDatabase(':memory:'));
    const given: string[] = [];
    const queue = new DeliveryQueue({
      store,
      logger: silentLogger,
      onGiveUp: (_p, channel, e) => given.push(`${channel}:${e.code}`),
    });
    const slack = flakyPlatform();
    slack.failNext(new DeliveryError('slack', 'not_in_channel', 'the bot is not in #secret', { retryable: false }));
    queue.register('slack', slack.deliver);
    queue.post('secret', { body: 'a' });
    queue.post('infra', { body: 'b' });
    await queue.drain('slack');
    expect(given).toEqual(['secret:not_in_channel']);
    expect(slack.delivered).toEqual(['infra:b']);
    queue.stop();
  });

  it('retries an outage with growing backoff and keeps messages across a restart', async () => {
    const path = join(dir, 'outbox.db');
    const first = new DeliveryQueue({
      store: new OutboxStore(openDatabase(path)),
      logger: silentLogger,
      baseBackoffMs: 60_000,
    });
    const down = flakyPlatform();
    down.failNext(new DeliveryError('mattermost', 'http_503', 'service unavailable', { retryable: true }));
    first.register('mattermost', down.deliver);
    first.post('infra', { body: 'kept' });
    await new Promise((r) => setTimeout(r, 50));
    first.stop();
    expect(down.delivered).toEqual([]);
    // A new bot process on the same database: the message is still there and goes out when due.
    const store = new OutboxStore(openDatabase(path));
    expect(store.depth('mattermost')).toBe(1);
    const db = openDatabase(path);
    db.prepare(`UPDATE outbox SET next_attempt_at = ?`).run(new Date().toISOString());
    const second = new DeliveryQueue({ store, logger: silentLogger });
    const up = flakyPlatform();
    second.register('mattermost', up.deliver);
    await second.drain('mattermost');
    expect(up.delivered).toEqual(['infra:kept']);
    second.stop();
  });
});
