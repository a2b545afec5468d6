import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/*
 * playbooks/bot-state.yml: the bot's database (SQLite online backup, taken while a connection holds
 * rows still in the WAL) and its configuration folder into one tarball, and back.
 */
const BOT_STATE = fileURLToPath(new URL('../../playbooks/bot-state.yml', import.meta.url));
const INVENTORY = fileURLToPath(new URL('../fixtures/ansible/inventory.ini', import.meta.url));
const hasTools =
  spawnSync('ansible-playbook', ['--version']).status === 0 && spawnSync('sqlite3', ['--version']).status === 0;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'detour-bot-state-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function botState(tag: 'backup' | 'restore', vars: Record<string, unknown> = {}) {
  return execa(
    'ansible-playbook',
    [
      `--inventory=${INVENTORY}`,
      '--limit=localhost',
      `--tags=${tag}`,
      `--extra-vars=${JSON.stringify({
        bot_state_database: join(dir, 'data', 'detour.db'),
        bot_state_config_dir: join(dir, 'etc'),
        bot_state_dir: join(dir, 'backups'),
        bot_state_service: '',
        ...vars,
      })}`,
      BOT_STATE,
    ],
    {
      reject: false,
      env: {
        ANSIBLE_HOME: join(dir, 'ansible-home'),
        ANSIBLE_LOCAL_TEMP: join(dir, 'ansible-local'),
        ANSIBLE_NOCOLOR: '1',
      },
    },
  );
}

const rows = (db: Database.Database) => db.prepare('SELECT id, what FROM audit ORDER BY id').all();

describe.skipIf(!hasTools)('playbooks/bot-state.yml', () => {
  it('backs up the database and the config into a private tarball, and restores both', async () => {
    await mkdir(join(dir, 'data'));
    await mkdir(join(dir, 'etc', 'secrets'), { recursive: true });
    await writeFile(join(dir, 'etc', 'detour.yaml'), 'locale: fr\n');
    await writeFile(join(dir, 'etc', 'secrets', 'b7-borg'), 'passphrase\n', { mode: 0o600 });

    // The bot's way: WAL, and rows not yet checkpointed while the backup runs.
    const db = new Database(join(dir, 'data', 'detour.db'));
    db.pragma('journal_mode = WAL');
    db.pragma('wal_autocheckpoint = 0');
    db.exec('CREATE TABLE audit (id INTEGER PRIMARY KEY, what TEXT NOT NULL)');
    const insert = db.prepare('INSERT INTO audit (what) VALUES (?)');
    for (let i = 0; i < 500; i++) insert.run(`backup run b7-borg #${i}`);
    const before = rows(db);
    expect((await stat(join(dir, 'data', 'detour.db-wal'))).size).toBeGreaterThan(0);

    const backup = await botState('backup');
    expect(backup.exitCode, backup.stdout).toBe(0);
    const tarballs = await readdir(join(dir, 'backups'));
    expect(tarballs).toHaveLength(1);
    expect(tarballs[0]).toMatch(/^detour-bot-state-\d{4}-\d{2}-\d{2}T\d{6}\.tar\.gz$/);
    const tarball = join(dir, 'backups', tarballs[0] as string);
    expect((await stat(tarball)).mode & 0o777).toBe(0o600);
    const listing = spawnSync('tar', ['--list', '--gzip', `--file=${tarball}`], { encoding: 'utf8' }).stdout;
    expect(listing).toMatch(/^database\/detour\.db$/m);
    expect(listing).toMatch(/^config\/secrets\/b7-borg$/m);

    // Things change after the backup...
    db.exec("DELETE FROM audit WHERE id > 10; INSERT INTO audit (what) VALUES ('after the backup')");
    const after = rows(db);
    db.close();
    await writeFile(join(dir, 'etc', 'detour.yaml'), 'locale: en\n');

    // ...and the restore puts them back.
    const restore = await botState('restore', { bot_state_archive: tarball });
    expect(restore.exitCode, restore.stdout).toBe(0);
    const restored = new Database(join(dir, 'data', 'detour.db'), { readonly: true });
    expect(rows(restored)).toEqual(before);
    expect(restored.pragma('integrity_check', { simple: true })).toBe('ok');
    restored.close();
    expect(await readFile(join(dir, 'etc', 'detour.yaml'), 'utf8')).toBe('locale: fr\n');
    expect(await readFile(join(dir, 'etc', 'secrets', 'b7-borg'), 'utf8')).toBe('passphrase\n');

    // The database as it was before the restore is kept beside it.
    const kept = (await readdir(join(dir, 'data'))).filter((name) => name.startsWith('detour.db.before-restore-'));
    expect(kept).toHaveLength(1);
    const previous = new Database(join(dir, 'data', kept[0] as string), { readonly: true });
    expect(rows(previous)).toEqual(after);
    previous.close();
  });

  it('asks for the tarball to restore, and does nothing without a tag', async () => {
    const missing = await botState('restore');
    expect(missing.exitCode).toBe(2);
    expect(missing.stdout).toContain('give the tarball to restore');

    const untagged = await execa('ansible-playbook', [`--inventory=${INVENTORY}`, '--limit=localhost', BOT_STATE], {
      reject: false,
      env: { ANSIBLE_HOME: join(dir, 'ansible-home'), ANSIBLE_NOCOLOR: '1' },
    });
    expect(untagged.exitCode, untagged.stdout).toBe(0);
    expect(untagged.stdout).not.toContain('TASK [');
  });
});
