import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackupStatusService } from '../../src/backups/backup-service.js';
import type { Actor } from '../../src/core/actor.js';
import { silentLogger } from '../../src/core/logger.js';
import type { DigestMessage } from '../../src/core/ports/digest.js';
import { createDigestService } from '../../src/digest/digest-service.js';
import { HostRegistry } from '../../src/hosts/host-registry.js';
import { createProbeService } from '../../src/probes/probe-service.js';
import { execaRunner } from '../../src/runners/execa-runner.js';
import { AuditStore } from '../../src/store/audit-store.js';
import { openDatabase } from '../../src/store/database.js';
import { ObservationStore } from '../../src/store/observation-store.js';
import { SampleStore } from '../../src/store/sample-store.js';
import { makeTempDir, removeDir } from '../probes/helpers.js';
import { alice, bob, testConfig, testPipeline } from '../support/app.js';

let dir = '';
const registries: HostRegistry[] = [];

beforeAll(async () => {
  dir = await makeTempDir('digest-command');
});

afterAll(async () => {
  await Promise.all(registries.map((r) => r.close()));
  await removeDir(dir);
});

/**
 * The pipeline with every command over one SQLite file: the digest reads the
 * same audit log the pipeline writes. The alert engine is not wired here, as
 * in main.ts today.
 */
function bot(locale: 'en' | 'fr') {
  const db = openDatabase(join(dir, `${locale}.db`));
  const config = testConfig(
    {
      locale,
      timezone: 'Europe/Paris',
      hosts: { local: { local: true } },
      backups: [{ name: 'b7-borg', type: 'borg', repo: join(dir, 'none'), passphrase: 'x' }],
    },
    dir,
  );
  const hosts = new HostRegistry(config, execaRunner);
  registries.push(hosts);
  const now = () => new Date();
  const observations = new ObservationStore(db);
  observations.add({
    repo: 'b7-borg',
    type: 'borg',
    observedAt: new Date().toISOString(),
    outcome: 'wrong_passphrase',
    detail: 'wrong passphrase',
    durationMs: 300,
  });
  const backups = new BackupStatusService({
    backups: config.backups,
    refreshAfterMs: 3_600_000,
    defaultTimeoutMs: 10_000,
    store: observations,
    run: execaRunner,
    now,
    logger: silentLogger,
    refresh: 'background',
  });
  const probes = createProbeService({ config, hosts, store: new SampleStore(db), now, logger: silentLogger });
  const audit = new AuditStore(db);
  const digest = createDigestService({ locale, timeZone: config.timezone, now, backups, probes, audit });
  return testPipeline(config, { backups, probes, digest }, audit);
}

const eve: Actor = { kind: 'user', email: 'eve@example.com' };

describe('digest', () => {
  it('shows the digest now, to any member, privately, with what was run since', async () => {
    const { ask, audit } = bot('en');
    await ask('help', alice);
    await ask('help', eve);
    const r = await ask('digest', bob);
    expect(r).toMatchObject({ outcome: 'ok', command: 'digest', replyIn: 'private' });
    const [title, ...body] = r.text.split('\n');
    expect(title).toMatch(/^Morning digest, (Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day \d{1,2} [A-Z][a-z]+$/);
    expect(body[0]).toBe('Backups');
    expect(body[1]).toMatch(/^ {2}FAILED {2}b7-borg {2}wrong passphrase$/);
    expect(body[2]).toMatch(/^Commands since \d{4}-\d\d-\d\d \d\d:\d\d$/);
    expect(body.slice(3)).toEqual([
      '  alice@epicerieledetour.org  help',
      '  refused: 1 denied',
      'Alerts: not available yet.',
    ]);
    expect((r.data as DigestMessage).title).toBe(title);
    expect(audit.list({ limit: 1 })[0]).toMatchObject({
      actor: 'bob@epicerieledetour.org',
      command: 'digest',
      status: 'ok',
    });
  });

  it('takes --since as a duration or a date, and answers a bad one with the usage', async () => {
    const { ask, audit } = bot('en');
    await ask('help', alice);
    const hour = await ask('digest --since 1h', bob);
    expect(hour.text).toContain('alice@epicerieledetour.org  help');
    const after = new Date(Date.now() + 1).toISOString();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const none = await ask(`digest --since ${after}`, bob);
    expect(none.outcome).toBe('ok');
    expect(none.text).toContain('FAILED  b7-borg');
    expect(none.text).not.toContain('Commands since');
    const bad = await ask('digest --since last-friday', bob);
    expect(bad.outcome).toBe('usage');
    expect(bad.text).toBe(
      '--since "last-friday" is neither a date (2026-12-04, 2026-12-04T09:00) nor a duration (90s, 15m, 26h, 7d).\nusage: digest [--since ISO|duration]',
    );
    expect(audit.list({ limit: 1 })[0]).toMatchObject({ command: 'digest', status: 'usage' });
  });

  it('speaks French', async () => {
    const { ask } = bot('fr');
    const r = await ask('digest', bob);
    expect(r.text.split('\n')[0]).toMatch(/^Point du matin, [a-z]+ \d{1,2} [a-zéû]+$/);
    expect(r.text).toContain('\nSauvegardes\n');
    expect(r.text.split('\n').at(-1)).toBe('Alertes : pas encore disponibles.');
  });
});
