import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import type { Config } from '../../src/config/schema.js';
import { silentLogger } from '../../src/core/logger.js';
import type { HostProbeReport } from '../../src/core/ports/probes.js';
import { Secret } from '../../src/core/secret.js';
import { type App, buildApp } from '../../src/main.js';
import { findJob } from '../../src/scheduler/jobs.js';
import { runJob } from '../../src/scheduler/run-job.js';
import { JobRunStore } from '../../src/store/job-run-store.js';
import { ObservationStore } from '../../src/store/observation-store.js';
import { SampleStore } from '../../src/store/sample-store.js';
import { hostReport } from '../alerts/harness.js';
import { TestCa } from '../probes/test-ca.js';
import { alice, bob, testConfig } from '../support/app.js';
import { createLuksImage, findCryptsetup } from '../support/luks.js';
import { recordingRunner } from '../support/processes.js';
import { fixturePathRunner } from '../support/recording-runner.js';

/*
 * November 2026 in Europe/Paris (UTC+1 all month), lived hour by hour through the real code:
 * probe reports stored by the sample store and judged by the alert engine, backups made with
 * the real borg and restic (archive times set with --timestamp / --time) and observed by the
 * backup service, commands typed through the real pipeline, certificate files checked by the
 * real certs job. What was put in is kept in `expected` for the tests to compare with.
 *
 * The probe values are scripted (df on this machine cannot be made to climb on cue); one real
 * probe of the local machine is taken at the end of the month too.
 */

export const PASS = 'le détour, 7 rue des Lilas';
const LUKS_PASS = 'partition du détour';
const HOUR = 3_600_000;
const FIXTURES = resolve(import.meta.dirname, '../fixtures/unlock/bin');

/** Local hour `h` of November day `d` (Paris is UTC+1 in November). */
export const at = (d: number, h: number, m = 0) => new Date(Date.UTC(2026, 10, d, h - 1, m));

/** Disk use scripted per host and mount, hour by hour. */
export function srvPercent(d: number, h: number): number {
  if (d === 20 && h >= 10 && h <= 15) return h === 10 ? 93 : h === 11 ? 96 : 94;
  return 60 + (d - 1) * 0.5;
}
const vps2Percent = (d: number) => 30 + (d - 1);
const vps2Down = (d: number, h: number) => d === 15 && (h === 2 || h === 3);

const BORG_DAYS = [1, 2, 3, 4, 5, 28, 29, 30];
const RESTIC_DAYS = [1, 10, 20, 30];

/** One host's probe report at local hour h of day d, as scripted above. */
function scripted(host: string, takenAt: Date, d: number, h: number): HostProbeReport {
  if (host === 'vps2' && vps2Down(d, h)) {
    return hostReport(host, takenAt, { down: 'ssh: connect to host vps2 port 22: No route to host' });
  }
  if (host === 'vps2') return hostReport(host, takenAt, { mounts: { '/': vps2Percent(d) }, memory: 50, load: 0.2 });
  return hostReport(host, takenAt, {
    mounts: { '/': 40, '/srv': srvPercent(d, h) },
    memory: d === 12 && h === 3 ? 85 : 40,
    load: d === 5 && h === 4 ? 1.5 : 0.5,
  });
}

/** A command typed during the simulation, and how the pipeline ended it. */
export interface Asked {
  at: string;
  actor: string;
  command: string;
  outcome: string;
  text: string;
}

export interface SimulatedMonth {
  asked: Asked[];
  dir: string;
  config: Config;
  app: App;
  clock: { now: Date };
  /** What the backup service observed: sizes at the first and last look of the month. */
  sizes: Record<string, { first: number; last: number }>;
  /** The real probe of the local machine at the end of the month. */
  localProbe: HostProbeReport;
  certFile: string;
  otherCertFile: string;
  renewedCertNotAfter: string;
  /** A second app on the same store with another locale. */
  appIn(locale: 'fr' | 'en'): App;
  cleanup(): Promise<void>;
}

export async function simulateMonth(): Promise<SimulatedMonth> {
  const dir = await mkdtemp(join(tmpdir(), 'detour-report-'));
  const env = { BORG_BASE_DIR: join(dir, 'borg-base'), RESTIC_CACHE_DIR: join(dir, 'restic-cache'), TZ: 'UTC' };
  const borgRepo = join(dir, 'b7-borg');
  const resticRepo = join(dir, 'vps2-restic');
  const data = join(dir, 'data');
  await mkdir(data);
  await execa('sh', ['-c', `head -c 200000 /dev/urandom > ${data}/stock.bin`]);
  const borgEnv = { ...env, BORG_REPO: borgRepo, BORG_PASSPHRASE: PASS };
  const resticEnv = { ...env, RESTIC_REPOSITORY: resticRepo, RESTIC_PASSWORD: PASS };
  await execa('borg', ['init', '--encryption', 'repokey'], { env: borgEnv });
  await execa('restic', ['init'], { env: resticEnv });

  const cryptsetup = findCryptsetup();
  if (!cryptsetup) throw new Error('cryptsetup is needed (Debian package cryptsetup-bin)');
  const image = await createLuksImage(cryptsetup, dir, LUKS_PASS);
  const state = join(dir, 'fixture-state');
  await mkdir(state);

  const ca = new TestCa(await mkdtemp(join(dir, 'ca-')));
  await ca.init();
  // Expires on 25 November; renewed on the 18th by one valid until 20 December (next month).
  const first = await ca.issue(
    'cloud.epicerieledetour.org',
    new Date('2026-09-01T00:00:00Z'),
    new Date('2026-11-25T00:00:00Z'),
  );
  const renewed = await ca.issue(
    'cloud.epicerieledetour.org',
    new Date('2026-11-18T00:00:00Z'),
    new Date('2026-12-20T00:00:00Z'),
  );
  // Valid until January: neither renewed nor expiring next month.
  const other = await ca.issue(
    'vpn.epicerieledetour.org',
    new Date('2026-10-01T00:00:00Z'),
    new Date('2027-01-15T00:00:00Z'),
  );
  const certFile = join(dir, 'cloud.pem');
  const otherCertFile = join(dir, 'vpn.pem');
  await copyFile(first.certPath, certFile);
  await copyFile(other.certPath, otherCertFile);

  const config = (locale: 'fr' | 'en') =>
    testConfig(
      {
        locale,
        timezone: 'Europe/Paris',
        database: join(dir, 'detour.db'),
        hosts: { 'b7-srv': { local: true }, vps2: { local: true }, local: { local: true } },
        thresholds: { disk: { warn: 80, crit: 90 }, memory: { warn: 90, crit: 95 }, load: { warn: 2, crit: 4 } },
        backups: [
          { name: 'b7-borg', type: 'borg', repo: borgRepo, passphrase: PASS, maxAge: '26h' },
          { name: 'vps2-restic', type: 'restic', repo: resticRepo, passphrase: PASS, maxAge: '26h' },
        ],
        certificates: [{ file: certFile }, { file: otherCertFile }],
        unlock: { dataproxies: { host: 'local', device: image, mapper: 'detour-report', mount: join(dir, 'mnt') } },
        channels: { reports: '#general' },
      },
      dir,
    );
  const clock = { now: at(1, 0) };
  const run = fixturePathRunner(recordingRunner(env), {
    binDir: FIXTURES,
    stateDir: state,
    realCryptsetup: cryptsetup,
  });
  const apps: App[] = [];
  const appIn = (locale: 'fr' | 'en') => {
    const app = buildApp({
      config: config(locale),
      logger: silentLogger,
      run,
      now: () => clock.now,
      refresh: 'before-answer',
    });
    apps.push(app);
    return app;
  };
  const app = appIn('en');
  const signal = new AbortController().signal;
  const observations = new ObservationStore(app.db);
  const samples = new SampleStore(app.db);
  const sizes: Record<string, { first: number; last: number }> = {};
  const observe = async () => {
    await app.backups.status(app.backups.names(), { fresh: true, signal });
    for (const name of app.backups.names()) {
      const size = observations.latest(name).latest?.sizeBytes;
      if (size === undefined) throw new Error(`no size observed for ${name}`);
      sizes[name] = { first: sizes[name]?.first ?? size, last: size };
    }
  };
  const certsJob = findJob('certs');
  if (!certsJob) throw new Error('certs job');
  const jobRuns = new JobRunStore(app.db, () => clock.now);
  const runCerts = async () => {
    const runId = jobRuns.claim('certs', clock.now, 'schedule');
    if (runId === undefined) throw new Error('certs slot');
    await runJob({
      job: certsJob,
      context: { probes: app.probes, backups: app.backups, hooks: app.jobHooks },
      audit: app.audit,
      runs: jobRuns,
      runId,
      actor: { kind: 'scheduler' },
      platform: 'scheduler',
      signal,
      logger: silentLogger,
    });
  };
  const asked: Asked[] = [];
  const ask = async (text: string, who = alice, passphrase = LUKS_PASS) => {
    const result = await app.pipeline({
      text,
      actor: who,
      platform: 'slack',
      askSecret: async () => new Secret(passphrase),
    });
    const actor = who.kind === 'user' ? who.email : '?';
    asked.push({ at: clock.now.toISOString(), actor, command: result.command ?? '?', outcome: result.outcome, text });
  };

  // Before the month: a command on 31 October, 23:30 Paris, not counted.
  clock.now = at(1, 0, -30);
  await ask('backup status');

  for (let d = 1; d <= 30; d++) {
    for (let h = 0; h < 24; h++) {
      clock.now = at(d, h);
      const reports = ['b7-srv', 'vps2'].map((host) => scripted(host, clock.now, d, h));
      samples.addHostReports(reports);
      app.alerts.observeHosts(reports);
      if (h === 2) {
        // The night's backups, at 02:00 Paris (01:00 UTC); observed at 03:00.
        const stamp = at(d, 2).toISOString().slice(0, 19);
        if (BORG_DAYS.includes(d))
          await execa('borg', ['create', '--timestamp', stamp, `::night-${d}`, data], { env: borgEnv });
        if (RESTIC_DAYS.includes(d))
          await execa('restic', ['backup', '--quiet', '--time', stamp.replace('T', ' '), data], { env: resticEnv });
      }
      if (h === 3 && (BORG_DAYS.includes(d) || RESTIC_DAYS.includes(d) || d === 15)) await observe();
      if (h === 8 && [1, 10, 18, 25].includes(d)) {
        if (d === 18) await copyFile(renewed.certPath, certFile);
        await runCerts();
      }
      if (h === 10 && [2, 9, 16].includes(d)) await ask('backup status');
      if (d === 3 && h === 11) await ask('backup status', bob);
      if (d === 4 && h === 11) await ask('backup run b7-borg', bob);
      if (d === 5 && h === 11) await ask('frobnicate', bob);
      if (d === 6 && h === 9) await ask('unlock dataproxies --check');
      if (d === 15 && h === 4) {
        clock.now = at(15, 4, 30);
        await ask('unlock dataproxies');
      }
      if (d === 22 && h === 9) await ask('unlock dataproxies', alice, 'not the passphrase');
    }
  }
  clock.now = at(30, 23, 30);
  const [localProbe] = await app.probes.probeHosts(['local'], signal);
  if (!localProbe) throw new Error('no local probe');
  // After the month: on 1 December, not counted.
  clock.now = new Date('2026-12-01T07:30:00Z');
  await ask('backup status');
  return {
    asked,
    dir,
    config: config('en'),
    app,
    clock,
    sizes,
    localProbe,
    certFile,
    otherCertFile,
    renewedCertNotAfter: '2026-12-20T00:00:00.000Z',
    appIn,
    async cleanup() {
      for (const a of apps) await a.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export const BORG_ARCHIVE_DAYS = BORG_DAYS;
export const RESTIC_SNAPSHOT_DAYS = RESTIC_DAYS;
export { HOUR };
