/**
 * The morning digest port: what the scheduler (weekdays 09:00, to the
 * `digest` channel) and the `digest` command ask for. Times are ISO 8601 in UTC.
 */

/** The digest as text; a chat caller turns it into a ChatMessage (same shape). */
export interface DigestMessage {
  /** "Morning digest, Monday 7 December"; absent when the digest is the single "nothing to report" line. */
  title?: string;
  /** Preformatted text in the configured locale, shown in a monospace block. */
  body: string;
}

export interface DigestOptions {
  /**
   * Start of the period the digest covers (what fired, resolved, was run).
   * The scheduler passes its previous digest's time. Without it: the
   * previous Friday 09:00 on Mondays, 24 hours back on other days.
   */
  since?: string;
}

export interface DigestService {
  digest(options?: DigestOptions): Promise<DigestMessage>;
}

/**
 * One run of a backup job (`backup run`, a ping from borgmatic or cron), for
 * the digest's "backup runs" lines. Optional input: whoever records runs
 * provides them; the digest shows nothing for runs until then.
 */
export interface BackupRunSummary {
  /** Repository or ping check name. */
  name: string;
  /** warning: done, but files were skipped (borg exit 1, restic exit 3). */
  outcome: 'ok' | 'warning' | 'failed' | 'running' | 'missed';
  /** When it finished (or started, while running). */
  at: string;
  /** One short, secret-free line: "1.2 GiB, 12 min", "exit 2". */
  detail?: string;
}
