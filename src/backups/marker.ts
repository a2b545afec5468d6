import type { BackupMarker, BackupObservation } from '../core/ports/backups.js';

/**
 * The marker of one repository from its newest observation and its newest
 * successful one. A lock means a backup is probably running: the figures of
 * the last good look still tell whether backups are on time.
 */
export function backupMarker(
  latest: BackupObservation | undefined,
  lastGood: BackupObservation | undefined,
  maxAgeMs: number,
  now: Date,
): BackupMarker {
  if (!latest) return 'UNKNOWN';
  if (latest.outcome === 'locked') return lastGood ? ageMarker(lastGood, maxAgeMs, now) : 'LOCKED';
  if (latest.outcome !== 'ok') return 'FAILED';
  return ageMarker(latest, maxAgeMs, now);
}

function ageMarker(observation: BackupObservation, maxAgeMs: number, now: Date): BackupMarker {
  if (!observation.lastArchiveAt) return 'LATE';
  const age = now.getTime() - new Date(observation.lastArchiveAt).getTime();
  return age <= maxAgeMs ? 'OK' : 'LATE';
}
