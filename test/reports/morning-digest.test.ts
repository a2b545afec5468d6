import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMorningDigest } from '../../reports/morning-digest.js';
import { BackupStatusService } from '../../src/backups/backup-service.js';
import type { Config } from '../../src/config/schema.js';
import type { Locale } from '../../src/core/i18n.js';
import { silentLogger } from '../../src/core/logger.js';
import type { ActiveAlert, AlertEvent, AlertService } from '../../src/core/ports/alerts.js';
import type { BackupObservation } from '../../src/core/ports/backups.js';
import type { DigestService } from '../../src/core/ports/digest.js';
import type { ProbeService } from '../../src/core/ports/probes.js';
import { createDigestService, defaultDigestSince } from '../../src/digest/digest-service.js';
import { HostRegistry } from '../../src/hosts/host-registry.js';
import { createProbeService } from '../../src/probes/probe-service.js';
import { execaRunner } from '../../src/runners/execa-runner.js';
import type { ProcessRunner } from '../../src/runners/process.js';
import { AuditStore } from '../../src/store/audit-store.js';
import { type Db, openDatabase } from '../../src/store/database.js';
import { ObservationStore } from '../../src/store/observation-store.js';
import { SampleStore } from '../../src/store/sample-store.js';
import { makeTempDir, removeDir } from '../probes/helpers.js';
import { TestCa } from '../probes/test-ca.js';
import { testConfig } from '../support/app.js';

/**
 * TEST DOUBLE of the alerts port (src/core/ports/alerts.ts): the alert engine
 * is built on another branch. It keeps what the test gives it and answers as
 * the port says (events at or after `since`, oldest first). Everything else
 * in this file is real: SQLite file, stores, backup and probe services.
 */
class InMemoryAlerts implements AlertService {
  constructor(
    readonly alerts: ActiveAlert[],
    readonly events: AlertEvent[],
  ) {}
  active(): ActiveAlert[] {
    return this.alerts;
  }
  eventsSince(since: string): AlertEvent[] {
    return this.events.filter((e) => e.at >= since).sort((a, b) => a.at.localeCompare(b.at));
  }
  silence(): never {
    throw new Error('not used by the digest');
  }
}

const TIME_ZONE = 'Europe/Paris';
// Monday 7 December 2026, 09:00 in Paris: the scheduled digest's time.
const MONDAY = new Date('2026-12-07T08:00:00Z');
const clock = { now: MONDAY };
const now = (): Date => clock.now;
const at = (iso: string): Date => {
  clock.now = new Date(iso);
  return clock.now;
};

let dir = '';
let ca: TestCa;
const registries: HostRegistry[] = [];
const started: string[] = [];
// Every observation in this file is fresh: a process started here would be a bug.
const noProcess: ProcessRunner = async (request) => {
  started.push(request.file);
  throw new Error(`no process expected, got ${request.file}`);
};

interface World {
  db: Db;
  config: Config;
  audit: AuditStore;
  observations: ObservationStore;
  probes: ProbeService;
  digest(locale: Locale, alerts?: AlertService): DigestService;
}

/** A SQLite file with the real migrations, the real stores and services over it. */
async function world(raw: Record<string, unknown>, name: string): Promise<World> {
  const db = openDatabase(join(dir, `${name}.db`));
  const config = testConfig({ timezone: TIME_ZONE, hosts: { local: { local: true } }, ...raw }, dir);
  const hosts = new HostRegistry(config, execaRunner);
  registries.push(hosts);
  const audit = new AuditStore(db, now);
  const observations = new ObservationStore(db);
  const probes = createProbeService({ config, hosts, store: new SampleStore(db), now, logger: silentLogger });
  const backups = new BackupStatusService({
    backups: config.backups,
    refreshAfterMs: 3_600_000,
    defaultTimeoutMs: 10_000,
    store: observations,
    run: noProcess,
    now,
    logger: silentLogger,
    refresh: 'background',
  });
  const digest = (locale: Locale, alerts?: AlertService) =>
    createDigestService({ locale, timeZone: TIME_ZONE, now, backups, probes, audit, alerts });
  return { db, config, audit, observations, probes, digest };
}

const observation = (repo: string, o: Partial<BackupObservation>): BackupObservation => ({
  repo,
  type: repo.includes('restic') ? 'restic' : 'borg',
  observedAt: '2026-12-07T07:30:00.000Z',
  outcome: 'ok',
  durationMs: 800,
  ...o,
});

const backups = [
  { name: 'b7-borg', type: 'borg', repo: '/srv/borg/b7', passphrase: 'x' },
  { name: 'vps2-restic', type: 'restic', repo: '/srv/restic/vps2', passphrase: 'x' },
  { name: 'pi-borg', type: 'borg', repo: '/srv/borg/pi', passphrase: 'x' },
];

const alerts = () =>
  new InMemoryAlerts(
    [
      {
        key: 'disk:b7-srv:/srv',
        kind: 'disk',
        severity: 'crit',
        summary: 'b7-srv /srv at 91 % (crit 90 %)',
        firedAt: '2026-12-06T02:12:00.000Z',
        value: 91,
      },
      {
        key: 'load:pi',
        kind: 'load',
        severity: 'warn',
        summary: 'pi load 1.20 per core (warn 1.00)',
        firedAt: '2026-12-07T06:00:00.000Z',
        silencedUntil: '2026-12-07T12:00:00.000Z',
      },
    ],
    [
      { key: 'memory:pi', kind: 'memory', event: 'fired', at: '2026-12-03T10:00:00.000Z', summary: 'before since' },
      { key: 'memory:pi', kind: 'memory', event: 'fired', at: '2026-12-05T10:00:00.000Z', summary: 'pi memory 93 %' },
      {
        key: 'memory:pi',
        kind: 'memory',
        event: 'resolved',
        at: '2026-12-05T12:00:00.000Z',
        summary: 'pi memory 60 %',
        durationMs: 7_200_000,
      },
      {
        key: 'disk:b7-srv:/srv',
        kind: 'disk',
        event: 'fired',
        at: '2026-12-06T02:12:00.000Z',
        summary: 'b7-srv /srv at 91 %',
      },
      {
        key: 'load:pi',
        kind: 'load',
        event: 'silenced',
        at: '2026-12-07T06:30:00.000Z',
        summary: 'pi load 1.20 per core',
        by: 'alice@epicerieledetour.org',
      },
    ],
  );

const ALICE = 'alice@epicerieledetour.org';
const BOB = 'bob@epicerieledetour.org';
const LONG = 'ansible run site --tags nginx,wordpress,letsencrypt --limit b7-srv --check';

/** Audit rows written the way the pipeline writes them, at the given times. */
function fillAudit(audit: AuditStore): void {
  const run = (when: string, actor: string, text: string, status: 'ok' | 'failed' = 'ok') => {
    at(when);
    const id = audit.start({ actor, platform: 'slack', command: text.split(' ').slice(0, 2).join(' '), text });
    audit.finish(id, status);
  };
  const refused = (when: string, actor: string, text: string, status: 'denied' | 'usage' | 'confirm') => {
    at(when);
    audit.record({ actor, platform: 'slack', text }, status);
  };
  run('2026-12-03T10:00:00Z', ALICE, 'backup status'); // before the period
  run('2026-12-04T09:00:00Z', 'scheduler', 'probes');
  refused('2026-12-05T08:00:00Z', ALICE, 'backup run b7-borg', 'confirm');
  run('2026-12-05T08:01:00Z', ALICE, 'backup run b7-borg');
  run('2026-12-05T09:00:00Z', ALICE, 'backup status');
  run('2026-12-05T09:10:00Z', ALICE, 'backup status');
  run('2026-12-05T10:00:00Z', BOB, 'ansible run site --check', 'failed');
  run('2026-12-05T10:30:00Z', BOB, LONG);
  refused('2026-12-06T08:00:00Z', 'mallory@evil.example', 'backup run b7-borg', 'denied');
  refused('2026-12-06T08:05:00Z', BOB, 'backup lst', 'usage');
  run('2026-12-07T07:00:00Z', ALICE, 'unlock dataproxies');
  run('2026-12-07T07:59:00Z', BOB, 'digest');
}

let full: World;

beforeAll(async () => {
  dir = await makeTempDir('digest');
  ca = new TestCa(dir);
  await ca.init();
  // Issued and checked on Sunday: on Monday one has 12 days left, the other has just expired.
  const soon = await ca.issue('soon.example', new Date('2026-11-01T00:00:00Z'), new Date('2026-12-19T10:00:00Z'));
  const gone = await ca.issue('gone.example', new Date('2026-11-01T00:00:00Z'), new Date('2026-12-06T20:00:00Z'));
  const far = await ca.issue('far.example', new Date('2026-11-01T00:00:00Z'), new Date('2027-06-01T00:00:00Z'));
  await copyFile(soon.certPath, join(dir, 'soon.pem'));
  await copyFile(gone.certPath, join(dir, 'gone.pem'));
  await copyFile(far.certPath, join(dir, 'far.pem'));

  full = await world(
    {
      backups,
      certificates: [{ file: join(dir, 'soon.pem') }, { file: join(dir, 'far.pem') }, { file: join(dir, 'gone.pem') }],
      unlock: {
        dataproxies: { host: 'local', device: '/dev/null', mapper: 'detour-digest-test', mount: join(dir, 'mnt') },
      },
    },
    'full',
  );
  const o = full.observations;
  o.add(observation('b7-borg', { lastArchiveAt: '2026-12-07T01:14:00.000Z', archiveCount: 41 }));
  o.add(observation('vps2-restic', { lastArchiveAt: '2026-12-04T02:10:00.000Z', archiveCount: 12 }));
  o.add(observation('pi-borg', { observedAt: '2026-12-06T07:00:00.000Z', lastArchiveAt: '2026-12-06T02:00:00.000Z' }));
  o.add(observation('pi-borg', { outcome: 'wrong_passphrase', detail: 'wrong passphrase' }));
  fillAudit(full.audit);
  at('2026-12-06T08:00:00Z');
  const checked = await full.probes.checkCertificates(AbortSignal.timeout(10_000));
  expect(checked.map((c) => c.result.ok)).toEqual([true, true, true]);
  // The real LUKS probe of the local host: no such mapper, nothing mounted there.
  at('2026-12-07T07:55:00Z');
  await full.probes.probeHosts(['local'], AbortSignal.timeout(20_000));
  at(MONDAY.toISOString());
});

afterAll(async () => {
  await Promise.all(registries.map((r) => r.close()));
  await removeDir(dir);
});

/** The body cut into sections: heading -> its lines (without the two-space indent). */
function sections(body: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  let current: string[] = [];
  for (const line of body.split('\n')) {
    if (line.startsWith('  ')) {
      current.push(line.slice(2));
    } else {
      current = [];
      map.set(line, current);
    }
  }
  return map;
}

describe('morning digest, built from the real stores', () => {
  it('en: every section that has news, in order, aligned, since Friday 09:00 on a Monday', async () => {
    at(MONDAY.toISOString());
    const message = await full.digest('en', alerts()).digest();
    expect(message.title).toBe('Morning digest, Monday 7 December');
    const s = sections(message.body);
    expect([...s.keys()]).toEqual([
      'Backups',
      'Active alerts',
      'Alerts since 2026-12-04 09:00',
      'Commands since 2026-12-04 09:00',
      'Certificates expiring within 21 days',
      'Locked partitions',
    ]);
    expect(s.get('Backups')).toEqual([
      'OK      b7-borg      last 2026-12-07 02:14 (7 h ago)',
      'LATE    vps2-restic  last 2026-12-04 03:10 (3 d ago)   max age 26 h',
      'FAILED  pi-borg      last 2026-12-06 03:00 (30 h ago)  wrong passphrase',
    ]);
    expect(s.get('Active alerts')).toEqual([
      'CRIT  b7-srv /srv at 91 % (crit 90 %)    since 2026-12-06 03:12',
      'WARN  pi load 1.20 per core (warn 1.00)  since 2026-12-07 07:00  silenced until 2026-12-07 13:00',
    ]);
    expect(s.get('Alerts since 2026-12-04 09:00')).toEqual([
      '2026-12-05 11:00  fired     pi memory 93 %',
      '2026-12-05 13:00  resolved  pi memory 60 %         after 2 h',
      '2026-12-06 03:12  fired     b7-srv /srv at 91 %',
      '2026-12-07 07:30  silenced  pi load 1.20 per core  by alice@epicerieledetour.org',
    ]);
    expect(s.get('Commands since 2026-12-04 09:00')).toEqual([
      'alice@epicerieledetour.org  backup run b7-borg, backup status ×2, unlock dataproxies',
      'bob@epicerieledetour.org    ansible run site --check (failed), ansible run site --tags nginx,wordpress…',
      'refused: 1 denied, 1 malformed',
    ]);
    expect(s.get('Certificates expiring within 21 days')).toEqual([
      `${join(dir, 'gone.pem')}  EXPIRED       until 2026-12-06 21:00`,
      `${join(dir, 'soon.pem')}  12 days left  until 2026-12-19 11:00`,
    ]);
    expect(s.get('Locked partitions')).toEqual(['dataproxies on local  locked  seen 2026-12-07 08:55 (5 min ago)']);
    expect(message.body).not.toContain('Alerts: not available yet');
    expect(started).toEqual([]);
  });

  it('fr: the same sections in French', async () => {
    at(MONDAY.toISOString());
    const message = await full.digest('fr', alerts()).digest();
    expect(message.title).toBe('Point du matin, lundi 7 décembre');
    const s = sections(message.body);
    expect([...s.keys()]).toEqual([
      'Sauvegardes',
      'Alertes en cours',
      'Alertes depuis le 2026-12-04 09:00',
      'Commandes depuis le 2026-12-04 09:00',
      'Certificats qui expirent dans les 21 jours',
      'Partitions verrouillées',
    ]);
    expect(s.get('Sauvegardes')).toEqual([
      'OK      b7-borg      dernière 2026-12-07 02:14 (il y a 7 h)',
      'LATE    vps2-restic  dernière 2026-12-04 03:10 (il y a 3 j)   âge max 26 h',
      'FAILED  pi-borg      dernière 2026-12-06 03:00 (il y a 30 h)  wrong passphrase',
    ]);
    expect(s.get('Alertes en cours')).toEqual([
      'CRIT  b7-srv /srv at 91 % (crit 90 %)    depuis le 2026-12-06 03:12',
      "WARN  pi load 1.20 per core (warn 1.00)  depuis le 2026-12-07 07:00  en sourdine jusqu'au 2026-12-07 13:00",
    ]);
    expect(s.get('Alertes depuis le 2026-12-04 09:00')).toEqual([
      '2026-12-05 11:00  déclenchée   pi memory 93 %',
      '2026-12-05 13:00  résolue      pi memory 60 %         après 2 h',
      '2026-12-06 03:12  déclenchée   b7-srv /srv at 91 %',
      '2026-12-07 07:30  en sourdine  pi load 1.20 per core  par alice@epicerieledetour.org',
    ]);
    expect(s.get('Commandes depuis le 2026-12-04 09:00')).toEqual([
      'alice@epicerieledetour.org  backup run b7-borg, backup status ×2, unlock dataproxies',
      'bob@epicerieledetour.org    ansible run site --check (échec), ansible run site --tags nginx,wordpress…',
      'demandes refusées : 1 non autorisée, 1 mal formée',
    ]);
    expect(s.get('Certificats qui expirent dans les 21 jours')).toEqual([
      `${join(dir, 'gone.pem')}  EXPIRÉ             jusqu'au 2026-12-06 21:00`,
      `${join(dir, 'soon.pem')}  12 jours restants  jusqu'au 2026-12-19 11:00`,
    ]);
    expect(s.get('Partitions verrouillées')).toEqual([
      'dataproxies sur local  verrouillée  vu le 2026-12-07 08:55 (il y a 5 min)',
    ]);
  });

  it('covers only what happened since the given time', async () => {
    at(MONDAY.toISOString());
    const message = await full.digest('en', alerts()).digest({ since: '2026-12-06T00:00:00Z' });
    const s = sections(message.body);
    expect(s.get('Alerts since 2026-12-06 01:00')).toEqual([
      '2026-12-06 03:12  fired     b7-srv /srv at 91 %',
      '2026-12-07 07:30  silenced  pi load 1.20 per core  by alice@epicerieledetour.org',
    ]);
    expect(s.get('Commands since 2026-12-06 01:00')).toEqual([
      'alice@epicerieledetour.org  unlock dataproxies',
      'refused: 1 denied, 1 malformed',
    ]);
  });

  it('says once, at the end, that alerts are not available while the alerts port is not wired', async () => {
    at(MONDAY.toISOString());
    const en = await full.digest('en').digest();
    expect(en.body.split('\n').at(-1)).toBe('Alerts: not available yet.');
    expect(en.body).not.toContain('Active alerts');
    const fr = await full.digest('fr').digest();
    expect(fr.body.split('\n').at(-1)).toBe('Alertes : pas encore disponibles.');
  });

  it('says "nothing to report" in one line when backups are OK and nothing happened', async () => {
    const quiet = await world(
      { backups: [backups[0]!, backups[1]!], certificates: [{ file: join(dir, 'far.pem') }] },
      'quiet',
    );
    const fresh = { observedAt: '2026-12-08T07:30:00.000Z' };
    quiet.observations.add(observation('b7-borg', { ...fresh, lastArchiveAt: '2026-12-08T01:14:00.000Z' }));
    quiet.observations.add(observation('vps2-restic', { ...fresh, lastArchiveAt: '2026-12-08T02:00:00.000Z' }));
    // Not news: the scheduler's own runs, someone reading the digest.
    at('2026-12-06T09:00:00Z');
    quiet.audit.finish(quiet.audit.start({ actor: 'scheduler', platform: 'scheduler', text: 'probes' }), 'ok');
    quiet.audit.finish(quiet.audit.start({ actor: BOB, platform: 'slack', command: 'digest', text: 'digest' }), 'ok');
    at('2026-12-06T08:00:00Z');
    await quiet.probes.checkCertificates(AbortSignal.timeout(10_000));
    const calm = new InMemoryAlerts(
      [],
      [{ key: 'k', kind: 'disk', event: 'fired', at: '2026-12-01T00:00:00Z', summary: 'old' }],
    );
    at('2026-12-08T08:00:00Z'); // a Tuesday: the last 24 hours
    expect(await quiet.digest('en', calm).digest()).toEqual({
      body: 'Morning digest: nothing to report since 2026-12-07 09:00 (2 backups OK).',
    });
    expect(await quiet.digest('fr', calm).digest()).toEqual({
      body: 'Point du matin : rien à signaler depuis le 2026-12-07 09:00 (2 sauvegardes OK).',
    });
    expect((await quiet.digest('en').digest()).body).toBe(
      'Morning digest: nothing to report since 2026-12-07 09:00 (2 backups OK). Alerts: not available yet.',
    );
    expect(started).toEqual([]);
    quiet.db.close();
  });

  it('lists every backup as soon as one is not OK, even with no other news', async () => {
    const late = await world({ backups: [backups[0]!, backups[1]!] }, 'late');
    late.observations.add(observation('b7-borg', { lastArchiveAt: '2026-12-07T01:14:00.000Z' }));
    late.observations.add(
      observation('vps2-restic', { outcome: 'missing', detail: 'no repository at /srv/restic/vps2' }),
    );
    at(MONDAY.toISOString());
    const message = await late.digest('en', new InMemoryAlerts([], [])).digest();
    expect(message.body).toBe(
      [
        'Backups',
        '  OK      b7-borg      last 2026-12-07 02:14 (7 h ago)',
        '  FAILED  vps2-restic  no repository at /srv/restic/vps2',
      ].join('\n'),
    );
    late.db.close();
  });
});

describe('the pure builder', () => {
  it('says when the audit read hit its limit, so a busy night is not under-counted silently', () => {
    const row = (id: number) => ({
      id,
      startedAt: '2026-12-07T07:00:00.000Z',
      finishedAt: undefined,
      durationMs: undefined,
      actor: ALICE,
      platform: 'slack',
      command: 'probe',
      text: 'probe',
      status: 'ok' as const,
      detail: undefined,
    });
    const base = {
      timeZone: TIME_ZONE,
      now: MONDAY.toISOString(),
      since: '2026-12-06T08:00:00.000Z',
      backups: [],
      alerts: { active: [], events: [] },
      certificates: [],
      luks: [],
      auditLimit: 2,
    };
    const en = buildMorningDigest({ ...base, locale: 'en', audit: [row(2), row(1)] });
    expect(en.body).toBe(
      [
        'Commands since 2026-12-06 09:00',
        '  alice@epicerieledetour.org  probe ×2',
        '  (only the newest 2 audit entries were read; "audit" lists them all)',
      ].join('\n'),
    );
    const fr = buildMorningDigest({ ...base, locale: 'fr', audit: [row(1)] });
    expect(fr.body).not.toContain('seules');
    const denied = { ...row(3), actor: 'eve@example.com', status: 'denied' as const };
    const refusals = buildMorningDigest({
      ...base,
      auditLimit: 500,
      locale: 'fr',
      audit: [denied, { ...denied, id: 4 }],
    });
    expect(refusals.body.split('\n').at(-1)).toBe('  demandes refusées : 2 non autorisées');
  });
});

describe('the pure builder: partitions and backup runs', () => {
  const base = {
    timeZone: TIME_ZONE,
    now: MONDAY.toISOString(),
    since: '2026-12-04T08:00:00.000Z',
    backups: [],
    alerts: { active: [], events: [] },
    audit: [],
    certificates: [],
  };
  const target = (name: string, open: boolean | null, mounted: boolean) => ({
    name,
    mapper: name,
    mount: `/srv/${name}`,
    open,
    openCheckedBy: null,
    openNote: null,
    mounted,
    mountSource: null,
  });
  const takenAt = '2026-12-07T07:00:00.000Z';

  it('names each target that is not open and mounted, and a host whose LUKS state could not be read', () => {
    const luks = [
      {
        host: 'b7-srv',
        takenAt,
        result: {
          ok: true as const,
          sample: {
            targets: [
              target('fine', true, true),
              target('mounted-unknown', null, true),
              target('open', true, false),
              target('unknown', null, false),
              target('closed', false, false),
            ],
          },
        },
      },
      { host: 'pi', takenAt, result: { ok: false as const, error: 'luks: no answer within 10000 ms' } },
    ];
    const en = buildMorningDigest({ ...base, locale: 'en', luks });
    expect(en.body).toBe(
      [
        'Locked partitions',
        '  open on b7-srv     unlocked, not mounted                                seen 2026-12-07 08:00 (1 h ago)',
        '  unknown on b7-srv  state unknown                                        seen 2026-12-07 08:00 (1 h ago)',
        '  closed on b7-srv   locked                                               seen 2026-12-07 08:00 (1 h ago)',
        '  pi                 LUKS state unknown: luks: no answer within 10000 ms  seen 2026-12-07 08:00 (1 h ago)',
      ].join('\n'),
    );
    const fr = buildMorningDigest({ ...base, locale: 'fr', luks: luks.slice(0, 1) });
    expect(fr.body.split('\n').slice(1)).toEqual([
      '  open sur b7-srv     déverrouillée, non montée  vu le 2026-12-07 08:00 (il y a 1 h)',
      '  unknown sur b7-srv  état inconnu               vu le 2026-12-07 08:00 (il y a 1 h)',
      '  closed sur b7-srv   verrouillée                vu le 2026-12-07 08:00 (il y a 1 h)',
    ]);
  });

  it('lists backup runs when something reports them, oldest first', () => {
    const backupRuns = [
      { name: 'b7-borg', outcome: 'failed' as const, at: '2026-12-07T02:30:00.000Z', detail: 'exit 2' },
      { name: 'vps2-restic', outcome: 'ok' as const, at: '2026-12-07T01:10:00.000Z', detail: '1.2 GiB, 12 min' },
      { name: 'pi-borg', outcome: 'missed' as const, at: '2026-12-07T03:00:00.000Z' },
    ];
    expect(buildMorningDigest({ ...base, locale: 'en', luks: [], backupRuns }).body).toBe(
      [
        'Backup runs since 2026-12-04 09:00',
        '  OK      vps2-restic  2026-12-07 02:10  1.2 GiB, 12 min',
        '  FAILED  b7-borg      2026-12-07 03:30  exit 2',
        '  MISSED  pi-borg      2026-12-07 04:00',
      ].join('\n'),
    );
    expect(buildMorningDigest({ ...base, locale: 'fr', luks: [], backupRuns }).body.split('\n')[0]).toBe(
      'Sauvegardes lancées depuis le 2026-12-04 09:00',
    );
  });
});

describe('default period', () => {
  it('is Friday 09:00 on Mondays and the last 24 hours on other days, in the configured zone', () => {
    expect(defaultDigestSince(new Date('2026-12-07T08:00:00Z'), TIME_ZONE)).toBe('2026-12-04T08:00:00.000Z');
    expect(defaultDigestSince(new Date('2026-12-08T08:00:00Z'), TIME_ZONE)).toBe('2026-12-07T08:00:00.000Z');
    // Summer time: 09:00 in Paris is 07:00 UTC.
    expect(defaultDigestSince(new Date('2026-06-08T07:00:00Z'), TIME_ZONE)).toBe('2026-06-05T07:00:00.000Z');
    // Sunday 23:30 UTC is already Monday in Paris.
    expect(defaultDigestSince(new Date('2026-12-06T23:30:00Z'), TIME_ZONE)).toBe('2026-12-04T08:00:00.000Z');
  });
});
