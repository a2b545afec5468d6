import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackupReporter } from '../../src/backups/backup-reporter.js';
import { BackupStatusService } from '../../src/backups/backup-service.js';
import type { Config } from '../../src/config/schema.js';
import { silentLogger } from '../../src/core/logger.js';
import type { BackupRunResult } from '../../src/core/ports/backup-runs.js';
import { HostRegistry } from '../../src/hosts/host-registry.js';
import { JobRegistry } from '../../src/runners/ansible/job-registry.js';
import { BackupSummaryStore } from '../../src/store/backup-summary-store.js';
import { openDatabase } from '../../src/store/database.js';
import { ObservationStore } from '../../src/store/observation-store.js';
import { alice, testConfig, testPipeline } from '../support/app.js';
import { recordingRunner } from '../support/processes.js';
import { createTestRepos, type TestRepos } from '../support/repos.js';
import { SSHD, startSshd, type TestSshd } from '../support/sshd.js';

/*
 * A command job on a host reached over SSH (a real sshd on loopback): the repository travels
 * through `env` in the command, the passphrase on standard input, never in the command line.
 * The commands set the tools' cache folders themselves (`env BORG_BASE_DIR=…`), as a real
 * configuration may.
 */
const has = (tool: string, ...args: string[]) => spawnSync(tool, args).status === 0;
const hasTools = has('borg', '--version') && has('restic', 'version') && has(SSHD, '-V');
const PASS = `ssh-run-${process.pid}-${Math.random().toString(36).slice(2)}`;

let repos: TestRepos;
let sshd: TestSshd;
let config: Config;

beforeAll(async () => {
  if (!hasTools) return;
  repos = await createTestRepos();
  sshd = await startSshd();
  const data = join(repos.dir, 'data');
  const [borgRepo, resticRepo] = await Promise.all([repos.borg('borg', PASS, []), repos.restic('restic', PASS, [])]);
  config = testConfig(
    {
      hosts: {
        box: {
          ssh: { host: sshd.host, port: sshd.port, user: sshd.user, privateKeyFile: sshd.privateKeyFile },
        },
      },
      ssh: { knownHostsFile: sshd.knownHostsFile },
      backups: [
        {
          name: 'b-ssh',
          type: 'borg',
          repo: borgRepo,
          passphrase: PASS,
          job: {
            host: 'box',
            command: [
              'env',
              `BORG_BASE_DIR=${repos.env.BORG_BASE_DIR}`,
              'borg',
              'create',
              '--json',
              '::over-ssh',
              data,
            ],
          },
        },
        {
          name: 'r-ssh',
          type: 'restic',
          repo: resticRepo,
          passphrase: PASS,
          job: {
            host: 'box',
            command: ['env', `RESTIC_CACHE_DIR=${repos.env.RESTIC_CACHE_DIR}`, 'restic', 'backup', '--json', data],
          },
        },
      ],
    },
    repos.dir,
  );
}, 120_000);
afterAll(async () => {
  await sshd?.stop();
  await repos?.cleanup();
});

describe.skipIf(!hasTools)('backup run over SSH (real sshd, borg and restic)', () => {
  it('backs up on the host with the passphrase on stdin, and reports the figures', async () => {
    const db = openDatabase(':memory:');
    const run = recordingRunner(repos.env);
    const hosts = new HostRegistry(config, run);
    const backups = new BackupStatusService({
      backups: config.backups,
      refreshAfterMs: 60_000,
      defaultTimeoutMs: 60_000,
      store: new ObservationStore(db),
      run,
      now: () => new Date(),
      logger: silentLogger,
      refresh: 'before-answer',
      runs: {
        jobs: async () => new JobRegistry(),
        reporter: new BackupReporter({
          store: new BackupSummaryStore(db),
          mode: 'post',
          locale: 'en',
          logger: silentLogger,
        }),
        job: { run, hosts, ansible: undefined, defaultPlaybookDir: '/nonexistent' },
      },
    });
    const { ask } = testPipeline(config, { backups });
    try {
      const borg = await ask('backup run b-ssh', alice);
      const borgResult = borg.data as BackupRunResult;
      expect(borgResult).toMatchObject({
        via: 'command',
        host: 'box',
        outcome: 'ok',
        stats: { archive: 'over-ssh', files: 1 },
      });
      const restic = await ask('backup run r-ssh', alice);
      const resticResult = restic.data as BackupRunResult;
      expect(resticResult).toMatchObject({
        via: 'command',
        host: 'box',
        outcome: 'ok',
        stats: { files: 1, filesNew: 1 },
      });
      // The local runner saw only the observations; nothing secret went into any command line.
      for (const q of run.requests) expect(q.args.join(' ')).not.toContain(PASS);
      const status = await backups.status(['b-ssh', 'r-ssh'], { fresh: false, signal: new AbortController().signal });
      expect(status.repositories.map((r) => r.latest?.archiveCount)).toEqual([1, 1]);
    } finally {
      await hosts.close();
    }
  });
});
