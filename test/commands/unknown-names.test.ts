import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertEngine } from '../../src/alerts/alert-engine.js';
import { alertSettings, configuredKeys } from '../../src/alerts/settings.js';
import { BackupStatusService } from '../../src/backups/backup-service.js';
import { checkReferences } from '../../src/config/references.js';
import type { Config, UnlockConfig } from '../../src/config/schema.js';
import { fill } from '../../src/core/i18n.js';
import { silentLogger } from '../../src/core/logger.js';
import { Secret } from '../../src/core/secret.js';
import type { Services } from '../../src/core/services.js';
import { HostRegistry } from '../../src/hosts/host-registry.js';
import { Operations } from '../../src/operations/operations-service.js';
import { createProbeService } from '../../src/probes/probe-service.js';
import { createReportService } from '../../src/report/report-service.js';
import { execaRunner } from '../../src/runners/execa-runner.js';
import type { ProcessRunner } from '../../src/runners/process.js';
import { openDatabase } from '../../src/store/database.js';
import { ObservationStore } from '../../src/store/observation-store.js';
import { SampleStore } from '../../src/store/sample-store.js';
import { alice, testConfig, testPipeline } from '../support/app.js';

/** Names every plain object inherits: looked up naively, they find Object.prototype's members. */
const INHERITED = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'];

let dir: string;
let config: Config;
// The commands this file asks for read no digest and no audit.
let services: Omit<Services, 'digest' | 'audit'>;
const started: string[][] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'detour-names-'));
  config = testConfig(
    {
      hosts: { local: { local: true } },
      unlock: { data: { host: 'local', device: '/dev/null', mapper: 'detour-data', mount: join(dir, 'mnt') } },
      backups: [{ name: 'b7-borg', type: 'borg', repo: join(dir, 'repo'), passphrase: 'x' }],
      ansible: {
        playbookDir: resolve(import.meta.dirname, '../fixtures/ansible'),
        playbooks: { ok: { file: 'ok.yml' } },
      },
    },
    dir,
  );
  // Nothing may start for a name that is not configured: any process started is a failure.
  const run: ProcessRunner = async (request) => {
    started.push([request.file, ...request.args]);
    return execaRunner(request);
  };
  const db = openDatabase(':memory:');
  const hosts = new HostRegistry(config, run);
  services = {
    report: createReportService({
      db,
      locale: 'en',
      timeZone: 'Europe/Paris',
      now: () => new Date(),
      reportsDir: dir,
      renderCharts: async () => [],
    }),
    operations: new Operations({ config, run, hosts, defaultPlaybookDir: dir, logger: silentLogger }),
    probes: createProbeService({
      config,
      hosts,
      store: new SampleStore(db),
      now: () => new Date(),
      logger: silentLogger,
    }),
    backups: new BackupStatusService({
      backups: config.backups,
      refreshAfterMs: 60_000,
      defaultTimeoutMs: 10_000,
      store: new ObservationStore(db),
      run,
      now: () => new Date(),
      logger: silentLogger,
      refresh: 'before-answer',
    }),
    alerts: new AlertEngine({
      db,
      settings: alertSettings(config),
      post: () => {},
      logger: silentLogger,
      configuredKeys: () => configuredKeys(config),
    }),
  };
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('names inherited from Object.prototype are unknown names, never an internal error', () => {
  const cases: [string, (name: string) => string, RegExp][] = [
    ['ansible run', (n) => `ansible run ${n}`, /^"(.*)" is not an allowed playbook\. Allowed: ok\.$/],
    ['ansible run --check', (n) => `ansible run ${n} --check`, /^"(.*)" is not an allowed playbook\. Allowed: ok\.$/],
    ['unlock', (n) => `unlock ${n}`, /^unknown unlock target "(.*)"\. Known targets: data\.$/],
    ['probe', (n) => `probe ${n}`, /^unknown host "(.*)"\. Known hosts: local\.$/],
    ['backup status', (n) => `backup status ${n}`, /^unknown repository "(.*)"\. Known repositories: b7-borg\.$/],
    ['jobs cancel', (n) => `jobs cancel ${n}`, /^no running job (.*)\. Running: none\.$/],
    ['help', (n) => `help ${n}`, /^no command "(.*)"\. Type "help" for the list\.$/],
    ['a command name', (n) => n, /^unknown command "(.*)"\. Type "help" for the list of commands\.$/],
    ['jobs (no argument)', (n) => `jobs ${n}`, /^unexpected argument "(.*)"$/],
    ['certs (no argument)', (n) => `certs ${n}`, /^unexpected argument "(.*)"$/],
    [
      'alerts silence',
      (n) => `alerts silence ${n} 2h`,
      /^unknown alert key "(.*)"\. "alerts" lists the active ones\.$/,
    ],
  ];
  for (const [what, line, message] of cases) {
    it(`${what}`, async () => {
      const { ask, audit } = testPipeline(config, services);
      for (const name of INHERITED) {
        const r = await ask(line(name), alice, { askSecret: async () => Promise.reject(new Error('asked')) });
        expect({ name, outcome: r.outcome }).toEqual({ name, outcome: 'usage' });
        expect(r.text.split('\n')[0]).toMatch(message);
        expect(message.exec(r.text.split('\n')[0] ?? '')?.[1]).toBe(name);
        expect(audit.list({ limit: 1 })[0]).toMatchObject({ id: r.auditId, status: 'usage' });
      }
      expect(started).toEqual([]);
    });
  }
});

describe('the services behind the commands look names up as own keys too', () => {
  const signal = new AbortController().signal;
  const by = { label: 'alice', isAdmin: true };

  it('refuses an inherited playbook, unlock target or host name as unknown', async () => {
    const hosts = new HostRegistry(config, execaRunner);
    for (const name of INHERITED) {
      const run = services.operations.runPlaybook({ playbook: name, tags: [], check: true }, by, {
        signal,
        onProgress: () => {},
      });
      await expect(run).rejects.toMatchObject({ code: 'usage', message: expect.stringContaining('not an allowed') });
      const unlock = services.operations.unlock(name, new Secret('x'), { checkOnly: true, by, signal });
      await expect(unlock).rejects.toMatchObject({ code: 'usage', message: expect.stringContaining('unknown unlock') });
      expect(() => hosts.runnerFor(name)).toThrow(/^unknown host/);
    }
    expect(started).toEqual([]);
  });

  it('keeps {constructor} in a template as it is, and refuses a reference to an inherited name', () => {
    expect(fill('{constructor} {toString} {name}', { name: 'x' })).toBe('{constructor} {toString} x');
    const problems = checkReferences({
      ...config,
      unlock: { data: { ...(config.unlock.data as UnlockConfig), host: 'constructor' } },
    });
    expect(problems).toEqual(['unlock.data.host: no host "constructor" under hosts']);
  });
});
