/**
 * Numbered migrations, applied in order at start-up, each once. The database's
 * `user_version` records the last one applied. Never edit a released
 * migration: add the next number.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'audit',
    sql: `
      CREATE TABLE audit (
        id          INTEGER PRIMARY KEY,
        started_at  TEXT    NOT NULL,            -- ISO 8601, UTC
        finished_at TEXT,
        duration_ms INTEGER,
        actor       TEXT    NOT NULL,            -- e-mail, local:<user> or scheduler
        platform    TEXT    NOT NULL,            -- console, slack, mattermost, scheduler
        command     TEXT,                        -- command name once parsed ("backup status")
        text        TEXT    NOT NULL,            -- what was typed
        status      TEXT    NOT NULL,            -- running, ok, failed, denied, usage, error, interrupted
        detail      TEXT,                        -- short, secret-free explanation
        owner       TEXT    NOT NULL             -- host:pid of the process that wrote the row
      );
      CREATE INDEX audit_started_at ON audit (started_at);
      CREATE INDEX audit_running ON audit (status) WHERE status = 'running';
    `,
  },
  {
    version: 2,
    name: 'backup observations',
    sql: `
      CREATE TABLE backup_observations (
        id                INTEGER PRIMARY KEY,
        repo              TEXT    NOT NULL,
        type              TEXT    NOT NULL,      -- borg, restic
        observed_at       TEXT    NOT NULL,      -- ISO 8601, UTC
        outcome           TEXT    NOT NULL,      -- ok, wrong_passphrase, locked, missing, timeout, not_installed, error
        detail            TEXT,
        last_archive_name TEXT,
        last_archive_at   TEXT,                  -- ISO 8601, UTC
        archive_count     INTEGER,
        size_bytes        INTEGER,
        duration_ms       INTEGER NOT NULL
      );
      CREATE INDEX backup_observations_repo ON backup_observations (repo, observed_at);
    `,
  },
];
