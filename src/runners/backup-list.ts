import { DetourError } from '../core/errors.js';
import type { BackupArchive, BackupArchiveList } from '../core/ports/backup-runs.js';
import type { BackupType } from '../core/ports/backups.js';
import { type Secret, scrub } from '../core/secret.js';
import { firstLine, parseJson, processFailure, type RepositoryTarget } from './backup-observation.js';
import { borgEnv } from './borg.js';
import type { ProcessRunner } from './process.js';
import { resticEnv } from './restic.js';

/*
 * The newest archives of a repository, from the one cheap listing each tool has: `borg list
 * --json` (names and times, no sizes: those need `borg info` per archive, slow on big
 * repositories) and `restic snapshots --json` (with each snapshot's summary from restic 0.17 on:
 * files and bytes processed).
 */

/** Listing a repository failed: its code is the observation outcome (wrong_passphrase, locked, ...). */
export class BackupListError extends DetourError {}

export async function listArchives(
  run: ProcessRunner,
  target: RepositoryTarget,
  passphrase: Secret,
  last: number,
  signal?: AbortSignal,
): Promise<BackupArchiveList> {
  const borg = target.type === 'borg';
  const result = await run({
    file: target.type,
    args: borg ? ['list', '--json', '--lock-wait', '5'] : ['snapshots', '--json', '--no-lock'],
    env: borg ? borgEnv(target.repo, passphrase) : resticEnv(target.repo, passphrase),
    timeoutMs: target.timeoutMs,
    signal,
  });
  const failure = processFailure(result, target.type);
  if (failure) throw new BackupListError(failure.outcome, failure.detail);
  if (result.exitCode !== 0 && !(borg && result.exitCode === 1)) {
    throw new BackupListError(
      'error',
      scrub(firstLine(result.stderr) || `${target.type} exited with code ${result.exitCode}`, [passphrase]),
    );
  }
  const all = (borg ? borgArchives : resticSnapshots)(parseJson(result.stdout, `${target.type} list`));
  all.sort((a, b) => b.at.localeCompare(a.at));
  return { repo: target.name, type: target.type as BackupType, total: all.length, archives: all.slice(0, last) };
}

function borgArchives(json: unknown): BackupArchive[] {
  const list = (json as { archives?: { name?: unknown; start?: unknown; time?: unknown }[] })?.archives ?? [];
  return list.flatMap((a) => {
    const at = toIso(String(a.start ?? a.time ?? ''));
    return typeof a.name === 'string' && at ? [{ name: a.name, at }] : [];
  });
}

function resticSnapshots(json: unknown): BackupArchive[] {
  const list = Array.isArray(json) ? (json as Record<string, unknown>[]) : [];
  return list.flatMap((s) => {
    const at = typeof s.time === 'string' ? toIso(s.time) : undefined;
    const name = typeof s.short_id === 'string' ? s.short_id : typeof s.id === 'string' ? s.id.slice(0, 8) : undefined;
    if (!at || !name) return [];
    const summary = (s.summary ?? {}) as Record<string, unknown>;
    const files = typeof summary.total_files_processed === 'number' ? summary.total_files_processed : undefined;
    const size = typeof summary.total_bytes_processed === 'number' ? summary.total_bytes_processed : undefined;
    return [
      { name, at, ...(files !== undefined ? { files } : {}), ...(size !== undefined ? { sizeBytes: size } : {}) },
    ];
  });
}

/** borg 1.x prints local time without a zone; restic an offset with nanoseconds: both become UTC ISO. */
function toIso(text: string): string | undefined {
  const date = new Date(
    /[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text.replace(/(\.\d{3})\d+/, '$1') : text.replace(/(\.\d{3})\d*$/, '$1'),
  );
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
