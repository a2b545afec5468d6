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
 * borg 1.2 (bookworm) and 1.4 (trixie) both print `borg list --json` with
 * archives[].{name, start|time} in local time without a zone, and
 * `borg info --json` with cache.stats. Only fields present in both are read,
 * and none of the figures is required except the archive list itself.
 * Without BORG_EXIT_CODES=modern both exit 2 on any error, so errors are told
 * apart by their stderr message.
 */

export interface BorgResult {
  outcome: ObservationOutcome;
  detail?: string;
  figures: ObservationFigures;
}

/** Environment for every borg call: the passphrase and repository travel here, not in argv. */
export function borgEnv(repo: string, passphrase: Secret): Record<string, string> {
  return {
    BORG_REPO: repo,
    BORG_PASSPHRASE: passphrase.reveal(),
    // Never wait for an answer on a terminal nobody watches.
    BORG_RELOCATED_REPO_ACCESS_IS_OK: 'no',
    BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK: 'no',
    BORG_CHECK_I_KNOW_WHAT_I_AM_DOING: 'NO',
    BORG_DELETE_I_KNOW_WHAT_I_AM_DOING: 'NO',
  };
}

/** Reads the archive list and repository size of one borg repository. */
export async function observeBorg(
  run: ProcessRunner,
  target: RepositoryTarget,
  passphrase: Secret,
  signal?: AbortSignal,
): Promise<BorgResult> {
  const env = borgEnv(target.repo, passphrase);
  const call = (args: string[]) => run({ file: 'borg', args, env, timeoutMs: target.timeoutMs, signal });
  // Both read-only and under a shared lock, so they can run at the same time.
  const [list, info] = await Promise.all([
    call(['list', '--json', '--lock-wait', '1']),
    call(['info', '--json', '--lock-wait', '1']),
  ]);
  const failed = classifyBorgFailure(list) ?? classifyBorgFailure(info);
  if (failed) return { ...failed, figures: {} };
  return {
    outcome: 'ok',
    figures: borgFigures(parseJson(list.stdout, 'borg list'), parseJson(info.stdout, 'borg info')),
  };
}

function classifyBorgFailure(result: ProcessResult): { outcome: ObservationOutcome; detail: string } | undefined {
  const common = processFailure(result, 'borg');
  if (common) return common;
  if (result.exitCode === 0 || result.exitCode === 1) return undefined; // 1 = warning, output is valid
  const err = result.stderr;
  if (/passphrase supplied .* is incorrect|passphrase .* incorrect/i.test(err) || result.exitCode === 52) {
    return { outcome: 'wrong_passphrase', detail: 'wrong passphrase' };
  }
  if (/Failed to create\/acquire the lock|lock.*timeout/i.test(err) || result.exitCode === 73) {
    return { outcome: 'locked', detail: 'locked by another process (a backup or check is probably running)' };
  }
  if (/does not exist|is not a valid repository/i.test(err) || result.exitCode === 13 || result.exitCode === 15) {
    return { outcome: 'missing', detail: 'no repository at this location' };
  }
  return { outcome: 'error', detail: firstLine(err) || `borg exited with code ${result.exitCode}` };
}

interface BorgArchive {
  name?: string;
  start?: string;
  time?: string;
}

function borgFigures(list: unknown, info: unknown): ObservationFigures {
  const archives = ((list as { archives?: BorgArchive[] })?.archives ?? []).filter((a) => a.start ?? a.time);
  const newest = archives
    .map((a) => ({ name: a.name, at: borgTime(a.start ?? a.time ?? '') }))
    .filter((a): a is { name: string | undefined; at: string } => a.at !== undefined)
    .sort((a, b) => a.at.localeCompare(b.at))
    .at(-1);
  const stats = (info as { cache?: { stats?: { unique_csize?: number } } })?.cache?.stats;
  return {
    archiveCount: archives.length,
    lastArchiveName: newest?.name,
    lastArchiveAt: newest?.at,
    sizeBytes: typeof stats?.unique_csize === 'number' ? stats.unique_csize : undefined,
  };
}

/** borg prints local time without a zone (1.x) or with an offset (newer): both become UTC. */
function borgTime(text: string): string | undefined {
  const date = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : text.replace(/(\.\d{3})\d*$/, '$1'));
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
