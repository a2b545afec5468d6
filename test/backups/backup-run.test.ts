import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackupReporter } from '../../src/backups/backup-reporter.js';
import { BackupStatusService } from '../../src/backups/backup-service.js';
import type { ChatMessage } from '../../src/chat/message.js';
import type { Config } from '../../src/config/schema.js';
import { silentLogger } from '../../src/core/logger.js';
import type { BackupRunResult } from '../../src/core/ports/backup-runs.js';
import { JobRegistry } from '../../src/runners/ansible/job-registry.js';
import { BackupSummaryStore } from '../../src/store/backup-summary-store.js';
import { openDatabase } from '../../src/store/database.js';
import { ObservationStore } from '../../src/store/observation-store.js';
import { alice, bob, testConfig, testPipeline } from '../support/app.js';
import { recordingRunner } from '../support/processes.js';
import { createTestRepos, type TestRepos } from '../support/repos.js';
import { waitFor } from '../support/wait.js';

/*
 * `backup run` and `backup list` through the real pipeline, on real borg and restic repositories.
 * A warning is made for real: /proc/sys/vm/compact_memory is write-only, so even root cannot open
 * it for reading: borg exits 1 and restic exits 3, each naming the path it skipped.
 */
const has = (tool: string, ...args: string[]) => spawnSync(tool, args).status === 0;
const hasTools = has('borg', '--version') && has('restic', 'version');
const PASS = 'la phrase de passe du Détour, 7 rue des Lilas';
const UNREADABLE = '/proc/sys/vm/compact_memory';

let repos: TestRepos;
let config: Config;

beforeAll(async () => {
  if (!hasTools) return;
  repos = await createTestRepos();
  const data = join(repos.dir, 'data');
  const [borgRepo, resticRepo] = await Promise.all([
    repos.borg('borg', PASS, [
      { name: 'old-1', at: '2026-11-01T03:00:00' },
      { name: 'old-2', at: '2026-11-02T03:00:00' },
    ]),
    repos.restic('restic', PASS, [{ at: '2026-11-01 03:00:00' }]),
  ]);
  const borgCreate = (archive: string, ...paths: string[]) => ['borg', 'create', '--json', `::${archive}`, ...paths];
  config = testConfig(
    {
      timezone: 'Europe/Paris',
      backups: [
        {
          name: 'b-borg',
          type: 'borg',
          repo: borgRepo,
          passphrase: PASS,
          job: { command: borgCreate('run-{now:%H%M%S}', data) },
        },
        {
          name: 'b-borg-warn',
          type: 'borg',
          repo: borgRepo,
          passphrase: PASS,
          job: { command: borgCreate('warn-{now:%H%M%S}', data, UNREADABLE) },
        },
        {
          name: 'b-borg-fail',
          type: 'borg',
          repo: join(repos.dir, 'nowhere'),
          passphrase: PASS,
          job: { command: borgCreate('x', data) },
        },
        {
          name: 'r-restic',
          type: 'restic',
          repo: resticRepo,
          passphrase: PASS,
          job: { command: ['restic', 'backup', '--json', data] },
        },
        {
          name: 'r-restic-warn',
          type: 'restic',
          repo: resticRepo,
          passphrase: PASS,
          job: { command: ['restic', 'backup', '--json', data, UNREADABLE] },
        },
        { name: 'no-job', type: 'borg', repo: borgRepo, passphrase: PASS },
        // A backup that takes its time, to be cancelled.
        { name: 'slow', type: 'borg', repo: borgRepo, passphrase: PASS, job: { command: ['sleep', '30'] } },
      ],
    },
    repos.dir,
  );
}, 120_000);
afterAll(() => repos?.cleanup());

function setup(mode: 'post' | 'digest' = 'post') {
  const db = openDatabase(':memory:');
  const run = recordingRunner(repos.env);
  const posted: { channel: string; message: ChatMessage }[] = [];
  const reporter = new BackupReporter({
    store: new BackupSummaryStore(db),
    post: (channel, message) => posted.push({ channel, message }),
    mode,
    locale: 'en',
    logger: silentLogger,
  });
  const jobs = new JobRegistry();
  const backups = new BackupStatusService({
    backups: config.backups,
    refreshAfterMs: 15 * 60_000,
    defaultTimeoutMs: 60_000,
    store: new ObservationStore(db),
    run,
    now: () => new Date(),
    logger: silentLogger,
    refresh: 'before-answer',
    runs: {
      jobs: async () => jobs,
      reporter,
      job: {
        run,
        hosts: { runnerFor: () => run, isLocal: () => true },
        ansible: undefined,
        defaultPlaybookDir: '/nonexistent',
      },
    },
  });
  const progress: string[] = [];
  const pipeline = testPipeline(config, { backups });
  const ask = (text: string, actor = alice) => pipeline.ask(text, actor, { progress: (line) => progress.push(line) });
  return { ask, posted, progress, reporter, backups, run, audit: pipeline.audit, jobs };
}

describe.skipIf(!hasTools)('backup run (real borg and restic, command jobs)', () => {
  it('runs borg create: archive, files, original/compressed/deduplicated sizes, then status sees the archive', async () => {
    const { ask, posted, progress, backups, run } = setup();
    const r = await ask('backup run b-borg');
    expect(r.outcome).toBe('ok');
    const result = r.data as BackupRunResult;
    expect(result.outcome).toBe('ok');
    expect(result.stats.archive).toMatch(/^run-\d{6}$/);
    expect(result.stats.files).toBe(1);
    // borg counts the archive's metadata in original_size: more than the 27 bytes of stock.csv.
    expect(result.stats.originalBytes).toBeGreaterThan(27);
    expect(result.stats.compressedBytes).toBeGreaterThan(0);
    expect(result.stats.deduplicatedBytes).toBeGreaterThanOrEqual(0);
    expect(r.text).toMatch(
      /^backup b-borg: ok in \d+ s\narchive run-\d{6}, 1 files, original \d+ B, compressed \d+ B, deduplicated/,
    );
    expect(progress[0]).toMatch(/^backup b-borg running for 0 s/);
    // The passphrase went through the environment, never argv.
    const create = run.requests.find((q) => q.args[0] === 'create');
    expect(create?.args.join(' ')).not.toContain(PASS);
    expect(create?.env?.BORG_PASSPHRASE).toBe(PASS);
    // One line on the backups channel.
    expect(posted).toHaveLength(1);
    expect(posted[0]?.channel).toBe('backups');
    expect(posted[0]?.message.body).toMatch(/^backup b-borg: ok in \d+ s — archive run-\d{6}, 1 files/);
    expect(posted[0]?.message.body).not.toContain('\n');
    // An observation was recorded after the run: status shows the new archive without a refresh.
    const status = await backups.status(['b-borg'], { fresh: false, signal: new AbortController().signal });
    expect(status.repositories[0]?.latest?.lastArchiveName).toBe(result.stats.archive);
    expect(status.repositories[0]?.latest?.archiveCount).toBe(3);
  });

  it('reports borg exit 1 as a warning listing the path it skipped', async () => {
    const { ask, posted } = setup();
    const r = await ask('backup run b-borg-warn');
    const result = r.data as BackupRunResult;
    expect(result.exitCode).toBe(1);
    expect(result.outcome).toBe('warning');
    expect(r.outcome).toBe('ok');
    expect(result.warnings).toEqual([expect.stringMatching(/^\/proc\/sys\/vm\/compact_memory: .*Permission denied/)]);
    expect(result.stats.archive).toMatch(/^warn-/);
    expect(r.text).toContain('done with warnings');
    expect(r.text).toContain('1 skipped:\n  /proc/sys/vm/compact_memory');
    // Not one line: the details go to the channel.
    expect(posted[0]?.message.title).toMatch(/^backup b-borg-warn: done with warnings/);
    expect(posted[0]?.message.body).toContain('/proc/sys/vm/compact_memory');
  });

  it('runs restic backup: snapshot id, new/changed/unmodified files, bytes processed and added', async () => {
    const { ask } = setup();
    const r = await ask('backup run r-restic');
    const result = r.data as BackupRunResult;
    expect(result.outcome).toBe('ok');
    expect(result.stats.archive).toMatch(/^[0-9a-f]{8}$/);
    expect(result.stats).toMatchObject({
      files: 1,
      filesNew: 0,
      filesChanged: 0,
      filesUnmodified: 1,
      originalBytes: 27,
    });
    expect(r.text).toMatch(/1 files \(0 new, 0 changed, 1 unmodified\), processed 27 B, added \d+/);
  });

  it('reports restic exit 3 as a warning naming the unreadable file', async () => {
    const { ask } = setup();
    const r = await ask('backup run r-restic-warn');
    const result = r.data as BackupRunResult;
    expect(result.exitCode).toBe(3);
    expect(result.outcome).toBe('warning');
    expect(result.warnings).toEqual(['/proc/sys/vm/compact_memory: open: permission denied']);
    expect(result.stats.archive).toMatch(/^[0-9a-f]{8}$/);
  });

  it('a failed backup is a failed command, posted with its error; a repository without a job says so', async () => {
    const { ask, posted } = setup('digest');
    const r = await ask('backup run b-borg-fail');
    expect(r.outcome).toBe('failed');
    const result = r.data as BackupRunResult;
    expect(result.outcome).toBe('failed');
    expect(result.error).toMatch(/does not exist|not a valid repository/i);
    expect(posted.map((p) => p.message.title)).toEqual(['backup b-borg-fail: FAILED']);
    const none = await ask('backup run no-job');
    expect(none.outcome).toBe('failed');
    expect(none.text).toMatch(/no-job has no job to run/);
    const unknown = await ask('backup run nope');
    expect(unknown.outcome).toBe('usage');
    expect(unknown.text).toContain('Known repositories: b-borg, b-borg-warn');
  });

  it('digest mode stores successes for the digest without posting them; failures are posted', async () => {
    const { ask, posted, reporter } = setup('digest');
    const since = new Date().toISOString();
    await ask('backup run b-borg');
    await ask('backup run b-borg-fail');
    expect(posted.map((p) => p.message.title)).toEqual(['backup b-borg-fail: FAILED']);
    const summaries = reporter.summariesSince(since);
    expect(summaries.map((s) => [s.name, s.outcome, s.posted])).toEqual([
      ['b-borg', 'ok', false],
      ['b-borg-fail', 'failed', true],
    ]);
  });

  it('is for admins, and one run per repository at a time (a job `jobs` lists and can cancel)', async () => {
    const { ask, jobs } = setup();
    expect((await ask('backup run b-borg', bob)).outcome).toBe('denied');
    const first = ask('backup run r-restic');
    await waitFor('the run to start', () => jobs.list().length > 0);
    expect(jobs.list().map((j) => j.key)).toEqual(['backup:r-restic']);
    const second = await ask('backup run r-restic');
    expect(second.outcome).toBe('failed');
    expect(second.text).toContain('backup:r-restic is already running');
    expect((await first).outcome).toBe('ok');
  });

  it('a cancelled run (jobs cancel) stops its process and is reported as failed', async () => {
    const { ask, jobs, posted } = setup();
    const started = Date.now();
    const running = ask('backup run slow');
    const job = await waitFor('the run to start', () => jobs.list()[0]);
    expect(job.key).toBe('backup:slow');
    jobs.cancel(job.id, 'alice@epicerieledetour.org');
    const r = await running;
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(r.outcome).toBe('failed');
    expect((r.data as BackupRunResult).error).toBe('borg was cancelled');
    expect(posted.map((p) => p.message.title)).toEqual(['backup slow: FAILED']);
  });
});

describe.skipIf(!hasTools)('backup list (real borg and restic)', () => {
  it('lists the newest borg archives in the configured zone, says how many exist', async () => {
    const { ask } = setup();
    const r = await ask('backup list b-borg --last 2');
    expect(r.outcome).toBe('ok');
    const list = r.data as { total: number; archives: { name: string; at: string }[] };
    expect(list.archives).toHaveLength(2);
    expect(list.total).toBeGreaterThanOrEqual(2);
    const lines = r.text.split('\n');
    expect(lines[0]).toBe(`b-borg (borg): the 2 newest of ${list.total} archives`);
    // The oldest archive, 2026-11-01T03:00 (borg keeps the local time given): shown when all are asked for.
    const all = await ask('backup list b-borg --last 100');
    expect(all.text.split('\n').at(-1)).toMatch(/^2026-11-01 0[34]:00 {2}old-1$/);
  });

  it('lists restic snapshots newest first, and refuses a bad --last', async () => {
    const { ask } = setup();
    const r = await ask('backup list r-restic');
    expect(r.outcome).toBe('ok');
    const list = r.data as { total: number; archives: { name: string; at: string }[] };
    expect(list.total).toBe(list.archives.length);
    expect(list.archives.at(-1)?.at).toBe(new Date('2026-11-01T03:00:00').toISOString());
    expect(list.archives.map((a) => a.at)).toEqual([...list.archives.map((a) => a.at)].sort().reverse());
    for (const bad of ['0', '101', 'ten']) {
      const refused = await ask(`backup list r-restic --last ${bad}`);
      expect(refused.outcome).toBe('usage');
      expect(refused.text).toContain('last: a whole number from 1 to 100 (--last N)');
    }
  });

  it('a wrong passphrase is a clear failure, without the passphrase', async () => {
    const wrong = testConfig(
      { backups: [{ name: 'w', type: 'restic', repo: config.backups[3]?.repo, passphrase: 'not it' }] },
      repos.dir,
    );
    const run = recordingRunner(repos.env);
    const backups = new BackupStatusService({
      backups: wrong.backups,
      refreshAfterMs: 1,
      defaultTimeoutMs: 60_000,
      store: new ObservationStore(openDatabase(':memory:')),
      run,
      now: () => new Date(),
      logger: silentLogger,
      refresh: 'before-answer',
    });
    const r = await testPipeline(wrong, { backups }).ask('backup list w', alice);
    expect(r.outcome).toBe('failed');
    expect(r.text).toMatch(/^w: /);
    expect(r.text).not.toContain('not it');
  });
});

// Keeps the import used when the tools are missing (the suite is skipped).
void execa;
