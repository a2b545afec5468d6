import type { BackupObservation, BackupType, ObservationOutcome } from '../core/ports/backups.js';
import type { ProcessResult } from './process.js';

/** What a borg or restic observer needs to know about one repository. */
export interface RepositoryTarget {
  name: string;
  type: BackupType;
  /** Repository location; given to the tool through its environment, never argv. */
  repo: string;
  timeoutMs: number;
}

export type ObservationFigures = Pick<
  BackupObservation,
  'lastArchiveName' | 'lastArchiveAt' | 'archiveCount' | 'sizeBytes'
>;

/** The first meaningful line of a tool's stderr, for a short and readable detail. */
export function firstLine(stderr: string): string {
  const line = stderr
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l.length > 0);
  return (line ?? '').slice(0, 200);
}

/** Failures every tool shares: could not start, timed out, cancelled. */
export function processFailure(
  result: ProcessResult,
  tool: string,
): { outcome: ObservationOutcome; detail: string } | undefined {
  if (result.failedToStart)
    return { outcome: 'not_installed', detail: `${tool} could not be started (is it installed?)` };
  if (result.timedOut) return { outcome: 'timeout', detail: `${tool} did not answer within the time limit` };
  if (result.isCanceled) return { outcome: 'error', detail: `${tool} was cancelled` };
  return undefined;
}

/** Parses JSON output, naming the tool when it is not JSON. */
export function parseJson(stdout: string, tool: string): unknown {
  try {
    return JSON.parse(stdout);
  } catch {
    throw new Error(`${tool} printed something that is not JSON`);
  }
}
