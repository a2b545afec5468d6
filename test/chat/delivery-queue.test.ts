import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryError } from '../../src/chat/delivery/delivery-error.js';
import { DeliveryQueue } from '../../src/chat/delivery/delivery-queue.js';
import type { ChatMessage } from '../../src/chat/message.js';
import { type Logger, silentLogger } from '../../src/core/logger.js';
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

/** A logger that keeps what it was told, to check what an operator would read. */
function recordingLogger() {
  const lines: { level: string; fields: Record<string, unknown>; message?: string }[] = [];
  const at =
    (level: string) =>
    (fields: object, message?: string): void => {
      lines.push({ level, fields: fields as Record<string, unknown>, message });
    };
  const logger: Logger = {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: () => logger,
  };
  return { logger, lines };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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
    if (!head || 'unreadable' in head) throw new Error('expected the first message at the head');
    expect(head.attempts).toBe(1);
    expect(new Date(head.nextAttemptAt).getTime() - Date.now()).toBeGreaterThan(150);
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

  it('delivers what another process queued in the outbox, and never cuts a backoff short', async () => {
    const path = join(dir, 'shared-outbox.db');
    const queue = new DeliveryQueue({
      store: new OutboxStore(openDatabase(path)),
      logger: silentLogger,
      baseBackoffMs: 60_000,
      pollMs: 30,
    });
    const slack = flakyPlatform();
    queue.register('slack', slack.deliver);
    await sleep(50);
    // `detour job run` in another process writes its alert to the same file, and exits.
    const other = openDatabase(path);
    new OutboxStore(other).add('slack', 'infra', { body: 'from a one-shot job' }, new Date());
    other.close();
    for (let i = 0; i < 50 && slack.delivered.length === 0; i++) await sleep(20);
    expect(slack.delivered).toEqual(['infra:from a one-shot job']);
    // A message waiting out its backoff is not retried by the poll.
    slack.failNext(new DeliveryError('slack', 'http_503', 'service unavailable', { retryable: true }));
    queue.post('infra', { body: 'postponed' });
    await sleep(200);
    expect(slack.delivered).toEqual(['infra:from a one-shot job']);
    queue.stop();
  });

  it('sets an unreadable row aside, says so, and delivers the others', async () => {
    const path = join(dir, 'corrupt.db');
    const db = openDatabase(path);
    const { logger, lines } = recordingLogger();
    const queue = new DeliveryQueue({ store: new OutboxStore(db), logger });
    queue.post('infra', { body: 'before' }, 'slack');
    // Rows damaged behind the bot's back, through another connection to the same file.
    const other = openDatabase(path);
    const insert = other.prepare(
      `INSERT INTO outbox (platform, channel, message, created_at, next_attempt_at) VALUES ('slack', 'infra', ?, ?, ?)`,
    );
    const now = new Date().toISOString();
    const bad = [
      '{"body": "cut',
      'null',
      '{"text": "no body"}',
      '{"body": 42}',
      '{"body": "report", "files": [{"path": "/srv/a.png"}]}',
    ].map((m) => Number(insert.run(m, now, now).lastInsertRowid));
    other.close();
    queue.post('infra', { title: 'T', body: 'after' }, 'slack');
    const slack = flakyPlatform();
    queue.register('slack', slack.deliver);
    await queue.drain('slack');
    expect(slack.delivered).toEqual(['infra:before', 'infra:after']);
    const rows = db
      .prepare(`SELECT id, last_error, failed_at IS NOT NULL AS failed FROM outbox WHERE id IN (${bad.join(',')})`)
      .all();
    expect(rows).toEqual([
      { id: bad[0], last_error: 'unreadable row: not JSON', failed: 1 },
      { id: bad[1], last_error: 'unreadable row: not a message object', failed: 1 },
      { id: bad[2], last_error: 'unreadable row: no text body', failed: 1 },
      { id: bad[3], last_error: 'unreadable row: no text body', failed: 1 },
      { id: bad[4], last_error: 'unreadable row: files are not a list of {path, name, title?}', failed: 1 },
    ]);
    const logged = lines.filter((l) => l.level === 'error').map((l) => l.fields.outboxId);
    expect(logged).toEqual(bad);
    queue.stop();
    db.close();
  });

  it('waits out a database locked by another connection (as by another process), and sends each message once', async () => {
    const path = join(dir, 'busy.db');
    const db = openDatabase(path);
    // Shorter than the bot's 5 s so the test is quick; SQLite answers SQLITE_BUSY the same way.
    db.pragma('busy_timeout = 50');
    const holder = openDatabase(path);
    const { logger, lines } = recordingLogger();
    const queue = new DeliveryQueue({ store: new OutboxStore(db), logger, busyRetryMs: 50 });
    const sent: string[] = [];
    queue.register('slack', async (channel, message) => {
      // Another writer takes the lock while the first message is on its way: its delivery
      // cannot be recorded, and the next message cannot be written.
      if (sent.length === 0) holder.exec('BEGIN EXCLUSIVE');
      sent.push(`${channel}:${message.body}`);
    });
    queue.post('infra', { body: 'm1' });
    await sleep(100);
    expect(() => queue.post('infra', { body: 'm2' })).not.toThrow();
    await sleep(200);
    expect(sent).toEqual(['infra:m1']);
    expect(lines.some((l) => l.level === 'warn' && l.fields.code === 'SQLITE_BUSY')).toBe(true);
    holder.exec('COMMIT');
    await queue.drain('slack');
    expect(sent).toEqual(['infra:m1', 'infra:m2']);
    expect(db.prepare(`SELECT count(*) AS n FROM outbox WHERE delivered_at IS NOT NULL`).get()).toEqual({ n: 2 });
    queue.stop();
    holder.close();
    db.close();
  });

  it('keeps going when the disk is full, and delivers once there is room', async () => {
    const db = openDatabase(join(dir, 'full.db'));
    // SQLite's own size cap gives the same SQLITE_FULL a full disk gives.
    const room = db.pragma('page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${room}`);
    const { logger, lines } = recordingLogger();
    const queue = new DeliveryQueue({ store: new OutboxStore(db), logger, storeFailureRetryMs: 50 });
    const slack = flakyPlatform();
    queue.register('slack', slack.deliver);
    const big = 'x'.repeat(64_000);
    expect(() => queue.post('infra', { body: big })).not.toThrow();
    await sleep(150);
    expect(slack.delivered).toEqual([]);
    expect(lines.some((l) => l.level === 'error' && l.fields.code === 'SQLITE_FULL')).toBe(true);
    db.pragma('max_page_count = 1000000');
    await queue.drain('slack');
    expect(slack.delivered).toEqual([`infra:${big}`]);
    queue.stop();
    db.close();
  });

  it('sets aside the messages of a platform no longer configured, and keeps the others', async () => {
    const db = openDatabase(':memory:');
    const store = new OutboxStore(db);
    const { logger, lines } = recordingLogger();
    const queue = new DeliveryQueue({ store, logger });
    queue.post('infra', { body: 'for slack, removed since' }, 'slack');
    queue.post('infra', { body: 'for mattermost' }, 'mattermost');
    const mattermost = flakyPlatform();
    queue.register('mattermost', mattermost.deliver);
    queue.setAsideUnregistered();
    await queue.drain('mattermost');
    expect(mattermost.delivered).toEqual(['infra:for mattermost']);
    expect(store.depth('slack')).toBe(0);
    expect(db.prepare(`SELECT last_error FROM outbox WHERE platform = 'slack'`).get()).toEqual({
      last_error: 'platform not configured',
    });
    expect(lines).toContainEqual(expect.objectContaining({ level: 'warn', fields: { count: 1 } }));
    queue.stop();
  });
});
