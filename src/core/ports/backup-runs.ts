/** What `backup run`, `backup list` and pushed reports (pings) produce: the shapes commands and the digest read. */
import type { BackupType } from './backups.js';

/** ok: done. warning: done, but some files were skipped (borg exit 1, restic exit 3). failed: no backup. */
export type BackupRunOutcome = 'ok' | 'warning' | 'failed';

/** Figures of one backup, as far as the tool printed them (borg `create --json`, restic `backup --json`). */
export interface BackupRunStats {
  /** borg archive name, or restic snapshot id. */
  archive?: string;
  /** Files in the backup: borg `nfiles`, restic `total_files_processed`. */
  files?: number;
  /** restic only: new, changed, unmodified files. */
  filesNew?: number;
  filesChanged?: number;
  filesUnmodified?: number;
  /** borg `original_size`, restic `total_bytes_processed`. */
  originalBytes?: number;
  /** borg `compressed_size`. */
  compressedBytes?: number;
  /** What the repository grew by: borg `deduplicated_size`, restic `data_added`. */
  deduplicatedBytes?: number;
}

export interface BackupRunResult {
  repo: string;
  type: BackupType;
  /** How the job ran: the configured command (here or on a host), or an Ansible playbook tag. */
  via: 'command' | 'ansible';
  host?: string;
  outcome: BackupRunOutcome;
  exitCode?: number;
  stats: BackupRunStats;
  /** What was skipped (one short line each, at most 20); `warningCount` counts them all. */
  warnings: string[];
  warningCount: number;
  /** Why it failed: short, secret-free. */
  error?: string;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
}

/** How a run is going, for one updated chat message. */
export interface BackupProgress {
  elapsedMs: number;
  /** restic status lines (0..1) when the tool prints them. */
  fraction?: number;
  filesDone?: number;
  bytesDone?: number;
}

export interface BackupArchive {
  /** borg archive name, restic short id. */
  name: string;
  at: string;
  /** restic 0.17+ snapshots carry their summary; borg lists no figures cheaply. */
  files?: number;
  sizeBytes?: number;
}

export interface BackupArchiveList {
  repo: string;
  type: BackupType;
  /** How many archives the repository holds in all. */
  total: number;
  /** The newest, newest first. */
  archives: BackupArchive[];
}

/** One finished backup, run by the bot or reported by a ping, as stored for the channel and the digest. */
export interface BackupSummary {
  /** Repository (run) or check (ping) name. */
  name: string;
  source: 'run' | 'ping';
  /** The repository a check reports on, when configured. */
  repository?: string;
  outcome: BackupRunOutcome;
  finishedAt: string;
  durationMs?: number;
  stats?: BackupRunStats;
  warnings?: string[];
  warningCount?: number;
  error?: string;
  /** A failed ping's log tail: the last lines, clipped, every configured secret removed. */
  log?: string;
  /** Posted to the backups channel when it finished; false: left for the digest. */
  posted: boolean;
}

/** A check that has not reported in time: what raises its `check:<name>` alert. */
export interface OverdueCheck {
  key: string;
  name: string;
  repository?: string;
  /** never: no success ever; late: last success older than period + grace; stuck: started, no end within grace. */
  reason: 'never' | 'late' | 'stuck';
  lastSuccessAt?: string;
  lastStartAt?: string;
  /** When it became overdue. */
  dueSince: string;
}
