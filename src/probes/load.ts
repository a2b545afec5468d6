import type { LoadSample } from '../core/ports/probes.js';
import type { HostAccess } from './host-access.js';
import type { ProbeResult } from './probe-error.js';
import { ProbeError, readText, settle } from './probe-error.js';

const LOADAVG_PATH = '/proc/loadavg';
const CPUINFO_PATH = '/proc/cpuinfo';
/*
 * The online CPUs as glibc's sysconf(_NPROCESSORS_ONLN) (and so
 * `getconf`) counts them: from this list first. Not `nproc`, which honours the
 * caller's CPU affinity and cgroup quota, while the load average counts every
 * task on the machine. A file rather than getconf: no process on the host.
 */
const CPU_ONLINE_PATH = '/sys/devices/system/cpu/online';

export interface LoadAverage {
  load1: number;
  load5: number;
  load15: number;
  runnable: number;
  processes: number;
}

/** `0.52 0.58 0.59 2/345 12345` → the three averages and the runnable/total task counts. */
export function parseLoadavg(text: string): LoadAverage {
  const m = /^(\d+(?:\.\d+)?)\s+(\d+(?:\.\d+)?)\s+(\d+(?:\.\d+)?)\s+(\d+)\/(\d+)/.exec(text.trim());
  if (!m) throw new ProbeError('load', 'parse', 'unexpected /proc/loadavg format');
  return {
    load1: Number(m[1]),
    load5: Number(m[2]),
    load15: Number(m[3]),
    runnable: Number(m[4]),
    processes: Number(m[5]),
  };
}

/** `0-3,6,8-9` (the kernel's CPU list format) → 7, or undefined when it is not such a list. */
export function countCpuList(text: string): number | undefined {
  let count = 0;
  for (const part of text.trim().split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) return undefined;
    const first = Number(m[1]);
    const last = m[2] === undefined ? first : Number(m[2]);
    if (last < first) return undefined;
    count += last - first + 1;
  }
  return count;
}

/** Counts `processor : N` lines (x86 and ARM both list one per online CPU). */
export function countCpuinfoProcessors(text: string): number | undefined {
  const n = text.split('\n').filter((line) => /^processor\s*:/.test(line)).length;
  return n > 0 ? n : undefined;
}

export function buildLoadSample(load: LoadAverage, cores: number): LoadSample {
  return {
    ...load,
    cores,
    load1PerCore: load.load1 / cores,
    load5PerCore: load.load5 / cores,
    load15PerCore: load.load15 / cores,
  };
}

export interface LoadProbeOptions {
  loadavgPath?: string;
  cpuOnlinePath?: string;
  cpuinfoPath?: string;
}

async function coreCount(host: HostAccess, options: LoadProbeOptions): Promise<number> {
  try {
    const cores = countCpuList(await host.readFile(options.cpuOnlinePath ?? CPU_ONLINE_PATH));
    if (cores !== undefined) return cores;
  } catch {
    // No /sys (some containers, non-Linux kernels): /proc/cpuinfo lists the same CPUs.
  }
  const cores = countCpuinfoProcessors(await readText(host, 'load', options.cpuinfoPath ?? CPUINFO_PATH));
  if (cores === undefined) throw new ProbeError('load', 'parse', 'cannot tell the number of CPUs');
  return cores;
}

export async function probeLoad(host: HostAccess, options: LoadProbeOptions = {}): Promise<ProbeResult<LoadSample>> {
  return settle(async () => {
    const [load, cores] = await Promise.all([
      readText(host, 'load', options.loadavgPath ?? LOADAVG_PATH).then(parseLoadavg),
      coreCount(host, options),
    ]);
    return buildLoadSample(load, cores);
  });
}
