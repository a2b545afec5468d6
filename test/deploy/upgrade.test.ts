import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/*
 * The role's switch (upgrade) and rollback steps, for real, on folders of ours: the database backed
 * up with sqlite3 before `current` moves, `previous` kept, and a rollback that puts back the
 * database of before a migrating upgrade. systemd is left out (none runs here): the unit's start
 * and stop are the only steps skipped.
 */
const ROLES = fileURLToPath(new URL('../../deploy/ansible/roles/', import.meta.url));
const hasTools =
  spawnSync('ansible-playbook', ['--version']).status === 0 &&
  spawnSync('sqlite3', ['--version']).status === 0 &&
  process.getuid?.() === 0;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'detour-upgrade-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function runRole(tasks: 'switch.yml' | 'rollback.yml', vars: Record<string, unknown>) {
  const play = join(dir, `play-${tasks}`);
  return writeFile(
    play,
    `- name: The role's ${tasks}
  hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: Run it
      ansible.builtin.include_role:
        name: detour_bot
        tasks_from: ${tasks}
`,
  ).then(() =>
    execa(
      'ansible-playbook',
      [
        '--inventory=localhost,',
        play,
        `--extra-vars=${JSON.stringify({
          ansible_python_interpreter: '/usr/bin/python3',
          detour_install_dir: join(dir, 'opt'),
          detour_data_dir: join(dir, 'data'),
          detour_user: 'root',
          detour_systemd_ops: false,
          detour_healthcheck_timeout: 0,
          ...vars,
        })}`,
      ],
      {
        env: { ANSIBLE_HOME: join(dir, 'ansible-home'), ANSIBLE_ROLES_PATH: ROLES, ANSIBLE_NOCOLOR: '1' },
        reject: false,
      },
    ),
  );
}

const upgradeTo = (version: string) =>
  runRole('switch.yml', { detour_version: version, detour_release_path: join(dir, 'opt', 'releases', version) });

function schema(path: string): { version: number; rows: unknown[] } {
  const db = new Database(path, { readonly: true });
  try {
    return {
      version: db.pragma('user_version', { simple: true }) as number,
      rows: db.prepare('SELECT what FROM audit ORDER BY id').all(),
    };
  } finally {
    db.close();
  }
}

describe.skipIf(!hasTools)('upgrade and rollback', () => {
  it('backs up the database before switching, and a rollback puts back the database of before the migration', async () => {
    for (const version of ['0.1.0', '0.2.0']) {
      await mkdir(join(dir, 'opt', 'releases', version), { recursive: true });
      await writeFile(join(dir, 'opt', 'releases', version, '.detour-release'), `${version}\n`);
    }
    await mkdir(join(dir, 'data', 'db-backups'), { recursive: true });
    const database = join(dir, 'data', 'detour.db');
    const db = new Database(database);
    db.pragma('journal_mode = WAL');
    db.exec("CREATE TABLE audit (id INTEGER PRIMARY KEY, what TEXT); INSERT INTO audit (what) VALUES ('before')");
    db.pragma('user_version = 5');
    db.close();

    const first = await upgradeTo('0.1.0');
    expect(first.exitCode, first.stdout).toBe(0);
    expect(await readlink(join(dir, 'opt', 'current'))).toBe(join(dir, 'opt', 'releases', '0.1.0'));

    const upgrade = await upgradeTo('0.2.0');
    expect(upgrade.exitCode, upgrade.stdout).toBe(0);
    expect(await readlink(join(dir, 'opt', 'current'))).toBe(join(dir, 'opt', 'releases', '0.2.0'));
    expect(await readlink(join(dir, 'opt', 'previous'))).toBe(join(dir, 'opt', 'releases', '0.1.0'));
    const backups = await readdir(join(dir, 'data', 'db-backups'));
    const before = backups.find((name) => name.startsWith('detour-0.1.0-to-0.2.0-'));
    expect(before, backups.join(', ')).toBeDefined();
    expect(schema(join(dir, 'data', 'db-backups', before as string))).toEqual({
      version: 5,
      rows: [{ what: 'before' }],
    });

    // The same run again changes nothing.
    const again = await upgradeTo('0.2.0');
    expect(again.stdout).toMatch(/localhost\s+: ok=\d+\s+changed=0\s/);

    // 0.2.0 starts and migrates.
    const migrated = new Database(database);
    migrated.exec("INSERT INTO audit (what) VALUES ('after the upgrade')");
    migrated.pragma('user_version = 6');
    migrated.close();

    const rollback = await runRole('rollback.yml', {});
    expect(rollback.exitCode, rollback.stdout).toBe(0);
    expect(await readlink(join(dir, 'opt', 'current'))).toBe(join(dir, 'opt', 'releases', '0.1.0'));
    expect(await readlink(join(dir, 'opt', 'previous'))).toBe(join(dir, 'opt', 'releases', '0.2.0'));
    expect(schema(database)).toEqual({ version: 5, rows: [{ what: 'before' }] });
    const kept = (await readdir(join(dir, 'data', 'db-backups'))).find((name) => name.startsWith('rolled-back-0.2.0-'));
    expect(kept).toBeDefined();
    expect(schema(join(dir, 'data', 'db-backups', kept as string)).version).toBe(6);

    // "Back" to 0.2.0 now: no backup was taken going from 0.2.0 to 0.1.0, so it stops, changing nothing.
    const refused = await runRole('rollback.yml', {});
    expect(refused.exitCode).toBe(2);
    expect(refused.stdout).toContain('no backup detour-0.2.0-to-0.1.0-*.db');
    expect(await readlink(join(dir, 'opt', 'current'))).toBe(join(dir, 'opt', 'releases', '0.1.0'));
  }, 300_000);
});
