import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type Sqlite from 'better-sqlite3';
import { requireCjs } from '../require-cjs.js';
import type { Db } from './database.js';

const Database = requireCjs('better-sqlite3') as typeof Sqlite;

/*
 * Who wrote a `running` audit row, and whether that process still lives. PIDs and host names lie:
 * a PID is reused, the bot in a container is PID 1 after every restart, a new container gets a new
 * host name, and a `detour run` in another container sharing the volume sees other PIDs. So each
 * process takes a random id and holds an OS lock on a file named after it, in `<database>-owners/`,
 * for as long as it lives. The kernel drops the lock when the process dies, however it dies; a
 * process that can take the lock knows its owner is gone.
 *
 * The lock is SQLite's own (better-sqlite3 is the only way to an fcntl lock without a native
 * add-on): a tiny database in exclusive locking mode, written once so its lock is held.
 */

interface Registration {
  id: string;
  dir: string | undefined;
}

const registrations = new Map<string, Registration>();
// A half-made lock file (created, not yet locked and renamed) is only swept once clearly stale.
const STALE_NEW_MS = 60_000;
const ID = /^@(\d+)\.([0-9a-f]{16})$/;

// A database in memory (or a temporary one) is seen by this process only: no lock file is needed.
const onDisk = (db: Db) => !db.memory && db.name !== '';
const keyOf = (db: Db) => (onDisk(db) ? resolve(db.name) : `memory:${db.name}`);
const dirOf = (db: Db) => (onDisk(db) ? `${resolve(db.name)}-owners` : undefined);
const fileOf = (dir: string, id: string) => join(dir, `${id.slice(1)}.lock`);

/** This process's id for the database, registered (and its lock taken) on first use. */
export function ownerId(db: Db): string {
  const key = keyOf(db);
  const known = registrations.get(key);
  if (known) return known.id;
  const id = `@${process.pid}.${randomBytes(8).toString('hex')}`;
  const dir = dirOf(db);
  if (dir) holdLock(dir, id);
  registrations.set(key, { id, dir });
  return id;
}

/**
 * Whether the process that wrote `id` still runs. Ids of another form (`host:pid`, written by
 * detour-bot before owner locks) cannot be checked: their process is an older version, which the
 * upgrade stopped.
 */
export function ownerAlive(db: Db, id: string): boolean {
  if (registrations.get(keyOf(db))?.id === id) return true;
  const dir = dirOf(db);
  if (!dir || !ID.test(id)) return false;
  return isLocked(fileOf(dir, id));
}

/**
 * Removes the lock files of processes that are gone (killed ones leave theirs behind). Tidying
 * only: a file it cannot remove (permissions changed by hand) stays and is tried at the next
 * start, and the start goes on.
 */
export function sweepOwners(db: Db): void {
  const dir = dirOf(db);
  if (!dir || !existsSync(dir)) return;
  const own = registrations.get(keyOf(db))?.id;
  for (const name of readdirSync(dir)) {
    const file = join(dir, name);
    if (own && file === fileOf(dir, own)) continue;
    const age = Date.now() - (statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0);
    if (name.endsWith('.new') && age < STALE_NEW_MS) continue;
    try {
      if (!isLocked(file)) rmSync(file, { force: true });
    } catch {
      // Left for the next start (see above).
    }
  }
}

function holdLock(dir: string, id: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = fileOf(dir, id);
  // Locked under a temporary name, then renamed: no other process ever sees it unlocked.
  const making = `${file}.new`;
  const lock = new Database(making);
  lock.pragma('locking_mode = EXCLUSIVE');
  lock.pragma('journal_mode = OFF');
  // Nothing in it needs to survive a crash: only the lock matters, so no fsync either.
  lock.pragma('synchronous = OFF');
  lock.exec('CREATE TABLE owner (pid INTEGER)');
  lock.prepare('INSERT INTO owner VALUES (?)').run(process.pid);
  renameSync(making, file);
  process.once('exit', () => {
    lock.close();
    rmSync(file, { force: true });
  });
}

function isLocked(file: string): boolean {
  if (!existsSync(file)) return false;
  let probe: Sqlite.Database | undefined;
  try {
    probe = new Database(file, { fileMustExist: true });
    probe.pragma('busy_timeout = 0');
    probe.exec('BEGIN IMMEDIATE');
    probe.exec('ROLLBACK');
    return false;
  } catch (error) {
    // Anything but "busy" (a file that is not a database, say) is no live owner's lock either.
    return (error as { code?: string }).code === 'SQLITE_BUSY';
  } finally {
    probe?.close();
  }
}
