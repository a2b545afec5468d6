import type { DiskSample, InodeUsage, MountUsage } from '../core/ports/probes.js';
import type { ExecOptions, HostAccess } from './host-access.js';
import type { ProbeResult } from './probe-error.js';
import { DEFAULT_PROBE_TIMEOUT_MS, execFailure, execResult, firstLine, ProbeError, settle } from './probe-error.js';

/*
 * Units: `-P -k` rather than `-B1`. -P alone means 512-byte blocks under
 * POSIX (GNU only defaults to 1024), -k forces 1024 everywhere (GNU, busybox,
 * BSD) and overrides BLOCK_SIZE/DF_BLOCK_SIZE; -B1 is GNU-only. KiB precision
 * is plenty for thresholds, and we never read the header, so a translated one
 * cannot break us. -T (type column) is GNU and busybox; the type is what lets
 * us skip pseudo filesystems reliably.
 */
const DF_USAGE_ARGV = ['df', '-P', '-k', '-T'] as const;
const DF_INODES_ARGV = ['df', '-P', '-i', '-T'] as const;

/**
 * Filesystem types left out of the disk sample by default, each for a reason:
 * - tmpfs, devtmpfs, ramfs: memory-backed; filling them is a memory problem, and
 *   /dev, /run, /dev/shm would otherwise raise disk alerts that mean nothing.
 * - squashfs, iso9660: read-only images (snaps, live media) that are always 100 % full.
 * - overlay: container layers under /var/lib/docker repeat the backing disk's
 *   numbers once per container. Kept when mounted at `/` (the bot inside a
 *   container: that is the only root it has).
 * - efivarfs: firmware variables, a few KiB, not ours to fill.
 * - devpts, proc, sysfs, cgroup, cgroup2: kernel interfaces (df shows them with -a only).
 */
export const DEFAULT_SKIPPED_TYPES: readonly string[] = [
  'tmpfs',
  'devtmpfs',
  'ramfs',
  'squashfs',
  'iso9660',
  'overlay',
  'efivarfs',
  'devpts',
  'proc',
  'sysfs',
  'cgroup',
  'cgroup2',
];

export interface DfRow {
  filesystem: string;
  type: string;
  total: number;
  used: number;
  available: number;
  percent: number | null;
  mountPoint: string;
}

/*
 * Columns: Filesystem Type Total Used Available Percent Mounted-on. The mount
 * point is the rest of the line (df -P never wraps, and prints spaces raw), and
 * always starts with "/"; the filesystem may contain spaces too (fuse sources),
 * so it is matched lazily and the fixed numeric columns anchor the split.
 */
const DF_LINE = /^(.+?)\s+(\S+)\s+(\d+|-)\s+(\d+|-)\s+(\d+|-)\s+(\d+%|-)\s+(\/.*)$/;

function count(field: string): number {
  return field === '-' ? 0 : Number(field);
}

/** Parses `df -P -T` output (with -k or -i); lines it cannot read are ignored. */
export function parseDf(stdout: string): DfRow[] {
  const rows: DfRow[] = [];
  for (const line of stdout.split('\n').slice(1)) {
    const m = DF_LINE.exec(line.trimEnd());
    if (!m) continue;
    const [, filesystem = '', type = '', total = '', used = '', available = '', percent = ''] = m;
    const mountPoint = m[7] ?? '';
    rows.push({
      filesystem,
      type,
      total: count(total),
      used: count(used),
      available: count(available),
      percent: percent === '-' ? null : Number(percent.slice(0, -1)),
      mountPoint,
    });
  }
  return rows;
}

function isSkipped(row: DfRow, skippedTypes: readonly string[]): boolean {
  if (row.type === 'overlay' && row.mountPoint === '/') return false;
  return skippedTypes.includes(row.type);
}

/** Joins the usage and inode listings by mount point into the stored sample shape. */
export function buildDiskSample(
  usage: readonly DfRow[],
  inodes: readonly DfRow[] | null,
  skippedTypes: readonly string[] = DEFAULT_SKIPPED_TYPES,
): DiskSample {
  const inodesByMount = new Map<string, InodeUsage>();
  for (const row of inodes ?? []) {
    inodesByMount.set(row.mountPoint, {
      total: row.total,
      used: row.used,
      free: row.available,
      usedPercent: row.total === 0 ? null : row.percent,
    });
  }
  // A mount point listed twice (stacked mounts) keeps the last, i.e. the visible one.
  const byMount = new Map<string, MountUsage>();
  for (const row of usage) {
    if (isSkipped(row, skippedTypes)) continue;
    byMount.set(row.mountPoint, {
      filesystem: row.filesystem,
      type: row.type,
      mountPoint: row.mountPoint,
      sizeBytes: row.total * 1024,
      usedBytes: row.used * 1024,
      availableBytes: row.available * 1024,
      usedPercent: row.percent,
      inodes: inodesByMount.get(row.mountPoint) ?? null,
    });
  }
  return { mounts: [...byMount.values()], partial: null };
}

export interface DiskProbeOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  skippedTypes?: readonly string[];
}

/**
 * Runs one df listing. GNU df exits 1 when a single mount cannot be read
 * (a FUSE mount of another user, a vanished path) yet still lists the others:
 * those rows are kept, and the first stderr line says what was left out.
 */
async function listDf(host: HostAccess, argv: readonly string[], exec: ExecOptions): Promise<DfListing> {
  const result = await execResult(host, 'disk', argv, exec);
  const rows = result.exitCode === 0 || result.exitCode === 1 ? parseDf(result.stdout) : [];
  if (result.exitCode === 0) return { rows, partial: null };
  if (result.exitCode === 1 && rows.length > 0) {
    return { rows, partial: firstLine(result.stderr) ?? 'df could not read every filesystem' };
  }
  throw execFailure('disk', argv, result, exec.timeoutMs);
}

interface DfListing {
  rows: DfRow[];
  partial: string | null;
}

/**
 * Disk usage per mounted filesystem. The timeout matters: df blocks on a
 * stale NFS mount. Inode figures are best effort (null if `df -i` fails).
 */
export async function probeDisk(host: HostAccess, options: DiskProbeOptions = {}): Promise<ProbeResult<DiskSample>> {
  const exec = { timeoutMs: options.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS, signal: options.signal };
  return settle(async () => {
    const usage = await listDf(host, DF_USAGE_ARGV, exec);
    if (usage.rows.length === 0) throw new ProbeError('disk', 'parse', 'df listed no filesystem');
    let inodes: DfRow[] | null = null;
    try {
      inodes = (await listDf(host, DF_INODES_ARGV, exec)).rows;
    } catch (error) {
      if (!(error instanceof ProbeError)) throw error;
    }
    return { ...buildDiskSample(usage.rows, inodes, options.skippedTypes), partial: usage.partial };
  });
}
