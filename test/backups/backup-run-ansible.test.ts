import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
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
import { alice, testConfig, testPipeline } from '../support/app.js';
import { recordingRunner } from '../support/processes.js';
import { createTestRepos, type TestRepos } from '../support/repos.js';

/*
 * `backup run` with an Ansible job: the shipped playbooks/backup.yml (not allow-listed: found in
 * the playbook folder), tag b7-borg, the passphrase handed through DETOUR_BACKUP_PASSPHRASE.
 */
const PLAYBOOKS = fileURLToPath(new URL('../../playbooks/', import.meta.url));
const has = (tool: string, ...args: string[]) => spawnSync(tool, args).status === 0;
const hasTools = has('ansible-playbook', '--version') && has('borg', '--version');
const PASS = `ansible-run-${process.pid}-${Math.random().toString(36).slice(2)}`;

let repos: TestRepos;
let config: Config;
let borgRepo: string;

beforeAll(async () => {
  if (!hasTools) return;
  repos = await createTestRepos();
  borgRepo = await repos.borg('borg', PASS, []);
  const inventory = join(repos.dir, 'inventory.yml');
  await writeFile(
    inventory,
    JSON.stringify({
      all: {
        hosts: {
          localhost: {
            ansible_connection: 'local',
            ansible_python_interpreter: '/usr/bin/python3',
            backup_repositories: {
              'b7-borg': { repo: borgRepo, paths: [join(repos.dir, 'data')], archive: 'from-ansible' },
            },
          },
        },
      },
    }),
  );
  config = testConfig(
    {
      ansible: { inventory, playbookDir: PLAYBOOKS },
      backups: [
        {
          name: 'b7-borg',
          type: 'borg',
          repo: borgRepo,
          passphrase: PASS,
          job: { playbook: 'backup', tags: ['b7-borg'] },
        },
      ],
    },
    repos.dir,
  );
}, 120_000);
afterAll(() => repos?.cleanup());

describe.skipIf(!hasTools)('backup run with an Ansible job (real ansible-playbook and borg)', () => {
  it('runs backup.yml with the repository tag, then reports the archive the observation found', async () => {
    const db = openDatabase(':memory:');
    const run = recordingRunner({
      ...repos.env,
      ANSIBLE_HOME: join(repos.dir, 'ansible-home'),
      ANSIBLE_LOCAL_TEMP: join(repos.dir, 'ansible-tmp'),
    });
    const posted: ChatMessage[] = [];
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
          post: (_channel, message) => posted.push(message),
          mode: 'post',
          locale: 'fr',
          logger: silentLogger,
        }),
        job: {
          run,
          hosts: { runnerFor: () => run, isLocal: () => true },
          ansible: config.ansible,
          defaultPlaybookDir: PLAYBOOKS,
        },
      },
    });
    const r = await testPipeline(config, { backups }).ask('backup run b7-borg', alice);
    const result = r.data as BackupRunResult;
    expect(result).toMatchObject({ via: 'ansible', outcome: 'ok', exitCode: 0, stats: { archive: 'from-ansible' } });
    expect(r.outcome).toBe('ok');
    const playbook = run.requests.find((q) => q.file === 'ansible-playbook' && !q.args.includes('--list-tasks'));
    expect(playbook?.args).toContain('--tags=b7-borg');
    expect(playbook?.args.at(-1)).toBe(join(PLAYBOOKS, 'backup.yml'));
    expect(playbook?.env?.DETOUR_BACKUP_PASSPHRASE).toBe(PASS);
    for (const q of run.requests) expect(q.args.join(' ')).not.toContain(PASS);
    expect(posted.map((m) => m.body)).toEqual([
      expect.stringMatching(/^sauvegarde b7-borg : ok en \d+ s — archive from-ansible$/),
    ]);
  });
});
