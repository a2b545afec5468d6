import { spawnSync } from 'node:child_process';
import { chmod, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { watchProcesses } from '../support/process-list.js';
import { createTestRepos, type TestRepos } from '../support/repos.js';

/*
 * playbooks/restore.yml with the real borg and restic through ansible-playbook (local connection):
 * into a scratch folder by default, the live path left alone; in place only with restore_to_live.
 * The passphrase goes in as backup.yml's does: the tools are wrapped to start 1.5 s late, and the
 * process list is read all along, so a passphrase in an argv or an environment would be seen.
 */
const RESTORE = fileURLToPath(new URL('../../playbooks/restore.yml', import.meta.url));
const INVENTORY = fileURLToPath(new URL('../fixtures/ansible/inventory.ini', import.meta.url));
const has = (tool: string, ...args: string[]) => spawnSync(tool, args).status === 0;
const hasTools = has('ansible-playbook', '--version') && has('borg', '--version') && has('restic', 'version');
const CANARY = `restore-canary-${process.pid}-${Math.random().toString(36).slice(2)}`;
const ORIGINAL = 'article;quantite\nfarine;12\n';
const CHANGED = 'article;quantite\nfarine;0\n';

let repos: TestRepos;
let borgRepo: string;
let resticRepo: string;
let slowBin: string;
let live: string;

beforeAll(async () => {
  if (!hasTools) return;
  repos = await createTestRepos();
  [borgRepo, resticRepo] = await Promise.all([
    repos.borg('borg', CANARY, [{ name: 'nightly' }]),
    repos.restic('restic', CANARY, [{}]),
  ]);
  live = join(repos.dir, 'data', 'stock.csv');
  slowBin = join(repos.dir, 'slow-bin');
  await mkdir(slowBin);
  for (const tool of ['borg', 'restic']) {
    const real = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
    await writeFile(join(slowBin, tool), `#!/bin/sh\nsleep 1.5\nexec ${real} "$@"\n`);
    await chmod(join(slowBin, tool), 0o755);
  }
}, 120_000);
afterAll(() => repos?.cleanup());

function restore(tags: string[], vars: Record<string, unknown>, passphrase = CANARY) {
  const dir = repos.dir;
  return execa(
    'ansible-playbook',
    [
      `--inventory=${INVENTORY}`,
      '--limit=localhost',
      `--tags=${tags.join(',')}`,
      `--extra-vars=${JSON.stringify({
        backup_repositories: {
          'b7-borg': { type: 'borg', repo: borgRepo, paths: [join(dir, 'data')] },
          'b7-restic': { type: 'restic', repo: resticRepo, paths: [join(dir, 'data')] },
        },
        restore_scratch_root: join(dir, 'scratch'),
        ...vars,
      })}`,
      RESTORE,
    ],
    {
      reject: false,
      extendEnv: false,
      env: {
        PATH: `${slowBin}:${process.env.PATH}`,
        HOME: process.env.HOME ?? '/root',
        ...repos.env,
        ANSIBLE_HOME: join(dir, 'ansible-home'),
        ANSIBLE_LOCAL_TEMP: join(dir, 'ansible-local'),
        ANSIBLE_NOCOLOR: '1',
        DETOUR_BACKUP_PASSPHRASE: passphrase,
      },
    },
  );
}

/** The one dated folder restore.yml made under scratch/<repository>/. */
async function scratchFolder(repository: string): Promise<string> {
  const root = join(repos.dir, 'scratch', repository);
  const dated = await readdir(root);
  expect(dated).toHaveLength(1);
  expect(dated[0]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{6}$/);
  return join(root, dated[0] as string);
}

describe.skipIf(!hasTools)('playbooks/restore.yml', () => {
  it('restores borg and restic into a scratch folder, leaves the live file alone, and never shows the passphrase', async () => {
    await writeFile(live, CHANGED);
    const { result, seen, looks } = await watchProcesses(restore(['b7-borg', 'b7-restic'], {}), CANARY, [
      'BORG_PASSPHRASE',
      'RESTIC_PASSWORD',
    ]);
    expect(result.exitCode, result.stdout).toBe(0);
    expect(result.stdout).not.toContain(CANARY);
    expect(looks).toBeGreaterThan(20);
    // Only ansible-playbook itself holds it (in DETOUR_BACKUP_PASSPHRASE): never an argv, never the tools' variables.
    expect(seen).toEqual([]);

    // Borg and restic both keep the absolute path under the destination.
    for (const repository of ['b7-borg', 'b7-restic']) {
      const restored = join(await scratchFolder(repository), repos.dir, 'data', 'stock.csv');
      expect(await readFile(restored, 'utf8')).toBe(ORIGINAL);
    }
    expect(await readFile(live, 'utf8')).toBe(CHANGED);
    // Nor in a file: ansible's folders, the restored files, the shared temporary folders.
    const grep = spawnSync('grep', ['-rlsF', '--', CANARY, repos.dir, '/var/tmp'], { encoding: 'utf8' });
    expect(grep.stdout).toBe('');
  });

  it('restores in place only with restore_to_live=true, and only the paths asked for', async () => {
    await writeFile(live, CHANGED);
    await writeFile(join(repos.dir, 'data', 'new.txt'), 'not in the backup\n');
    const result = await restore(['b7-restic'], { restore_to_live: true, restore_paths: [live] });
    expect(result.exitCode, result.stdout).toBe(0);
    expect(await readFile(live, 'utf8')).toBe(ORIGINAL);
    expect(await readFile(join(repos.dir, 'data', 'new.txt'), 'utf8')).toBe('not in the backup\n');

    await writeFile(live, CHANGED);
    const borg = await restore(['b7-borg'], { restore_to_live: true, restore_archive: 'nightly' });
    expect(borg.exitCode, borg.stdout).toBe(0);
    expect(await readFile(live, 'utf8')).toBe(ORIGINAL);
  });

  it('says so when the passphrase is wrong or missing, and restores nothing without a tag', async () => {
    const wrong = await restore(['b7-borg'], {}, 'not-the-passphrase');
    expect(wrong.exitCode).toBe(2);
    expect(wrong.stdout).not.toContain('not-the-passphrase');
    expect(wrong.stdout).toMatch(/borg list failed for b7-borg/);

    const missing = await restore(['b7-restic'], {}, '');
    expect(missing.exitCode).toBe(2);
    expect(missing.stdout).toContain('no passphrase given for b7-restic');

    const untagged = await restore(['nothing-of-that-name'], {});
    expect(untagged.exitCode, untagged.stdout).toBe(0);
    expect(untagged.stdout).toMatch(/changed=0/);
  });
});
