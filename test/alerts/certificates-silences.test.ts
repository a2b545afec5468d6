import { afterEach, describe, expect, it } from 'vitest';
import type { RepositoryStatus } from '../../src/core/ports/backups.js';
import type { CertificateReport } from '../../src/core/ports/probes.js';
import { alertHarness, hostReport } from './harness.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

let harness: Awaited<ReturnType<typeof alertHarness>>;
afterEach(() => harness?.close());

function certificate(at: Date, daysLeft: number, fingerprint: string): CertificateReport {
  const notAfter = new Date(at.getTime() + daysLeft * DAY + HOUR).toISOString();
  return {
    target: 'https://epicerieledetour.org',
    takenAt: at.toISOString(),
    rank: daysLeft < 21 ? 'warn' : 'ok',
    result: {
      ok: true,
      sample: {
        source: 'server',
        subject: 'CN=epicerieledetour.org',
        issuer: "C=US, O=Let's Encrypt, CN=R11",
        subjectAltName: 'DNS:epicerieledetour.org',
        serialNumber: '01',
        fingerprint256: fingerprint,
        notBefore: '2026-10-01T00:00:00.000Z',
        notAfter,
        daysLeft,
        chain: { valid: true, error: null },
        servername: 'epicerieledetour.org',
      },
    },
  };
}

describe('certificates', () => {
  it('post once per threshold crossed (21, 7, 1 days), never remind, and start over on a new fingerprint', async () => {
    harness = await alertHarness({ certificates: [{ url: 'https://epicerieledetour.org' }] });
    const engine = harness.engine();
    const daily = (days: number, fingerprint = 'AA:01') => {
      const at = harness.tick(DAY);
      engine.observeCertificates([certificate(at, days, fingerprint)], at);
      return harness.titles();
    };
    const said: Record<number, string[]> = {};
    for (let days = 30; days >= -1; days--) said[days] = daily(days);
    const spoken = Object.entries(said)
      .filter(([, titles]) => titles.length > 0)
      .map(([days, titles]) => [Number(days), titles.length]);
    expect(spoken.sort((a, b) => (b[0] ?? 0) - (a[0] ?? 0))).toEqual([
      [21, 1],
      [7, 1],
      [1, 1],
      [-1, 1],
    ]);
    expect(said[21]?.[0]).toMatch(
      /^WARN certificate epicerieledetour\.org expires in 21 days \(\d{4}-\d\d-\d\d \d\d:\d\d\) since/,
    );
    expect(said[7]?.[0]).toMatch(
      /^CRIT certificate epicerieledetour\.org expires in 7 days .* \(firing since 2026-12-17 09:00\)$/,
    );
    expect(said[1]?.[0]).toMatch(/^CRIT certificate epicerieledetour\.org expires in 1 day/);
    expect(said[-1]?.[0]).toMatch(/^CRIT certificate epicerieledetour\.org has expired/);

    // Renewed: the old alert resolves; the new certificate is watched from scratch.
    expect(daily(89, 'BB:02')).toEqual([
      expect.stringMatching(/^RESOLVED certificate epicerieledetour\.org expires in 89 days .*\(lasted 23 d 0 h\)$/),
    ]);
    for (let days = 88; days > 21; days--) expect(daily(days, 'BB:02')).toEqual([]);
    expect(daily(21, 'BB:02')).toEqual([
      expect.stringMatching(/^WARN certificate epicerieledetour\.org expires in 21 days/),
    ]);
    // Renewed while still inside a threshold (a short-lived certificate): resolved, then its own stage.
    expect(daily(5, 'CC:03')).toEqual([
      expect.stringMatching(/^RESOLVED certificate epicerieledetour\.org expires in 5 days/),
      expect.stringMatching(/^CRIT certificate epicerieledetour\.org expires in 5 days/),
    ]);
    const kinds = engine.eventsSince('2026-01-01T00:00:00Z').map((e) => `${e.event}:${e.severity ?? ''}`);
    expect(kinds).toEqual(['fired:warn', 'resolved:', 'fired:warn', 'resolved:', 'fired:crit']);
  });
});

describe('backups', () => {
  const status = (marker: RepositoryStatus['marker'], detail?: string): RepositoryStatus => ({
    name: 'b7-borg',
    type: 'borg',
    maxAgeMs: 26 * HOUR,
    marker,
    latest: {
      repo: 'ssh://borg@10.8.0.7/srv/borg/vps2',
      type: 'borg',
      observedAt: harness.now().toISOString(),
      outcome: detail ? 'wrong_passphrase' : 'ok',
      ...(detail ? { detail } : {}),
      lastArchiveAt: '2026-12-06T02:00:00.000Z',
      durationMs: 100,
    },
  });

  it('fire at once when overdue, escalate when failed, ignore a locked repository, resolve when OK', async () => {
    harness = await alertHarness({ backups: [{ name: 'b7-borg', type: 'borg', repo: '/srv/borg', passphrase: 'x' }] });
    const engine = harness.engine();
    let at = harness.set('2026-12-07T06:00:00Z');
    engine.observeBackups([status('LATE')], at);
    expect(harness.titles()).toEqual([
      'WARN backup b7-borg is overdue: last archive 2026-12-06 03:00 (28 h ago), max age 26 h since 07:00',
    ]);
    at = harness.tick(HOUR);
    engine.observeBackups([status('FAILED', 'wrong passphrase')], at);
    expect(harness.titles()).toEqual(['CRIT backup b7-borg cannot be read: wrong passphrase (firing since 07:00)']);
    at = harness.tick(HOUR);
    engine.observeBackups([status('LOCKED')], at);
    expect(harness.titles()).toEqual([]);
    expect(engine.active().map((a) => [a.key, a.severity])).toEqual([['backup:b7-borg', 'crit']]);
    at = harness.tick(HOUR);
    engine.observeBackups([status('OK')], at);
    expect(harness.titles()).toEqual(['RESOLVED backup b7-borg is up to date (lasted 3 h 00 min)']);
  });

  it('resolve the alert of a repository removed from the configuration', async () => {
    harness = await alertHarness({ backups: [{ name: 'b7-borg', type: 'borg', repo: '/srv/borg', passphrase: 'x' }] });
    const engine = harness.engine();
    let at = harness.set('2026-12-07T06:00:00Z');
    engine.observeBackups([status('LATE')], at);
    expect(harness.titles()).toHaveLength(1);
    harness.config.backups.length = 0;
    at = harness.tick(HOUR);
    engine.observeBackups([], at);
    expect(harness.titles()).toEqual(['RESOLVED backup:b7-borg is no longer in the configuration (lasted 1 h 00 min)']);
  });

  it('take push checks: overdue fires at once as check:<name>, a ping in time resolves, a removed check goes', async () => {
    harness = await alertHarness();
    const engine = harness.engine();
    let at = harness.set('2026-12-07T06:00:00Z');
    const late = {
      key: 'check:nightly',
      name: 'nightly',
      reason: 'late' as const,
      lastSuccessAt: '2026-12-05T23:00:00.000Z',
      dueSince: '2026-12-07T01:00:00.000Z',
    };
    engine.observeChecks(['nightly', 'weekly'], [late], at);
    expect(harness.titles()).toEqual([
      'WARN backup check nightly is overdue: last success 2026-12-06 00:00 (31 h ago) since 07:00',
    ]);
    expect(engine.active().map((a) => a.key)).toEqual(['check:nightly']);
    at = harness.tick(HOUR);
    engine.observeChecks(['nightly', 'weekly'], [late], at);
    expect(harness.titles()).toEqual([]);
    at = harness.tick(HOUR);
    engine.observeChecks(['nightly', 'weekly'], [], at);
    expect(harness.titles()).toEqual(['RESOLVED backup check nightly reported in time (lasted 2 h 00 min)']);
    at = harness.tick(HOUR);
    engine.observeChecks(
      ['weekly'],
      [{ ...late, key: 'check:weekly', name: 'weekly', reason: 'never', lastSuccessAt: undefined }],
      at,
    );
    expect(harness.titles()).toEqual(['WARN backup check weekly is overdue: no success reported yet since 10:00']);
    at = harness.tick(HOUR);
    engine.observeChecks([], [], at);
    expect(harness.titles()).toEqual([expect.stringMatching(/^RESOLVED check:weekly /)]);
  });
});

describe('silences', () => {
  const diskRound = (engine: ReturnType<typeof harness.engine>, percent: number) => {
    const at = harness.tick(5 * MIN);
    engine.observeHosts([hostReport('b7-srv', at, { mounts: { '/srv': percent } })], at);
  };

  it('hold back escalations and reminders, then post the resolution once the silence ends', async () => {
    harness = await alertHarness();
    const engine = harness.engine();
    diskRound(engine, 85);
    diskRound(engine, 85);
    expect(harness.titles()).toHaveLength(1);
    const result = engine.silence('disk:b7-srv:/srv', 8 * HOUR, 'alice@epicerieledetour.org');
    expect(result).toEqual({ ok: true, key: 'disk:b7-srv:/srv', until: '2026-12-07T16:10:00.000Z' });
    expect(engine.active()[0]?.silencedUntil).toBe('2026-12-07T16:10:00.000Z');
    diskRound(engine, 95);
    for (let i = 0; i < 12 * 7; i++) diskRound(engine, 95); // seven hours: a reminder would be due
    diskRound(engine, 50);
    expect(harness.titles()).toEqual([]);
    // Recorded at once, for the digest.
    expect(engine.eventsSince('2026-12-07T00:00:00Z').map((e) => e.event)).toEqual(['fired', 'silenced', 'resolved']);
    expect(engine.active()).toEqual([]);
    for (let i = 0; i < 9; i++) diskRound(engine, 50);
    expect(harness.titles()).toEqual([]);
    diskRound(engine, 50); // 16:10 UTC: the silence is over
    expect(harness.titles()).toEqual(['RESOLVED at 16:20 b7-srv /srv at 50 % (warn 80 %) (lasted 7 h 15 min)']);
    diskRound(engine, 50);
    expect(harness.titles()).toEqual([]);
    expect(harness.db().prepare('SELECT count(*) AS n FROM alert_state').get()).toEqual({ n: 0 });
  });

  it('post nothing for an alert that fired and resolved during the silence', async () => {
    harness = await alertHarness();
    const engine = harness.engine();
    expect(engine.silence('memory:b7-srv', 2 * HOUR, 'alice@epicerieledetour.org')).toMatchObject({ ok: true });
    diskRound(engine, 85);
    diskRound(engine, 85);
    diskRound(engine, 40);
    for (let i = 0; i < 30; i++) diskRound(engine, 40);
    // memory:b7-srv was silenced (known from the config), the disk was not.
    expect(harness.titles()).toEqual([
      'WARN b7-srv /srv at 85 % (warn 80 %) since 09:05',
      'RESOLVED b7-srv /srv at 40 % (warn 80 %) (lasted 10 min)',
    ]);
    engine.silence('disk:b7-srv:/srv', HOUR, 'alice@epicerieledetour.org');
    diskRound(engine, 85);
    diskRound(engine, 85);
    diskRound(engine, 40);
    for (let i = 0; i < 12; i++) diskRound(engine, 40);
    expect(harness.titles()).toEqual([]);
    expect(engine.eventsSince(harness.now().toISOString().slice(0, 10)).map((e) => e.event)).toEqual([
      'silenced',
      'fired',
      'resolved',
      'silenced',
      'fired',
      'resolved',
    ]);
  });

  it('announce an alert still firing when its silence ends, after a restart too', async () => {
    harness = await alertHarness();
    let engine = harness.engine();
    const round = (disk: number, memory: number) => {
      const at = harness.tick(5 * MIN);
      engine.observeHosts([hostReport('b7-srv', at, { mounts: { '/srv': disk }, memory })], at);
    };
    // memory:b7-srv is known from the configuration: it can be silenced before it ever fires.
    expect(engine.silence('memory:b7-srv', HOUR, 'alice@epicerieledetour.org')).toMatchObject({ ok: true });
    round(85, 96);
    round(85, 96);
    expect(harness.titles()).toEqual(['WARN b7-srv /srv at 85 % (warn 80 %) since 09:05']);
    expect(engine.silence('disk:b7-srv:/srv', HOUR, 'alice@epicerieledetour.org')).toMatchObject({ ok: true });
    // Unknown keys are refused with the closest known ones; too long a silence too.
    expect(engine.silence('disk:b7-srv:/sr', HOUR, 'alice')).toEqual({
      ok: false,
      reason: 'unknown_key',
      suggestions: ['disk:b7-srv:/srv'],
    });
    expect(engine.silence('b7-srv', HOUR, 'alice')).toMatchObject({
      ok: false,
      suggestions: ['disk:b7-srv:/srv', 'load:b7-srv', 'memory:b7-srv'],
    });
    expect(engine.silence('memory:b7-srv', 31 * DAY, 'alice')).toEqual({
      ok: false,
      reason: 'too_long',
      maxMs: 30 * DAY,
    });
    for (let i = 0; i < 5; i++) round(85, 96);
    harness.db().close();
    engine = harness.engine();
    for (let i = 0; i < 5; i++) round(85, 96);
    expect(harness.titles()).toEqual(['CRIT b7-srv memory at 96 % (crit 95 %) since 09:05']);
    for (let i = 0; i < 2; i++) round(85, 96);
    expect(harness.titles()).toEqual(['still WARN: b7-srv /srv at 85 % (warn 80 %) (for 1 h 05 min)']);
    for (let i = 0; i < 5; i++) round(85, 96);
    expect(harness.titles()).toEqual([]);
  });
});
