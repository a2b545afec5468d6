import type { ObservationOutcome } from '../core/ports/backups.js';
import type { Secret } from '../core/secret.js';
import {
  firstLine,
  type ObservationFigures,
  parseJson,
  processFailure,
  type RepositoryTarget,
} from './backup-observation.js';
import type { ProcessResult, ProcessRunner } from './process.js';

/*
 * restic 0.14 (bookworm) exits 1 with a message for every failure; 0.17+
 * (trixie has 0.18) adds 10 (no repository), 11 (lock failed), 12 (wrong
 * password). Both are understood. `snapshots --json` gives the list;
 * `stats --json --mode raw-data` the stored size (what the repository costs
 * on disk, like borg's unique_csize).
 */

export interface ResticResult {
  outcome: ObservationOutcome;
  detail?: string;
  figures: ObservationFigures;
}

export function resticEnv(repo: string, password: Secret): Record<string, string> {
  return { RESTIC_REPOSITORY: repo, RESTIC_PASSWORD: password.reveal(), RESTIC_PROGRESS_FPS: '0' };
}

export async function observeRestic(
  run: ProcessRunner,
  target: RepositoryTarget,
  password: Secret,
  signal?: AbortSignal,
): Promise<ResticResult> {
  const env = resticEnv(target.repo, password);
  const call = (args: string[]) => run({ file: 'restic', args, env, timeoutMs: target.timeoutMs, signal });
  // restic derives its key with scrypt at every start (~0.5 s of CPU): run both at once.
  const [snapshots, stats] = await Promise.all([
    call(['snapshots', '--json']),
    call(['stats', '--json', '--mode', 'raw-data']),
  ]);
  const failed = classifyResticFailure(snapshots) ?? classifyResticFailure(stats);
  if (failed) return { ...failed, figures: {} };
  return {
    outcome: 'ok',
    figures: resticFigures(parseJson(snapshots.stdout, 'restic snapshots'), parseJson(stats.stdout, 'restic stats')),
  };
}

function classifyResticFailure(result: ProcessResult): { outcome: ObservationOutcome; detail: string } | undefined {
  const common = processFailure(result, 'restic');
  if (common) return common;
  if (result.exitCode === 0) return undefined;
  const err = result.stderr;
  if (result.exitCode === 12 || /wrong password|no key found/i.test(err)) {
    return { outcome: 'wrong_passphrase', detail: 'wrong password' };
  }
  if (result.exitCode === 11 || /already locked|unable to create lock/i.test(err)) {
    return { outcome: 'locked', detail: 'locked by another process (a backup or prune is probably running)' };
  }
  if (result.exitCode === 10 || /unable to open config file|Is there a repository/i.test(err)) {
    return { outcome: 'missing', detail: 'no repository at this location' };
  }
  return { outcome: 'error', detail: firstLine(err) || `restic exited with code ${result.exitCode}` };
}

interface ResticSnapshot {
  time?: string;
  short_id?: string;
  id?: string;
}

function resticFigures(snapshots: unknown, stats: unknown): ObservationFigures {
  const list = Array.isArray(snapshots) ? (snapshots as ResticSnapshot[]) : [];
  const newest = list
    .map((s) => ({ name: s.short_id ?? s.id?.slice(0, 8), at: s.time ? new Date(s.time) : undefined }))
    .filter((s): s is { name: string | undefined; at: Date } => s.at !== undefined && !Number.isNaN(s.at.getTime()))
    .sort((a, b) => a.at.getTime() - b.at.getTime())
    .at(-1);
  const size = (stats as { total_size?: number })?.total_size;
  return {
    archiveCount: list.length,
    lastArchiveName: newest?.name,
    lastArchiveAt: newest?.at.toISOString(),
    sizeBytes: typeof size === 'number' ? size : undefined,
  };
}
