import { setMaxListeners } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackupStatusService } from '../../src/backups/backup-service.js';
import type { BackupConfig } from '../../src/config/schema.js';
import { silentLogger } from '../../src/core/logger.js';
import { Secret } from '../../src/core/secret.js';
import { openDatabase } from '../../src/store/database.js';
import { ObservationStore } from '../../src/store/observation-store.js';
import { recordingRunner } from '../support/processes.js';
import { createTestRepos, type TestRepos } from '../support/repos.js';

const PASS = 'le détour, 7 rue des Lilas';
const HOUR = 3_600_000;
let repos: TestRepos;
let backups: BackupConfig[];

const repo = (name: string, type: 'borg' | 'restic', path: string, passphrase = PASS): BackupConfig => ({
  name,
  type,
  repo: path,
  passphrase: new Secret(passphrase),
  maxAge: 26 * HOUR,
});

beforeAll(async () => {
  repos = await createTestRepos();
  const now = new Date();
  const recent = new Date(now.getTime() - 2 * HOUR).toISOString().slice(0, 19);
  const old = new Date(now.getTime() - 72 * HOUR).toISOString().slice(0, 19);
  const [fresh, stale, locked, rFresh, rStale] = await Promise.all([
    repos.borg('fresh', PASS, [{ name: 'a', at: old }, { name: 'b' }]),
    repos.borg('stale', PASS, [{ name: 'old', at: old }]),
    repos.borg('locked', PASS, [{ name: 'x' }]),
    repos.restic('r-fresh', PASS, [{ at: recent.replace('T', ' ') }]),
    repos.restic('r-stale', PASS, [{ at: old.replace('T', ' ') }]),
  ]);
  backups = [
    repo('fresh', 'borg', fresh),
    repo('stale', 'borg', stale),
    repo('wrong', 'borg', fresh, 'not the passphrase'),
    repo('locked', 'borg', locked),
    repo('r-fresh', 'restic', rFresh),
    repo('r-stale', 'restic', rStale),
    repo('r-wrong', 'restic', rFresh, 'not the passphrase'),
  ];
});
afterAll(() => repos.cleanup());

function service(refresh: 'background' | 'before-answer', list = backups, now = () => new Date()) {
  const run = recordingRunner(repos.env);
  const store = new ObservationStore(openDatabase(':memory:'));
  const svc = new BackupStatusService({
    backups: list,
    refreshAfterMs: 15 * 60_000,
    defaultTimeoutMs: 60_000,
    store,
    run,
    now,
    logger: silentLogger,
    refresh,
  });
  return { svc, run, store };
}

// As the pipeline does for a command: every repository's processes listen to it.
const signal = new AbortController().signal;
setMaxListeners(0, signal);
const markers = (report: Awaited<ReturnType<BackupStatusService['status']>>) =>
  Object.fromEntries(report.repositories.map((r) => [r.name, r.marker]));

describe('backup status over real repositories', () => {
  it('marks each repository: on time, late, wrong passphrase, locked', async () => {
    const { svc } = service('before-answer');
    const held = await repos.lock('borg', backups[3]?.repo as string, PASS);
    try {
      const report = await svc.status(svc.names(), { fresh: false, signal });
      expect(markers(report)).toEqual({
        fresh: 'OK',
        stale: 'LATE',
        wrong: 'FAILED',
        locked: 'LOCKED',
        'r-fresh': 'OK',
        'r-stale': 'LATE',
        'r-wrong': 'FAILED',
      });
      const byName = new Map(report.repositories.map((r) => [r.name, r]));
      expect(byName.get('wrong')?.latest?.detail).toBe('wrong passphrase');
      expect(byName.get('r-wrong')?.latest?.detail).toBe('wrong password');
      expect(byName.get('locked')?.latest?.outcome).toBe('locked');
      expect(byName.get('fresh')?.latest).toMatchObject({ archiveCount: 2, lastArchiveName: 'b' });
    } finally {
      await held.release();
    }
  });

  it('keeps the last good figures when a repository is locked later', async () => {
    const { svc } = service('before-answer', [backups[3] as BackupConfig]);
    await svc.status(['locked'], { fresh: true, signal });
    const held = await repos.lock('borg', backups[3]?.repo as string, PASS);
    try {
      const report = await svc.status(['locked'], { fresh: true, signal });
      const status = report.repositories[0];
      expect(status?.latest?.outcome).toBe('locked');
      expect(status?.lastGood?.archiveCount).toBe(1);
      expect(status?.marker).toBe('OK');
    } finally {
      await held.release();
    }
  });

  it('answers from the store while fresh, observes again once stale or asked', async () => {
    let clock = new Date();
    const { svc, run } = service('before-answer', [backups[0] as BackupConfig], () => clock);
    await svc.status(['fresh'], { fresh: false, signal });
    const calls = run.requests.length;
    expect(calls).toBe(2);
    clock = new Date(clock.getTime() + 10 * 60_000);
    await svc.status(['fresh'], { fresh: false, signal });
    expect(run.requests.length).toBe(calls);
    await svc.status(['fresh'], { fresh: true, signal });
    expect(run.requests.length).toBe(calls + 2);
    clock = new Date(clock.getTime() + 20 * 60_000);
    await svc.status(['fresh'], { fresh: false, signal });
    expect(run.requests.length).toBe(calls + 4);
  });

  it('when serving, answers at once and refreshes in the background, one look at a time', async () => {
    const { svc, run } = service('background', [backups[0] as BackupConfig]);
    const first = await svc.status(['fresh'], { fresh: false, signal });
    expect(first.refreshing).toBe(true);
    expect(first.repositories[0]?.marker).toBe('UNKNOWN');
    const second = await svc.status(['fresh'], { fresh: false, signal });
    expect(second.refreshing).toBe(true);
    await svc.observe(['fresh']);
    expect(run.requests.length).toBe(2);
    const third = await svc.status(['fresh'], { fresh: false, signal });
    expect(third.refreshing).toBe(false);
    expect(third.repositories[0]?.marker).toBe('OK');
  });

  it('never stores or reports the passphrase', async () => {
    const { svc, store } = service('before-answer');
    const report = await svc.status(svc.names(), { fresh: true, signal });
    expect(JSON.stringify(report)).not.toContain(PASS);
    expect(JSON.stringify(svc.names().map((n) => store.latest(n)))).not.toContain(PASS);
  });
});
