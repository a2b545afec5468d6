import type { LuksSample, LuksTargetState } from '../core/ports/probes.js';
import type { ExecOptions, HostAccess } from './host-access.js';
import type { ProbeResult } from './probe-error.js';
import { DEFAULT_PROBE_TIMEOUT_MS, execResult, firstLine, readText, settle } from './probe-error.js';

/** A configured unlock target, as far as its state is concerned. */
export interface LuksTarget {
  name: string;
  /** Device-mapper name: opened as /dev/mapper/<mapper>. */
  mapper: string;
  mount: string;
}

export interface MountEntry {
  source: string;
  target: string;
  type: string;
}

const MOUNTS_PATH = '/proc/self/mounts';

/** The kernel writes space, tab, newline and backslash in mount paths as \040, \011, \012, \134. */
export function unescapeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}

/** /proc/self/mounts (or /proc/mounts, /etc/mtab) into entries, in mount order. */
export function parseMounts(text: string): MountEntry[] {
  const entries: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const [source, target, type] = line.split(' ');
    if (!source || !target || !type) continue;
    entries.push({
      source: unescapeMountField(source),
      target: unescapeMountField(target),
      type: unescapeMountField(type),
    });
  }
  return entries;
}

function normalizeMountPath(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

/** The entry visible at `mountPoint`: the last one, when mounts are stacked. */
export function findMount(entries: readonly MountEntry[], mountPoint: string): MountEntry | undefined {
  const wanted = normalizeMountPath(mountPoint);
  return entries.findLast((entry) => entry.target === wanted);
}

/** Names that would be read as an option or escape /dev/mapper never reach argv. */
export function isSafeMapperName(name: string): boolean {
  return /^[^/\s-][^/\s]*$/.test(name) && name !== '.' && name !== '..';
}

export interface LuksProbeOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  /** argv prefix to run cryptsetup, e.g. ['sudo', '-n', 'cryptsetup'] on a remote host. */
  cryptsetup?: readonly string[];
  /** Where mapped devices appear; a parameter so tests can use a temporary directory. */
  mapperDir?: string;
  mountsPath?: string;
}

type OpenState = Pick<LuksTargetState, 'open' | 'openCheckedBy' | 'openNote'>;

/*
 * `cryptsetup status` is authoritative (exit 0 active, 4 inactive) but needs
 * device-mapper access, which an unprivileged user or a container lacks (exit
 * 1, "Cannot initialize device-mapper", as on this CI machine). Then the
 * presence of /dev/mapper/<name>, readable by anyone, answers instead.
 */
async function openState(
  host: HostAccess,
  mapper: string,
  options: LuksProbeOptions,
  exec: ExecOptions,
): Promise<OpenState> {
  if (!isSafeMapperName(mapper)) {
    return { open: null, openCheckedBy: null, openNote: 'invalid mapper name' };
  }
  const status = await execResult(host, 'luks', [...(options.cryptsetup ?? ['cryptsetup']), 'status', mapper], exec);
  if (status.exitCode === 0) return { open: true, openCheckedBy: 'cryptsetup', openNote: null };
  if (status.exitCode === 4) return { open: false, openCheckedBy: 'cryptsetup', openNote: null };
  const why = status.failedToStart
    ? 'cryptsetup is not installed'
    : status.timedOut
      ? 'cryptsetup timed out'
      : (firstLine(status.stderr) ?? `cryptsetup status exited with ${status.exitCode}`);
  const path = `${options.mapperDir ?? '/dev/mapper'}/${mapper}`;
  try {
    return { open: (await host.stat(path)) !== undefined, openCheckedBy: 'dev-mapper', openNote: why };
  } catch {
    return { open: null, openCheckedBy: null, openNote: why };
  }
}

/** Per target: is the mapping open, and is its mount point mounted (one mounts read for all). */
export async function probeLuks(
  host: HostAccess,
  targets: readonly LuksTarget[],
  options: LuksProbeOptions = {},
): Promise<ProbeResult<LuksSample>> {
  const exec = { timeoutMs: options.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS, signal: options.signal };
  return settle(async () => {
    const mounts = parseMounts(await readText(host, 'luks', options.mountsPath ?? MOUNTS_PATH));
    const states: LuksTargetState[] = [];
    for (const target of targets) {
      const mounted = findMount(mounts, target.mount);
      states.push({
        name: target.name,
        mapper: target.mapper,
        mount: target.mount,
        ...(await openState(host, target.mapper, options, exec)),
        mounted: mounted !== undefined,
        mountSource: mounted?.source ?? null,
      });
    }
    return { targets: states };
  });
}
