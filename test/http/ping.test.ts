import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackupChecks } from '../../src/backups/backup-checks.js';
import { BackupReporter } from '../../src/backups/backup-reporter.js';
import type { ChatMessage } from '../../src/chat/message.js';
import { RejectedRequests } from '../../src/chat/rejected-request.js';
import { configSecrets } from '../../src/config/secrets.js';
import { silentLogger } from '../../src/core/logger.js';
import { Metrics } from '../../src/http/metrics.js';
import { PING_BODY_LIMIT, pingRoutes } from '../../src/http/ping.js';
import { type HttpServer, startHttpServer } from '../../src/http/server.js';
import { AuditStore } from '../../src/store/audit-store.js';
import { BackupCheckStore } from '../../src/store/backup-check-store.js';
import { BackupSummaryStore } from '../../src/store/backup-summary-store.js';
import { type Db, openDatabase } from '../../src/store/database.js';
import { testConfig } from '../support/app.js';

/*
 * POST /ping/<check> on the real HTTP server (127.0.0.1, a free port), with a real SQLite store.
 * The clock is the test's, so "overdue" is reached without waiting.
 */
const TOKEN = 'nightly-token-3f9a1c7e5b2d4f60';
const OTHER_TOKEN = 'other-token-8e1d2c3b4a5f6e7d';
const PASSPHRASE = 'borg-passphrase-du-Detour-7-rue-des-Lilas';
const HOUR = 3_600_000;

let server: HttpServer;
let db: Db;
let audit: AuditStore;
let checks: BackupChecks;
let metrics: Metrics;
let rejected: RejectedRequests;
let clock = Date.parse('2026-12-07T02:00:00Z');
const posted: { channel: string; message: ChatMessage }[] = [];
let base: string;

beforeAll(async () => {
  const config = testConfig(
    {
      backups: [{ name: 'b7-borg', type: 'borg', repo: '/srv/borg', passphrase: PASSPHRASE }],
      checks: {
        nightly: { token: TOKEN, period: '1d', grace: '2h', repository: 'b7-borg' },
        other: { token: OTHER_TOKEN, period: '1d', grace: '2h' },
      },
    },
    '/tmp',
  );
  db = openDatabase(':memory:');
  audit = new AuditStore(db, () => new Date(clock));
  metrics = new Metrics();
  const reporter = new BackupReporter({
    store: new BackupSummaryStore(db),
    post: (channel, message) => posted.push({ channel, message }),
    mode: 'post',
    locale: 'en',
    logger: silentLogger,
  });
  checks = new BackupChecks({
    checks: config.checks,
    store: new BackupCheckStore(db),
    reporter,
    secrets: configSecrets(config),
    now: () => new Date(clock),
    logger: silentLogger,
  });
  // The bot first knows the checks now: the "never reported" clock starts here.
  expect(checks.overdueChecks(new Date(clock))).toEqual([]);
  rejected = new RejectedRequests({ metrics, logger: silentLogger, audit });
  server = await startHttpServer('127.0.0.1:0', pingRoutes({ checks, rejected, metrics }), (e) => {
    throw e;
  });
  base = `http://127.0.0.1:${server.address.port}`;
});
afterAll(() => server?.close());

const ping = (path: string, token: string | undefined, body = '') =>
  fetch(`${base}/ping/${path}`, {
    method: 'POST',
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    body,
  });
const count = (sql: string, ...params: unknown[]) => (db.prepare(sql).get(...params) as { n: number }).n;
const deniedRows = () => count(`SELECT count(*) AS n FROM audit WHERE status = 'denied'`);

describe('POST /ping/<check>', () => {
  it('records a success with the right token and posts one line to the backups channel', async () => {
    posted.length = 0;
    const res = await ping('nightly', TOKEN, 'borgmatic: all good');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, stored: true });
    const state = checks.states().find((s) => s.name === 'nightly');
    expect(state?.lastSuccessAt).toBe(new Date(clock).toISOString());
    expect(posted).toEqual([{ channel: 'backups', message: { body: 'backup nightly: ok (reported)' } }]);
    // Exit-code form: 0 is a success.
    expect((await ping('nightly/0', TOKEN)).status).toBe(200);
  });

  it('refuses a wrong or missing token (401) and an unknown check (404): counted, audited within bounds', async () => {
    const before = deniedRows();
    expect((await ping('nightly', OTHER_TOKEN)).status).toBe(401);
    expect((await ping('nightly', undefined)).status).toBe(401);
    expect((await ping('nightly', `${TOKEN}x`)).status).toBe(401);
    expect((await ping('nobody', TOKEN)).status).toBe(404);
    expect((await ping('nightly/restart', TOKEN)).status).toBe(404);
    expect(deniedRows() - before).toBe(5);
    const texts = db.prepare(`SELECT text, detail FROM audit WHERE status = 'denied' ORDER BY id DESC LIMIT 2`).all();
    expect(texts).toEqual([
      { text: '(POST /ping/nightly/restart)', detail: 'request refused: unknown_check' },
      { text: '(POST /ping/nobody)', detail: 'request refused: unknown_check' },
    ]);
    // A flood of forged pings: every one counted, the audit holds at most the per-source allowance.
    for (let i = 0; i < 40; i++) expect((await ping('nightly', 'guess')).status).toBe(401);
    expect(deniedRows() - before).toBe(10);
    expect(rejected.sources).toBe(1);
    const metric = await metrics.text();
    expect(metric).toContain('detour_rejected_requests_total{platform="ping",reason="bad_token"} 43');
    // Nothing was recorded for the check by the refused pings.
    expect(count(`SELECT count(*) AS n FROM backup_check_events WHERE check_name = 'nightly'`)).toBe(2);
  });

  it('a start without an end past grace is overdue; a success clears it', async () => {
    const succeeded = clock;
    clock += 60_000;
    expect((await ping('nightly/start', TOKEN)).status).toBe(200);
    const started = clock;
    expect(checks.overdueChecks(new Date(started + 2 * HOUR - 1000))).toEqual([]);
    expect(checks.overdueChecks(new Date(started + 2 * HOUR + 1000))).toEqual([
      {
        key: 'check:nightly',
        name: 'nightly',
        repository: 'b7-borg',
        reason: 'stuck',
        lastSuccessAt: new Date(succeeded).toISOString(),
        lastStartAt: new Date(started).toISOString(),
        dueSince: new Date(started + 2 * HOUR).toISOString(),
      },
    ]);
    // A day and two hours without a success: late.
    clock += 26 * HOUR + 1000;
    const late = checks.overdueChecks(new Date(clock));
    expect(late.map((o) => [o.key, o.reason])).toEqual([
      ['check:nightly', 'stuck'],
      ['check:other', 'never'],
    ]);
    expect((await ping('nightly', TOKEN)).status).toBe(200);
    expect(checks.overdueChecks(new Date(clock)).map((o) => o.key)).toEqual(['check:other']);
    expect(checks.overdueChecks(new Date(clock + 26 * HOUR + 1000))[1]).toMatchObject({
      key: 'check:nightly',
      reason: 'late',
      dueSince: new Date(clock + 26 * HOUR).toISOString(),
    });
  });

  it('/fail with a 100 kB log tail: the post shows the last 30 lines, within 3 000 characters, without a config secret', async () => {
    posted.length = 0;
    const noise = Array.from({ length: 3000 }, (_, i) => `line ${i} ${'x'.repeat(20)}`).join('\n');
    const tail = [
      `borg: using passphrase ${PASSPHRASE}`,
      `curl -H "Authorization: Bearer ${TOKEN}"`,
      `other token ${OTHER_TOKEN}`,
      'Repository /srv/borg does not exist.',
    ].join('\n');
    let body = `${noise}\n${tail}\n`;
    body = `${'#'.repeat(PING_BODY_LIMIT - Buffer.byteLength(body))}${body}`;
    expect(Buffer.byteLength(body)).toBe(PING_BODY_LIMIT);
    const res = await ping('nightly/fail', TOKEN, body);
    expect(res.status).toBe(200);
    expect(posted).toHaveLength(1);
    const message = posted[0]?.message as ChatMessage;
    expect(message.title).toBe('backup nightly: FAILED (reported)');
    const text = `${message.title}\n${message.body}`;
    for (const secret of [PASSPHRASE, TOKEN, OTHER_TOKEN]) expect(text).not.toContain(secret);
    expect(message.body).toContain('borg: using passphrase [secret]');
    expect(message.body).toContain('Repository /srv/borg does not exist.');
    const log = message.body.split('\n').slice(1);
    expect(log.length).toBeLessThanOrEqual(30);
    expect(log.join('\n').length).toBeLessThanOrEqual(3000);
    // What is stored for the digest is the same clipped tail.
    const stored = db.prepare(`SELECT log FROM backup_check_events WHERE kind = 'fail'`).get() as { log: string };
    expect(stored.log).toBe(log.join('\n'));
  });

  it('refuses a log tail over 100 kB with 413 without reading it all', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${base}/ping/nightly/fail`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-length': String(50 * 1024 * 1024) },
      });
      req.on('response', (res) => resolve(res.statusCode ?? 0));
      req.on('error', reject);
      // Only the first kilobyte of the announced 50 MB is ever sent.
      req.write('x'.repeat(1024));
    });
    expect(status).toBe(413);
    // Without a content-length (chunked): read up to the limit, then refused.
    const chunked = await fetch(`${base}/ping/nightly/fail`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('y'.repeat(PING_BODY_LIMIT + 1)));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
  });

  it('a flood of authenticated pings stays bounded: one state row, at most 20 events an hour, 20 posts', async () => {
    posted.length = 0;
    clock += 2 * HOUR;
    const eventsBefore = count(`SELECT count(*) AS n FROM backup_check_events WHERE check_name = 'other'`);
    const replies: { stored: boolean }[] = [];
    for (let batch = 0; batch < 10; batch++) {
      const round = await Promise.all(Array.from({ length: 50 }, () => ping('other', OTHER_TOKEN, 'ok')));
      for (const r of round) {
        expect(r.status).toBe(200);
        replies.push((await r.json()) as { stored: boolean });
      }
    }
    expect(replies.filter((r) => r.stored)).toHaveLength(20);
    expect(count(`SELECT count(*) AS n FROM backup_check_events WHERE check_name = 'other'`) - eventsBefore).toBe(20);
    expect(count(`SELECT count(*) AS n FROM backup_checks`)).toBe(2);
    expect(checks.states().find((s) => s.name === 'other')).toMatchObject({
      droppedEvents: 480,
      lastSuccessAt: new Date(clock).toISOString(),
    });
    expect(posted).toHaveLength(20);
    // An hour later the check may store events again.
    clock += HOUR + 1;
    expect(await (await ping('other', OTHER_TOKEN)).json()).toEqual({ ok: true, stored: true });
  });
});
