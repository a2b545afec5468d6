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
  {
    version: 3,
    name: 'probe samples',
    sql: `
      CREATE TABLE probe_samples (
        id       INTEGER PRIMARY KEY,
        host     TEXT    NOT NULL,               -- configured host name, or a certificate's URL or file path
        kind     TEXT    NOT NULL,               -- disk, memory, load, systemd, luks, certificate
        taken_at TEXT    NOT NULL,               -- ISO 8601, UTC
        ok       INTEGER NOT NULL,               -- 1: data holds the sample; 0: error says why there is none
        data     TEXT,                           -- the sample as JSON
        error    TEXT                            -- short, secret-free explanation
      );
      CREATE INDEX probe_samples_host_kind ON probe_samples (host, kind, taken_at);
      CREATE INDEX probe_samples_taken_at ON probe_samples (taken_at);
    `,
  },
  {
    version: 4,
    name: 'chat: delivery queue, confirmations, secret prompts',
    sql: `
      -- Channel messages waiting for their platform, delivered in order, kept until delivered.
      CREATE TABLE outbox (
        id              INTEGER PRIMARY KEY,
        platform        TEXT    NOT NULL,
        channel         TEXT    NOT NULL,     -- logical channel (infra) or platform channel (#infra, id)
        message         TEXT    NOT NULL,     -- JSON ChatMessage
        created_at      TEXT    NOT NULL,
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT    NOT NULL,
        last_error      TEXT,
        delivered_at    TEXT,
        failed_at       TEXT                  -- given up: the error cannot heal by waiting
      );
      CREATE INDEX outbox_pending ON outbox (platform, id) WHERE delivered_at IS NULL AND failed_at IS NULL;

      -- Confirmations of commands that change something: bound to one user, expiring, used once.
      CREATE TABLE confirmations (
        id          TEXT    PRIMARY KEY,      -- random, carried by the buttons
        platform    TEXT    NOT NULL,
        user_id     TEXT    NOT NULL,         -- platform user who asked; only they may confirm
        actor       TEXT    NOT NULL,         -- e-mail
        text        TEXT    NOT NULL,         -- the command line to run once confirmed
        channel_id  TEXT    NOT NULL,
        reply_to    TEXT,                     -- JSON: where to answer (response_url, post id)
        created_at  TEXT    NOT NULL,
        expires_at  TEXT    NOT NULL,
        state       TEXT    NOT NULL,         -- pending, confirmed, cancelled, expired
        decided_at  TEXT,
        decided_by  TEXT
      );

      -- One-time secret prompts (the unlock passphrase page): the token itself is never stored.
      CREATE TABLE secret_prompts (
        token_hash  TEXT    PRIMARY KEY,      -- SHA-256 of the token in the link
        platform    TEXT    NOT NULL,
        user_id     TEXT    NOT NULL,
        actor       TEXT    NOT NULL,
        purpose     TEXT    NOT NULL,         -- what it is for, shown on the page ("unlock dataproxies")
        created_at  TEXT    NOT NULL,
        expires_at  TEXT    NOT NULL,
        used_at     TEXT
      );
    `,
  },
  {
    version: 5,
    name: 'scheduler: job runs',
    sql: `
      -- One row per scheduled slot of a job (and per manual run): the UNIQUE key is what makes a
      -- slot run once, whichever process inserts it first (two bots on one file, a restart).
      CREATE TABLE job_runs (
        id            INTEGER PRIMARY KEY,
        job           TEXT    NOT NULL,         -- probes, backup-check, certs, morning-digest, monthly-report
        scheduled_for TEXT,                     -- the slot, ISO 8601 UTC; NULL for a manual run
        trigger       TEXT    NOT NULL,         -- schedule, catch-up, manual
        status        TEXT    NOT NULL,         -- running, ok, failed, error, unavailable, skipped, interrupted
        started_at    TEXT    NOT NULL,         -- ISO 8601 UTC
        finished_at   TEXT,
        detail        TEXT,                     -- short, secret-free explanation
        audit_id      INTEGER,                  -- the audit row of the run (none when skipped)
        owner         TEXT    NOT NULL,         -- process that claimed the slot (see process-owner.ts)
        UNIQUE (job, scheduled_for)
      );
      CREATE INDEX job_runs_running ON job_runs (status) WHERE status = 'running';
      CREATE INDEX job_runs_started_at ON job_runs (started_at);
    `,
  },
  {
    version: 6,
    name: 'alerts: current state, history, silences',
    sql: `
      -- One row per key that is not quietly OK: counting breaching samples, firing, or owing the
      -- channel a message held back by a silence. A key with no row is OK and owes nothing.
      CREATE TABLE alert_state (
        key              TEXT    PRIMARY KEY,  -- disk:b7-srv:/srv, cert:epicerieledetour.org, locked:dataproxies
        kind             TEXT    NOT NULL,
        state            TEXT    NOT NULL,     -- idle, pending, firing
        severity         TEXT,                 -- warn, crit (pending and firing)
        peak             TEXT,                 -- highest severity posted in this episode
        stage            INTEGER NOT NULL DEFAULT 0,  -- certificate thresholds crossed and posted
        count            INTEGER NOT NULL DEFAULT 0,  -- consecutive breaching samples
        identity         TEXT,                 -- what the alert is about (a certificate's fingerprint)
        summary          TEXT    NOT NULL,     -- latest one-line description, in the configured locale
        hint             TEXT,                 -- what to do (the unlock command)
        value            REAL,
        first_at         TEXT    NOT NULL,     -- first breaching sample of the episode
        fired_at         TEXT,
        last_at          TEXT    NOT NULL,     -- latest sample that changed the row
        last_posted_at   TEXT,                 -- latest message posted (reminders count from it)
        announced        INTEGER NOT NULL DEFAULT 0,  -- 1: the channel's last word on this key is "firing"
        resolved_at      TEXT,                 -- latest resolution, while its message is still owed
        resolved_ms      INTEGER
      );

      -- What fired, resolved or was silenced, for the digest and the monthly report.
      CREATE TABLE alert_events (
        id          INTEGER PRIMARY KEY,
        key         TEXT    NOT NULL,
        kind        TEXT    NOT NULL,
        event       TEXT    NOT NULL,          -- fired, resolved, silenced
        at          TEXT    NOT NULL,          -- ISO 8601, UTC
        summary     TEXT    NOT NULL,
        severity    TEXT,                      -- fired: warn, crit
        duration_ms INTEGER,                   -- resolved: how long it fired; silenced: for how long
        by          TEXT                       -- silenced: who
      );
      CREATE INDEX alert_events_at ON alert_events (at);
      CREATE INDEX alert_events_key ON alert_events (key);

      -- Messages of a key held back until \`until\`; the row goes once the silence is over.
      CREATE TABLE alert_silences (
        key        TEXT PRIMARY KEY,
        until      TEXT NOT NULL,
        by         TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
    `,
  },
  {
    version: 7,
    name: 'backup checks (pings) and finished-backup summaries',
    sql: `
      -- One row per configured check: what the overdue test reads.
      CREATE TABLE backup_checks (
        name            TEXT    PRIMARY KEY,
        first_seen_at   TEXT    NOT NULL,     -- when the bot first knew the check: overdue counts from here until a success
        last_start_at   TEXT,                 -- ISO 8601, UTC
        last_success_at TEXT,
        last_failure_at TEXT,
        window_start_at TEXT,                 -- per-check rate limit on stored events
        window_events   INTEGER NOT NULL DEFAULT 0,
        dropped_events  INTEGER NOT NULL DEFAULT 0  -- pings counted in the state but not stored as events
      );

      -- One row per ping kept (start, success, fail), bounded per check and by retention.
      CREATE TABLE backup_check_events (
        id         INTEGER PRIMARY KEY,
        check_name TEXT    NOT NULL,
        kind       TEXT    NOT NULL,          -- start, success, fail
        at         TEXT    NOT NULL,
        log        TEXT                       -- clipped, secret-free log tail (fail only)
      );
      CREATE INDEX backup_check_events_check ON backup_check_events (check_name, at);
      CREATE INDEX backup_check_events_at ON backup_check_events (at);

      -- Every finished backup (run by the bot or reported by a ping), for the channel and the digest.
      CREATE TABLE backup_summaries (
        id          INTEGER PRIMARY KEY,
        name        TEXT    NOT NULL,         -- repository or check
        source      TEXT    NOT NULL,         -- run, ping
        outcome     TEXT    NOT NULL,         -- ok, warning, failed
        finished_at TEXT    NOT NULL,
        posted      INTEGER NOT NULL,         -- 1: posted one by one; 0: left for the digest
        data        TEXT    NOT NULL          -- the summary as JSON
      );
      CREATE INDEX backup_summaries_finished_at ON backup_summaries (finished_at);
    `,
  },
  {
    version: 8,
    name: 'the numbers the monthly report reads, out of the probe samples',
    sql: `
      -- Taken out of each probe sample when it is stored (see sample-store.ts): a month of them
      -- is read from the index alone, without parsing each sample's JSON.
      CREATE TABLE sample_points (
        id       INTEGER PRIMARY KEY,
        kind     TEXT    NOT NULL,   -- disk: a mount's used %; memory: used %; load: 1-minute load per core;
                                     -- reach: 1 when the host's disk probe answered, 0 when it failed
        taken_at TEXT    NOT NULL,   -- the sample's time
        host     TEXT    NOT NULL,
        name     TEXT    NOT NULL,   -- the mount point for disk, '' otherwise
        value    REAL    NOT NULL
      );
      CREATE INDEX sample_points_kind_taken_at ON sample_points (kind, taken_at, host, name, value);

      INSERT INTO sample_points (kind, taken_at, host, name, value)
        SELECT 'disk', s.taken_at, s.host, m.value ->> 'mountPoint', m.value ->> 'usedPercent'
        FROM probe_samples s, json_each(s.data, '$.mounts') m
        WHERE s.kind = 'disk' AND s.ok = 1 AND m.value ->> 'usedPercent' IS NOT NULL;
      INSERT INTO sample_points (kind, taken_at, host, name, value)
        SELECT 'reach', taken_at, host, '', ok FROM probe_samples WHERE kind = 'disk';
      INSERT INTO sample_points (kind, taken_at, host, name, value)
        SELECT 'memory', taken_at, host, '', data ->> 'usedPercent' FROM probe_samples
        WHERE kind = 'memory' AND ok = 1 AND data ->> 'usedPercent' IS NOT NULL;
      INSERT INTO sample_points (kind, taken_at, host, name, value)
        SELECT 'load', taken_at, host, '', data ->> 'load1PerCore' FROM probe_samples
        WHERE kind = 'load' AND ok = 1 AND data ->> 'load1PerCore' IS NOT NULL;

      -- The report reads the certificates' samples by kind over two months.
      CREATE INDEX probe_samples_kind_taken_at ON probe_samples (kind, taken_at);
    `,
  },
];
