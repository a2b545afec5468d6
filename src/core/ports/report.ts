/**
 * The monthly report port: what the scheduler (1st of the month, 09:00, to the `reports`
 * channel), the `report [YYYY-MM]` command and `detour report monthly` ask for. Everything in
 * it is read from the SQLite store; nothing is probed. Times are ISO 8601 in UTC; a month is
 * `YYYY-MM` in the configured time zone.
 */

/** One person's (or the scheduler's) use of one command during the month. */
export interface ActivityRow {
  actor: string;
  /** The parsed command ("backup status"), or the typed text's first word when it did not parse. */
  command: string;
  runs: number;
  ok: number;
  /** failed, error and interrupted runs. */
  failed: number;
  /** Refused: not allowed, or bad usage. */
  refused: number;
}

export interface ActivityFigures {
  /** People's commands (the scheduler's job runs are counted apart, in `scheduled`). */
  rows: ActivityRow[];
  /** Totals over `rows`. */
  runs: number;
  ok: number;
  failed: number;
  refused: number;
  /** Ansible playbook runs (`ansible run …`), also counted in rows. */
  ansibleRuns: number;
  ansibleFailed: number;
  /** Scheduled job runs (actor `scheduler`). */
  scheduled: { runs: number; failed: number };
  /** The latest failures, the scheduler's included (newest first, at most 10): when, who, what, why. */
  failures: { at: string; actor: string; text: string; detail: string | null }[];
}

export interface BackupFigures {
  name: string;
  type: string;
  /** Archives or snapshots whose time falls within the month (seen by the bot's observations). */
  archives: number;
  /** Days of the month (up to the end of the month or now) without a new archive. */
  missedDays: string[];
  /** Repository size from the first and last observation of the month; null when none was made. */
  sizeStartBytes: number | null;
  sizeEndBytes: number | null;
  /** The last observation of the month: its outcome (ok, wrong_passphrase, locked, …) and time. */
  lastCheck: { at: string; outcome: string } | null;
  /** Daily repository size (the last observation of each day), for the chart. */
  sizes: { day: string; bytes: number }[];
}

export interface MountFigures {
  host: string;
  mount: string;
  /** Used percent at the first and last sample of the month, and its peak with when. */
  start: number | null;
  end: number | null;
  peak: { percent: number; at: string } | null;
  /** Daily peak used percent, for the chart. */
  daily: { day: string; percent: number }[];
}

export interface HostPeaks {
  host: string;
  memoryPeak: { percent: number; at: string } | null;
  /** Load per core (1-minute average). */
  loadPeak: { perCore: number; at: string } | null;
  samples: number;
  /** Samples that found the host unreachable or failing. */
  failedSamples: number;
}

export interface IncidentFigures {
  fired: number;
  resolved: number;
  /** Time in alert summed over episodes resolved in the month plus the part of those still firing. */
  timeInAlertMs: number;
  longest: { key: string; summary: string; durationMs: number; ongoing: boolean } | null;
  /** Per alert kind (disk, cert, backup, …): fired count. */
  byKind: { kind: string; fired: number }[];
  /** Successful `unlock` commands (after reboots): when, who, which target. */
  unlocks: { at: string; actor: string; target: string }[];
}

export interface CertificateFigures {
  /** Certificates whose fingerprint changed during the month. */
  renewed: { name: string; at: string; notAfter: string }[];
  /** Certificates whose last known notAfter falls within the next month. */
  expiringNextMonth: { name: string; notAfter: string }[];
}

export interface MonthlyReportData {
  /** YYYY-MM, in the configured time zone. */
  month: string;
  /** The month's bounds in UTC: [from, to). */
  from: string;
  to: string;
  /** When the report was built; for the current month the figures stop here. */
  builtAt: string;
  activity: ActivityFigures;
  backups: BackupFigures[];
  mounts: MountFigures[];
  hosts: HostPeaks[];
  incidents: IncidentFigures;
  certificates: CertificateFigures;
}

/** A chart, rendered to PNG. */
export interface ReportChart {
  /** File name under the report's folder: `disk-2026-11.png`. */
  fileName: string;
  title: string;
  png: Uint8Array;
}

export interface MonthlyReport {
  data: MonthlyReportData;
  /** The chat message: headline figures, in the configured locale. */
  title: string;
  body: string;
  markdown: string;
  charts: ReportChart[];
  /** Files written (the Markdown and the charts), absolute paths; empty when nothing was written. */
  files: string[];
}

export interface ReportOptions {
  /** YYYY-MM; default the previous month. */
  month?: string;
  /** Folder to write the files to; default `<data folder>/reports/YYYY-MM`. */
  outDir?: string;
  /** Build without the charts (the benchmark measures both). */
  charts?: boolean;
  /**
   * false: the figures and text only; no chart drawn, no file written (what a chat request gets:
   * asking in the chat never writes to the bot's disk).
   */
  files?: boolean;
}

export interface ReportService {
  monthly(options?: ReportOptions): Promise<MonthlyReport>;
}
