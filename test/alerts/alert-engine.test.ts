import { afterEach, describe, expect, it } from 'vitest';
import { alertHarness, hostReport } from './harness.js';

const MIN = 60_000;
const HOUR = 60 * MIN;

let harness: Awaited<ReturnType<typeof alertHarness>>;
afterEach(() => harness?.close());

/** One probe round of b7-srv with /srv at `percent`, five minutes after the previous one. */
function diskRound(engine: ReturnType<typeof harness.engine>, percent: number, step = 5 * MIN) {
  const at = harness.tick(step);
  return engine.observeHosts([hostReport('b7-srv', at, { mounts: { '/': 40, '/srv': percent } })], at);
}

describe('disk alerts', () => {
  it('fire once after two breaching samples, escalate to crit once, and stay quiet meanwhile', async () => {
    harness = await alertHarness();
    const engine = harness.engine();
    for (const p of [70, 78, 82]) diskRound(engine, p);
    expect(harness.titles()).toEqual([]);
    diskRound(engine, 85);
    expect(harness.titles()).toEqual(['WARN b7-srv /srv at 85 % (warn 80 %) since 09:15']);
    expect(harness.posted.at(-1)).toMatchObject({
      channel: 'infra',
      message: { body: 'key: disk:b7-srv:/srv\nto silence it: /detour alerts silence disk:b7-srv:/srv 2h' },
    });
    for (const p of [86, 88]) diskRound(engine, p);
    expect(harness.titles()).toEqual([]);
    diskRound(engine, 92);
    expect(harness.titles()).toEqual(['CRIT b7-srv /srv at 92 % (crit 90 %) (firing since 09:15)']);
    // Back under crit by less than the margin, then over again: nothing new.
    for (const p of [87, 93, 86, 91]) diskRound(engine, p);
    expect(harness.titles()).toEqual([]);
    expect(engine.active()).toEqual([
      {
        key: 'disk:b7-srv:/srv',
        kind: 'disk',
        severity: 'crit',
        summary: 'b7-srv /srv at 91 % (crit 90 %)',
        firedAt: '2026-12-07T08:20:00.000Z',
        value: 91,
      },
    ]);
  });

  it('do not flap around the threshold: a pending count resets, a firing alert holds until below the margin', async () => {
    harness = await alertHarness();
    const engine = harness.engine();
    for (const p of [81, 79, 81, 79, 81, 79]) diskRound(engine, p);
    expect(harness.titles()).toEqual([]);
    for (const p of [81, 81]) diskRound(engine, p);
    expect(harness.titles()).toHaveLength(1);
    for (const p of [79, 81, 76, 82, 75, 80, 77]) diskRound(engine, p);
    expect(harness.titles()).toEqual([]);
    expect(engine.active().map((a) => a.severity)).toEqual(['warn']);
    diskRound(engine, 74);
    expect(harness.titles()).toEqual(['RESOLVED b7-srv /srv at 74 % (warn 80 %) (lasted 45 min)']);
    expect(engine.active()).toEqual([]);
    const events = engine.eventsSince('2026-12-07T00:00:00Z');
    expect(events.map((e) => [e.event, e.key, e.durationMs])).toEqual([
      ['fired', 'disk:b7-srv:/srv', undefined],
      ['resolved', 'disk:b7-srv:/srv', 45 * MIN],
    ]);
    // Nothing is left in the state table once resolved and said.
    expect(harness.db().prepare('SELECT count(*) AS n FROM alert_state').get()).toEqual({ n: 0 });
  });

  it('remind at the configured interval while firing', async () => {
    harness = await alertHarness({ alerts: { remindEvery: '6h' } });
    const engine = harness.engine();
    diskRound(engine, 85);
    diskRound(engine, 85);
    harness.titles();
    for (let i = 0; i < 12 * 13; i++) diskRound(engine, 85);
    expect(harness.titles()).toEqual([
      'still WARN: b7-srv /srv at 85 % (warn 80 %) (for 6 h 05 min)',
      'still WARN: b7-srv /srv at 85 % (warn 80 %) (for 12 h 05 min)',
    ]);
  });

  it('resolve a mount that is no longer listed, and keep alerts of a host that did not answer', async () => {
    harness = await alertHarness();
    const engine = harness.engine();
    diskRound(engine, 95);
    diskRound(engine, 95);
    harness.titles();
    // The host is down for two rounds: the disk alert stays, the host alert fires.
    for (let i = 0; i < 2; i++) {
      const at = harness.tick(5 * MIN);
      engine.observeHosts([hostReport('b7-srv', at, { down: 'ssh: connect ECONNREFUSED' })], at);
    }
    expect(harness.titles()).toEqual(['CRIT b7-srv unreachable: ssh: connect ECONNREFUSED since 09:15']);
    expect(engine.active().map((a) => a.key)).toEqual(['disk:b7-srv:/srv', 'unreachable:b7-srv']);
    const at = harness.tick(5 * MIN);
    engine.observeHosts([hostReport('b7-srv', at, { mounts: { '/': 40 } })], at);
    expect(harness.titles().sort()).toEqual([
      'RESOLVED b7-srv /srv is no longer mounted (lasted 20 min)',
      'RESOLVED b7-srv answers again (lasted 10 min)',
    ]);
  });

  it('watch memory, load per core and failed units, each under its own key', async () => {
    harness = await alertHarness({ alerts: { samplesToFire: 1 } });
    const engine = harness.engine();
    let at = harness.tick(MIN);
    engine.observeHosts([hostReport('b7-srv', at, { memory: 96, load: 2.5, failed: ['nginx.service'] })], at);
    expect(harness.titles().sort()).toEqual([
      'CRIT b7-srv memory at 96 % (crit 95 %) since 09:01',
      'WARN b7-srv load at 2.5 per core (warn 2) since 09:01',
      'WARN b7-srv: nginx.service failed since 09:01',
    ]);
    at = harness.tick(MIN);
    engine.observeHosts([hostReport('b7-srv', at, { memory: 50, load: 1.8, failed: [] })], at);
    expect(harness.titles().sort()).toEqual([
      'RESOLVED b7-srv memory at 50 % (warn 90 %) (lasted 1 min)',
      'RESOLVED b7-srv: nginx.service no longer failed (lasted 1 min)',
    ]);
    // 1.8 is within the load margin (0.25) of 2: still firing.
    expect(engine.active().map((a) => a.key)).toEqual(['load:b7-srv']);
  });
});

describe('entries removed from the configuration', () => {
  it('resolve, since nothing will observe them again', async () => {
    harness = await alertHarness({
      unlock: {
        dataproxies: { host: 'b7-srv', device: '/dev/sdb1', mapper: 'dataproxies', mount: '/srv/dataproxies' },
      },
    });
    const engine = harness.engine();
    let at = harness.tick(MIN);
    engine.observeHosts(
      [hostReport('old-srv', at, { mounts: { '/srv': 99 }, luks: [{ name: 'oldvol', open: false }] })],
      at,
    );
    at = harness.tick(MIN);
    engine.observeHosts(
      [hostReport('old-srv', at, { mounts: { '/srv': 99 }, luks: [{ name: 'oldvol', open: false }] })],
      at,
    );
    // Both crit; the locked one fired first (at once), the disk one on its second sample.
    expect(engine.active().map((a) => a.key)).toEqual(['locked:oldvol', 'disk:old-srv:/srv']);
    harness.titles();
    at = harness.tick(MIN);
    // b7-srv's own target is not in this round (the host did not report it): it is kept.
    engine.observeConditions(
      [{ key: 'locked:dataproxies', kind: 'locked', severity: 'crit', immediate: true, summary: 'x' }],
      at,
    );
    at = harness.tick(MIN);
    engine.observeHosts([hostReport('b7-srv', at)], at);
    expect(harness.titles().sort()).toEqual([
      'CRIT x since 09:03',
      'RESOLVED disk:old-srv:/srv is no longer in the configuration (lasted 3 min)',
      'RESOLVED locked:oldvol is no longer in the configuration (lasted 3 min)',
    ]);
    expect(engine.active().map((a) => a.key)).toEqual(['locked:dataproxies']);
  });
});

describe('inodes, channel and French', () => {
  it('watch inodes against the disk levels when they have none, post to the configured channel, in French', async () => {
    harness = await alertHarness({ locale: 'fr', alerts: { channel: 'alertes', samplesToFire: 1 } });
    const engine = harness.engine();
    const report = (inodes: number) => {
      const at = harness.tick(65 * MIN);
      const r = hostReport('b7-srv', at, { mounts: { '/var': 50 } });
      if (r.disk.ok) {
        const m = r.disk.sample.mounts[0];
        if (m?.inodes) m.inodes.usedPercent = inodes;
      }
      engine.observeHosts([r], at);
    };
    report(93);
    report(40);
    expect(harness.posted.map((p) => [p.channel, p.message.title])).toEqual([
      ['alertes', 'CRITIQUE b7-srv /var : inodes à 93 % (critique 90 %) depuis 10:05'],
      ['alertes', 'RÉSOLU b7-srv /var : inodes à 40 % (attention 80 %) (a duré 1 h 05 min)'],
    ]);
  });
});

describe('a restart', () => {
  it('neither forgets nor repeats an alert, and still posts its resolution', async () => {
    harness = await alertHarness();
    const first = harness.engine();
    diskRound(first, 85);
    diskRound(first, 86);
    expect(harness.titles()).toHaveLength(1);
    harness.db().close();

    const second = harness.engine();
    expect(second.active().map((a) => a.key)).toEqual(['disk:b7-srv:/srv']);
    for (let i = 0; i < 5; i++) diskRound(second, 87);
    expect(harness.titles()).toEqual([]);
    diskRound(second, 60);
    expect(harness.titles()).toEqual(['RESOLVED b7-srv /srv at 60 % (warn 80 %) (lasted 35 min)']);
  });

  it('keeps counting breaching samples across it', async () => {
    harness = await alertHarness();
    diskRound(harness.engine(), 85);
    harness.db().close();
    diskRound(harness.engine(), 85);
    expect(harness.titles()).toEqual(['WARN b7-srv /srv at 85 % (warn 80 %) since 09:05']);
  });
});

describe('locked partitions', () => {
  it('fire at once after a reboot left the target locked, with the unlock command, and resolve once unlocked', async () => {
    harness = await alertHarness({
      unlock: {
        dataproxies: { host: 'b7-srv', device: '/dev/sdb1', mapper: 'dataproxies', mount: '/srv/dataproxies' },
      },
    });
    const engine = harness.engine();
    let at = harness.set('2026-12-07T05:12:00Z');
    engine.observeHosts([hostReport('b7-srv', at, { luks: [{ open: false, mounted: false, mountSource: null }] })], at);
    expect(harness.titles()).toEqual([
      'CRIT dataproxies is locked on b7-srv since 06:12 — run `/detour unlock dataproxies`',
    ]);
    at = harness.tick(2 * HOUR);
    engine.observeHosts([hostReport('b7-srv', at, { luks: [{}] })], at);
    expect(harness.titles()).toEqual(['RESOLVED dataproxies is unlocked and mounted on b7-srv (lasted 2 h 00 min)']);
  });

  it('speak French when the locale is fr, and say when it is open but not mounted', async () => {
    harness = await alertHarness({
      locale: 'fr',
      unlock: {
        dataproxies: { host: 'b7-srv', device: '/dev/sdb1', mapper: 'dataproxies', mount: '/srv/dataproxies' },
      },
    });
    const engine = harness.engine();
    const at = harness.set('2026-12-07T05:12:00Z');
    engine.observeHosts([hostReport('b7-srv', at, { luks: [{ open: true, mounted: false }] })], at);
    expect(harness.titles()).toEqual([
      "CRITIQUE dataproxies est ouverte sur b7-srv mais /srv/dataproxies n'est pas montée depuis 06:12 — lancez `/detour unlock dataproxies`",
    ]);
    expect(harness.posted[0]?.message.body).toBe(
      'clé : locked:dataproxies\npour la faire taire : /detour alerts silence locked:dataproxies 2h',
    );
  });
});
