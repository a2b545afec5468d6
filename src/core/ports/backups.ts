/** The backup port: what a look at a repository found, the status built from those looks, runs and lists. */
import type { BackupArchiveList, BackupProgress, BackupRunResult } from './backup-runs.js';
import type { Requester } from './operations.js';

export type BackupType = 'borg' | 'restic';

export type ObservationOutcome =
  | 'ok'
  | 'wrong_passphrase'
  | 'locked'
  | 'missing'
  | 'timeout'
  | 'not_installed'
  | 'error';

/** What one look at a repository found. Times are ISO 8601 in UTC. */
export interface BackupObservation {
  repo: string;
  type: BackupType;
  observedAt: string;
  outcome: ObservationOutcome;
  /** Short, secret-free explanation when the outcome is not ok. */
  detail?: string;
  lastArchiveName?: string;
  lastArchiveAt?: string;
  archiveCount?: number;
  sizeBytes?: number;
  durationMs: number;
}

/**
 * OK: newest archive younger than maxAge. LATE: older, or none yet.
 * FAILED: the repository could not be read (wrong passphrase, missing, error).
 * LOCKED: another process holds the lock and nothing earlier is known.
 * UNKNOWN: never observed.
 */
export type BackupMarker = 'OK' | 'LATE' | 'FAILED' | 'LOCKED' | 'UNKNOWN';

export interface RepositoryStatus {
  name: string;
  type: BackupType;
  maxAgeMs: number;
  marker: BackupMarker;
  /** The newest observation, whatever its outcome. */
  latest?: BackupObservation;
  /** The newest successful observation: the figures shown when the latest failed. */
  lastGood?: BackupObservation;
}

export interface BackupStatusReport {
  repositories: RepositoryStatus[];
  /** A refresh was started in the background; the next ask will see it. */
  refreshing: boolean;
  now: string;
}

export interface BackupService {
  /** Configured repository names, in config order. */
  names(): string[];
  /**
   * Status from stored observations. `fresh` observes first; otherwise
   * observations older than the refresh age are refreshed (in the background
   * or before answering, depending on how the bot runs).
   */
  status(names: readonly string[], options: { fresh: boolean; signal: AbortSignal }): Promise<BackupStatusReport>;
  /**
   * Runs the repository's job (`backups[].job`) as a job of its own (`backup:<name>`, listed by
   * `jobs`, cancellable), then observes the repository. Throws a typed error when the repository
   * is unknown, has no job, or is already being backed up.
   */
  run(
    name: string,
    by: Requester,
    options: { signal: AbortSignal; onProgress: (p: BackupProgress) => void },
  ): Promise<BackupRunResult>;
  /** The newest `last` archives or snapshots, and how many there are in all. */
  list(name: string, options: { last: number; signal: AbortSignal }): Promise<BackupArchiveList>;
}
