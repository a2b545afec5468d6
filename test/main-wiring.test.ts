import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChatMessage } from '../src/chat/message.js';
import { silentLogger } from '../src/core/logger.js';
import { type App, buildApp, lazyExecaRunner } from '../src/main.js';
import { testConfig } from './support/app.js';

/*
 * The composition root's wiring of the scheduled jobs (what `detour serve` runs): the backup
 * check feeds the alert engine the repositories and the overdue push checks, the probes feed it
 * host reports, and everything posted goes through the one `post` given to buildApp.
 */
const HOUR = 3_600_000;
let dir: string;
let app: App | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
  await rm(dir, { recursive: true, force: true });
});

async function wiredApp(clock: { now: Date }, options: { oneShot?: boolean } = {}) {
  dir = await mkdtemp(join(tmpdir(), 'detour-wiring-'));
  const posted: { channel: string; message: ChatMessage }[] = [];
  const config = testConfig(
    {
      database: join(dir, 'detour.db'),
      channels: { infra: '#infra', backups: '#backups' },
      checks: { nightly: { token: 'nightly-token-0123456789', period: '1h', grace: '1h' } },
      chat: {
        slack: { mode: 'socket', botToken: 'xoxb-1', appToken: 'xapp-1' },
        mattermost: { url: 'http://127.0.0.1:9', botToken: 'mm-bot', commandToken: 'mm-cmd', team: 'detour' },
      },
    },
    dir,
  );
  app = buildApp({
    config,
    logger: silentLogger,
    run: lazyExecaRunner,
    refresh: 'before-answer',
    now: () => clock.now,
    // `detour serve` gives its queue; a one-shot process (`detour job run`) gives nothing.
    ...(options.oneShot ? {} : { post: (channel: string, message: ChatMessage) => posted.push({ channel, message }) }),
  });
  return { app, posted };
}

describe('the scheduled jobs, as buildApp wires them', () => {
  it('raise an overdue push check after a backup check, and resolve it once the check reports', async () => {
    const clock = { now: new Date('2026-12-07T08:00:00Z') };
    const { app, posted } = await wiredApp(clock);
    const check = () => app.jobHooks.afterBackupCheck?.([], new AbortController().signal);
    await check();
    expect(posted).toEqual([]);
    clock.now = new Date(clock.now.getTime() + 3 * HOUR);
    await check();
    expect(posted.map((p) => [p.channel, p.message.title ?? p.message.body])).toEqual([
      ['infra', expect.stringMatching(/^WARN backup check nightly is overdue: no success reported yet/)],
    ]);
    expect(app.alerts.active().map((a) => a.key)).toEqual(['check:nightly']);
    app.checks.ping('nightly', 'success', '');
    await check();
    expect(posted.at(-1)?.message.title ?? posted.at(-1)?.message.body).toMatch(
      /^RESOLVED backup check nightly reported in time/,
    );
    expect(app.alerts.active()).toEqual([]);
  });

  it('in a one-shot process, leave the messages in the outbox for the serving bot, once per platform', async () => {
    const clock = { now: new Date('2026-12-07T08:00:00Z') };
    const { app } = await wiredApp(clock, { oneShot: true });
    await app.jobHooks.afterBackupCheck?.([], new AbortController().signal);
    clock.now = new Date(clock.now.getTime() + 3 * HOUR);
    await app.jobHooks.afterBackupCheck?.([], new AbortController().signal);
    const queued = app.db.prepare('SELECT platform, channel, message FROM outbox ORDER BY id').all() as {
      platform: string;
      channel: string;
      message: string;
    }[];
    expect(queued.map((q) => [q.platform, q.channel])).toEqual([
      ['slack', 'infra'],
      ['mattermost', 'infra'],
    ]);
    expect(JSON.parse(queued[0]?.message ?? '{}').title).toMatch(/^WARN backup check nightly is overdue/);
  });
});
