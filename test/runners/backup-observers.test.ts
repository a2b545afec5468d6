import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Secret } from '../../src/core/secret.js';
import { observeBorg } from '../../src/runners/borg.js';
import { observeRestic } from '../../src/runners/restic.js';
import { recordingRunner } from '../support/processes.js';
import { createTestRepos, type TestRepos } from '../support/repos.js';

const PASS = 'correct horse battery staple';
let repos: TestRepos;
let borgRepo: string;
let resticRepo: string;

beforeAll(async () => {
  repos = await createTestRepos();
  [borgRepo, resticRepo] = await Promise.all([
    repos.borg('borg-ok', PASS, [
      { name: 'old', at: '2026-01-02T03:04:05' },
      { name: 'newer', at: '2026-03-04T05:06:07' },
      { name: 'middle', at: '2026-02-01T00:00:00' },
    ]),
    repos.restic('restic-ok', PASS, [{ at: '2026-01-02 03:04:05' }, { at: '2026-03-04 05:06:07' }]),
  ]);
});
afterAll(() => repos.cleanup());

const target = (type: 'borg' | 'restic', repo: string) => ({ name: 'r', type, repo, timeoutMs: 60_000 });

describe('borg observation (real borg)', () => {
  it('reads the newest archive, the archive count and the stored size', async () => {
    const run = recordingRunner(repos.env);
    const result = await observeBorg(run, target('borg', borgRepo), new Secret(PASS));
    expect(result.outcome).toBe('ok');
    expect(result.figures.archiveCount).toBe(3);
    expect(result.figures.lastArchiveName).toBe('newer');
    // borg prints local time; the observation holds the same instant in UTC.
    expect(result.figures.lastArchiveAt).toBe(new Date('2026-03-04T05:06:07').toISOString());
    expect(result.figures.sizeBytes).toBeGreaterThan(0);
  });

  it('keeps the passphrase and the repository out of argv', async () => {
    const run = recordingRunner(repos.env);
    await observeBorg(run, target('borg', borgRepo), new Secret(PASS));
    expect(run.requests).toHaveLength(2);
    for (const r of run.requests) {
      expect(r.args.join(' ')).not.toContain(PASS);
      expect(r.args.join(' ')).not.toContain(borgRepo);
      expect(r.env?.BORG_PASSPHRASE).toBe(PASS);
    }
  });

  it('reports a wrong passphrase as such', async () => {
    const result = await observeBorg(recordingRunner(repos.env), target('borg', borgRepo), new Secret('nope'));
    expect(result).toMatchObject({ outcome: 'wrong_passphrase', detail: 'wrong passphrase' });
  });

  it('reports a missing repository as such', async () => {
    const result = await observeBorg(
      recordingRunner(repos.env),
      target('borg', `${repos.dir}/absent`),
      new Secret(PASS),
    );
    expect(result.outcome).toBe('missing');
  });

  it('reports lock contention as such', async () => {
    const held = await repos.lock('borg', borgRepo, PASS);
    try {
      const result = await observeBorg(recordingRunner(repos.env), target('borg', borgRepo), new Secret(PASS));
      expect(result.outcome).toBe('locked');
      expect(result.detail).toMatch(/locked by another process/);
    } finally {
      await held.release();
    }
  });
});

describe('restic observation (real restic)', () => {
  it('reads the newest snapshot, the count and the stored size', async () => {
    const result = await observeRestic(recordingRunner(repos.env), target('restic', resticRepo), new Secret(PASS));
    expect(result.outcome).toBe('ok');
    expect(result.figures.archiveCount).toBe(2);
    expect(result.figures.lastArchiveAt).toBe(new Date('2026-03-04T05:06:07').toISOString());
    expect(result.figures.lastArchiveName).toMatch(/^[0-9a-f]{8}$/);
    expect(result.figures.sizeBytes).toBeGreaterThan(0);
  });

  it('keeps the password and the repository out of argv', async () => {
    const run = recordingRunner(repos.env);
    await observeRestic(run, target('restic', resticRepo), new Secret(PASS));
    for (const r of run.requests) {
      expect(r.args.join(' ')).not.toContain(PASS);
      expect(r.args.join(' ')).not.toContain(resticRepo);
      expect(r.env?.RESTIC_PASSWORD).toBe(PASS);
    }
  });

  it('reports a wrong password as such', async () => {
    const result = await observeRestic(recordingRunner(repos.env), target('restic', resticRepo), new Secret('nope'));
    expect(result).toMatchObject({ outcome: 'wrong_passphrase', detail: 'wrong password' });
  });

  it('reports a missing repository as such', async () => {
    const result = await observeRestic(
      recordingRunner(repos.env),
      target('restic', `${repos.dir}/absent`),
      new Secret(PASS),
    );
    expect(result.outcome).toBe('missing');
  });

  it('reports lock contention as such', async () => {
    const held = await repos.lock('restic', resticRepo, PASS);
    try {
      const result = await observeRestic(recordingRunner(repos.env), target('restic', resticRepo), new Secret(PASS));
      expect(result.outcome).toBe('locked');
    } finally {
      await held.release();
    }
  });

  it('reports a tool that does not answer in time as a timeout', async () => {
    const slow = { ...target('restic', resticRepo), timeoutMs: 50 };
    const result = await observeRestic(recordingRunner(repos.env), slow, new Secret(PASS));
    expect(result.outcome).toBe('timeout');
  });
});
