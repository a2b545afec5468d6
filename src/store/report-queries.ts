/**
 * The monthly report's aggregate queries, as SQL text with named parameters (`:from`, `:to`,
 * `:days`, `:lookback`) so the benchmark can run exactly these with the `sqlite3` CLI. Every query reads a
 * time range through an index (CROSS JOIN keeps the small side outside: SQLite's planner would
 * otherwise scan a year of points once per day). Disk, memory and load figures come from `sample_points` (numbers
 * taken out of each sample when it is stored): a month of them is read from its index alone.
 *
 * Parameters: `:from` and `:to` bound the month in UTC ISO text ([from, to)); `:days` is a JSON
 * array of `[day, fromIso, toIso]`, the month's local days in UTC (see month-range.ts), so daily
 * figures follow the configured time zone, daylight-saving days included.
 */
export const REPORT_QUERIES = {
  /** Per actor and command: runs and how they ended. Rows waiting for a confirmation are left out. */
  activity: `
    SELECT actor, COALESCE(command, '?') AS command, count(*) AS runs,
           sum(status = 'ok') AS ok,
           sum(status IN ('failed', 'error', 'interrupted')) AS failed,
           sum(status IN ('denied', 'usage')) AS refused
    FROM audit
    WHERE started_at >= :from AND started_at < :to AND status NOT IN ('confirm', 'running')
    GROUP BY actor, command
    ORDER BY runs DESC, actor, command`,

  /** The month's latest failures. */
  failures: `
    SELECT started_at AS at, actor, text, detail
    FROM audit
    WHERE started_at >= :from AND started_at < :to AND status IN ('failed', 'error', 'interrupted')
    ORDER BY started_at DESC, id DESC
    LIMIT 10`,

  /**
   * Partitions unlocked (after reboots): the target is the command's argument. A passphrase
   * check (`--check`) ends ok too, but its detail says so (see commands/unlock.ts).
   */
  unlocks: `
    SELECT started_at AS at, actor, text
    FROM audit
    WHERE started_at >= :from AND started_at < :to AND command = 'unlock' AND status = 'ok' AND detail = 'unlocked'
    ORDER BY started_at`,

  /** Every repository's observations of the month, oldest first (an hourly check: ~750 each). */
  backupObservations: `
    SELECT repo, type, observed_at, outcome, last_archive_at, size_bytes
    FROM backup_observations
    WHERE observed_at >= :from AND observed_at < :to
    ORDER BY repo, observed_at, id`,

  /** Per host and mount and local day: the peak used percent and when it was reached. */
  diskDaily: `
    WITH days(day, day_from, day_to) AS (
      SELECT value ->> 0, value ->> 1, value ->> 2 FROM json_each(:days)
    )
    SELECT p.host, p.name AS mount, d.day, max(p.value) AS peak, p.taken_at AS at
    FROM days d
    CROSS JOIN sample_points p ON p.kind = 'disk' AND p.taken_at >= d.day_from AND p.taken_at < d.day_to
    GROUP BY p.host, p.name, d.day
    ORDER BY p.host, p.name, d.day`,

  /** Per host and mount: used percent at the month's first and last disk sample of that host. */
  diskEnds: `
    WITH ends AS (
      SELECT host, min(taken_at) AS first_at, max(taken_at) AS last_at
      FROM sample_points
      WHERE kind = 'disk' AND taken_at >= :from AND taken_at < :to
      GROUP BY host
    )
    SELECT p.host, p.name AS mount, p.taken_at AS at, p.value AS percent, p.taken_at = e.first_at AS is_first
    FROM ends e
    CROSS JOIN sample_points p ON p.kind = 'disk' AND p.taken_at IN (e.first_at, e.last_at) AND p.host = e.host
    ORDER BY p.host, p.name, p.taken_at`,

  /** Per host: memory peak (used percent) and when. */
  memoryPeaks: `
    SELECT host, max(value) AS peak, taken_at AS at
    FROM sample_points
    WHERE kind = 'memory' AND taken_at >= :from AND taken_at < :to
    GROUP BY host`,

  /** Per host: 1-minute load per core peak and when. */
  loadPeaks: `
    SELECT host, max(value) AS peak, taken_at AS at
    FROM sample_points
    WHERE kind = 'load' AND taken_at >= :from AND taken_at < :to
    GROUP BY host`,

  /** Per host: disk probe rounds, and those that failed (host unreachable or df failing). */
  hostSamples: `
    SELECT host, count(*) AS samples, sum(value = 0) AS failed
    FROM sample_points
    WHERE kind = 'reach' AND taken_at >= :from AND taken_at < :to
    GROUP BY host`,

  /**
   * Alerts fired during the month, and every resolution since its start: an episode that began
   * in the month and ended after it still counts for its part in the month.
   */
  alertEvents: `
    SELECT key, kind, event, at, summary, duration_ms
    FROM alert_events
    WHERE at >= :from AND ((event = 'fired' AND at < :to) OR event = 'resolved')
    ORDER BY at, id`,

  /** Alerts still firing (their episodes may have begun before the month). */
  alertsFiring: `
    SELECT key, kind, summary, fired_at
    FROM alert_state
    WHERE state = 'firing' AND fired_at IS NOT NULL AND fired_at < :to`,

  /**
   * Per certificate target: each fingerprint seen from `:lookback` (a month before the month) to
   * the month's end, when it was first and last seen, and its expiry. The one seen before the
   * month tells whether a renewal happened in it.
   */
  certificates: `
    SELECT host AS name, data ->> 'fingerprint256' AS fingerprint, min(taken_at) AS first_seen,
           max(taken_at) AS last_seen, data ->> 'notAfter' AS not_after
    FROM probe_samples
    WHERE taken_at >= :lookback AND taken_at < :to AND kind = 'certificate' AND ok = 1
    GROUP BY host, fingerprint
    ORDER BY host, first_seen`,
} as const;

export type ReportQuery = keyof typeof REPORT_QUERIES;
