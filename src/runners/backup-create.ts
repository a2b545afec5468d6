import type { BackupRunOutcome, BackupRunStats } from '../core/ports/backup-runs.js';
import type { BackupType } from '../core/ports/backups.js';
import { type Secret, scrub } from '../core/secret.js';
import { firstLine, processFailure } from './backup-observation.js';
import { borgEnv } from './borg.js';
import type { ProcessRequest, ProcessResult } from './process.js';
import { resticEnv } from './restic.js';

/*
 * A backup command (borg create, restic backup, or a wrapper such as borgmatic) and what it
 * printed. borg 1.2: `create --json` prints archive.stats on stdout; exit 1 is a warning (a file
 * vanished or could not be read: one line per path on stderr). restic 0.14+: `backup --json`
 * streams status lines and ends with a summary line on stdout; exit 3 is a warning (a source
 * file could not be read: one JSON `error` line per path on stderr). A warning is a backup that
 * was made: it is reported with what was skipped, not as a failure.
 */

const MAX_WARNINGS = 20;
const MAX_LINE = 200;

export interface BackupOutput {
  outcome: BackupRunOutcome;
  exitCode?: number;
  stats: BackupRunStats;
  warnings: string[];
  warningCount: number;
  error?: string;
}

/**
 * How to start the configured command. Here: the repository and passphrase in the environment,
 * as the status observation does. Over SSH, where only locale variables travel: the repository
 * (not secret) through `env` in the command, the passphrase on standard input (borg reads it from
 * fd 0 with BORG_PASSPHRASE_FD=0, restic reads its password from a non-terminal stdin).
 */
export function backupCommandRequest(
  type: BackupType,
  repo: string,
  passphrase: Secret,
  command: readonly string[],
  remote: boolean,
): Pick<ProcessRequest, 'file' | 'args' | 'env' | 'stdin'> {
  const [file = '', ...args] = command;
  if (!remote) {
    const env =
      type === 'borg' ? borgEnv(repo, passphrase) : { ...resticEnv(repo, passphrase), RESTIC_PROGRESS_FPS: '0.2' };
    return { file, args, env };
  }
  const vars = type === 'borg' ? [`BORG_REPO=${repo}`, 'BORG_PASSPHRASE_FD=0'] : [`RESTIC_REPOSITORY=${repo}`];
  return { file: 'env', args: [...vars, file, ...args], stdin: passphrase };
}

/** Reads a finished backup command's exit and output; every string is scrubbed of `secrets`. */
export function readBackupOutput(type: BackupType, result: ProcessResult, secrets: readonly Secret[]): BackupOutput {
  const clean = (text: string) => scrub(text, secrets);
  const failure = processFailure(result, type);
  if (failure)
    return {
      outcome: 'failed',
      exitCode: result.exitCode,
      stats: {},
      warnings: [],
      warningCount: 0,
      error: failure.detail,
    };
  const stats = type === 'borg' ? borgStats(result.stdout) : resticStats(result.stdout);
  const skipped = (type === 'borg' ? borgWarnings(result.stderr) : resticWarnings(result.stderr)).map((w) =>
    clip(clean(w)),
  );
  const warningExit = type === 'borg' ? 1 : 3;
  const outcome: BackupRunOutcome =
    result.exitCode === 0 ? 'ok' : result.exitCode === warningExit ? 'warning' : 'failed';
  const base = {
    outcome,
    exitCode: result.exitCode,
    stats,
    warnings: skipped.slice(0, MAX_WARNINGS),
    warningCount: skipped.length,
  };
  if (outcome !== 'failed') return base;
  const error = clean(firstLine(errorLines(result.stderr)) || `${type} exited with code ${result.exitCode}`);
  return { ...base, warnings: [], warningCount: 0, error: clip(error) };
}

/** restic's `status` lines, for progress: fraction, files and bytes done. */
export function resticStatus(line: string): { fraction?: number; filesDone?: number; bytesDone?: number } | undefined {
  const json = parseLine(line);
  if (json?.message_type !== 'status') return undefined;
  return {
    fraction: num(json.percent_done),
    filesDone: num(json.files_done),
    bytesDone: num(json.bytes_done),
  };
}

function borgStats(stdout: string): BackupRunStats {
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch {
    return {};
  }
  const archive = (json as { archive?: { name?: unknown; stats?: Record<string, unknown> } })?.archive;
  const s = archive?.stats ?? {};
  return {
    archive: typeof archive?.name === 'string' ? archive.name : undefined,
    files: num(s.nfiles),
    originalBytes: num(s.original_size),
    compressedBytes: num(s.compressed_size),
    deduplicatedBytes: num(s.deduplicated_size),
  };
}

function resticStats(stdout: string): BackupRunStats {
  const summary = stdout
    .split('\n')
    .map(parseLine)
    .findLast((j) => j?.message_type === 'summary');
  if (!summary) return {};
  return {
    archive: typeof summary.snapshot_id === 'string' ? summary.snapshot_id.slice(0, 8) : undefined,
    files: num(summary.total_files_processed),
    filesNew: num(summary.files_new),
    filesChanged: num(summary.files_changed),
    filesUnmodified: num(summary.files_unmodified),
    originalBytes: num(summary.total_bytes_processed),
    deduplicatedBytes: num(summary.data_added),
  };
}

/** borg prints one line per skipped path ("PATH: [Errno 13] Permission denied: ..."); progress and JSON lines aside. */
function borgWarnings(stderr: string): string[] {
  return stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('{') && !/^(Creating archive|Remote:|Synchronizing chunks cache)/.test(l));
}

/** restic --json: `{"message_type":"error","error":{...},"during":"archival","item":"/path"}` per skipped path. */
function resticWarnings(stderr: string): string[] {
  const out: string[] = [];
  for (const line of stderr.split('\n')) {
    const json = parseLine(line);
    if (json?.message_type !== 'error') continue;
    const error = (json.error ?? {}) as Record<string, unknown>;
    const why =
      typeof error.message === 'string'
        ? error.message
        : [error.Op, typeof error.Err === 'number' ? errnoName(error.Err) : error.Err].filter(Boolean).join(': ');
    out.push(`${String(json.item ?? error.Path ?? '?')}: ${why || 'could not be read'}`);
  }
  return out;
}

/** The readable part of stderr when the command failed: JSON noise aside. */
function errorLines(stderr: string): string {
  return stderr
    .split('\n')
    .filter((l) => !l.trim().startsWith('{'))
    .join('\n');
}

const ERRNO: Record<number, string> = {
  1: 'operation not permitted',
  2: 'no such file',
  5: 'I/O error',
  13: 'permission denied',
};

function errnoName(n: number): string {
  return ERRNO[n] ?? `errno ${n}`;
}

function parseLine(line: string): Record<string, unknown> | undefined {
  const t = line.trim();
  if (!t.startsWith('{')) return undefined;
  try {
    const v: unknown = JSON.parse(t);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function clip(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_LINE ? `${flat.slice(0, MAX_LINE - 1)}…` : flat;
}
