import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type Sqlite from 'better-sqlite3';
import type { Logger } from '../core/logger.js';
import { requireCjs } from '../require-cjs.js';
import { migrations as allMigrations, type Migration } from './migrations/index.js';

const Database = requireCjs('better-sqlite3') as typeof Sqlite;

export type Db = Sqlite.Database;

export interface OpenOptions {
  migrations?: readonly Migration[];
  /** Told when an existing database file was readable by others (and is no longer). */
  logger?: Pick<Logger, 'warn'>;
}

// The file holds the audit (who ran what) and pending confirmations: for the bot's user only.
const PRIVATE = 0o600;
// How long a writer waits for another one (another process) before SQLITE_BUSY.
const BUSY_WAIT_MS = 5_000;

/**
 * Opens the one SQLite file: WAL so readers (a one-shot `detour run`) never
 * block the serving bot, a busy timeout so concurrent writers wait instead of
 * failing, then applies pending migrations in one transaction each.
 */
export function openDatabase(path: string, options: OpenOptions = {}): Db {
  if (path !== ':memory:' && path !== '') {
    mkdirSync(dirname(path), { recursive: true });
    makePrivate(path, options.logger);
  }
  const db = new Database(path);
  // First: switching to WAL and migrating take locks that another process starting at the same
  // moment may hold for a few milliseconds.
  db.pragma(`busy_timeout = ${BUSY_WAIT_MS}`);
  enableWal(db);
  // In WAL mode NORMAL never corrupts the file; it only skips an fsync per commit, which would
  // otherwise stall the event loop on every audit row.
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  migrate(db, options.migrations ?? allMigrations);
  return db;
}

/**
 * Turning a new file to WAL needs it alone for a moment, and SQLite answers
 * SQLITE_BUSY at once there instead of calling the busy handler: seen when two
 * processes open a new database together. Retried for as long as the busy
 * timeout would have waited (start-up only, so a blocking sleep is fine).
 */
function enableWal(db: Db): void {
  const deadline = Date.now() + BUSY_WAIT_MS;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() > deadline) throw error;
      Atomics.wait(pause, 0, 0, 10);
    }
  }
}

/**
 * SQLite creates `-wal` and `-shm` with the database file's mode, so creating
 * the file 0600 first is enough for all three. An older, world-readable file
 * (and its companions) is narrowed, with a warning.
 */
function makePrivate(path: string, logger: OpenOptions['logger']): void {
  try {
    closeSync(openSync(path, 'wx', PRIVATE));
    return;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    const mode = statSync(file, { throwIfNoEntry: false })?.mode;
    if (mode === undefined || (mode & 0o077) === 0) continue;
    chmodSync(file, PRIVATE);
    logger?.warn(
      { file, mode: `0${(mode & 0o777).toString(8)}` },
      'database file was readable by other users; made it 0600',
    );
  }
}

/**
 * Two processes opening a new database at once would both read version 0 and
 * both create the tables. The write lock is taken before `user_version` is
 * read again, so the second one waits, then sees the first one's work. All
 * pending migrations apply together or not at all.
 */
function migrate(db: Db, migrations: readonly Migration[]): void {
  const latest = migrations.at(-1)?.version ?? 0;
  const pending = () => {
    const current = db.pragma('user_version', { simple: true }) as number;
    if (current > latest) {
      throw new Error(
        `database schema version ${current} is newer than this detour-bot (${latest}): upgrade detour-bot or use another database file`,
      );
    }
    return migrations.filter((m) => m.version > current);
  };
  // Versions only grow: up to date outside the lock is up to date for good, and costs no lock.
  if (pending().length === 0) return;
  db.transaction(() => {
    for (const m of pending()) {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    }
  }).immediate();
}
