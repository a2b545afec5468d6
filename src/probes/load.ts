import type { HostAccess } from './host-access.js';
import type { ProbeResult } from './probe-error.js';
import { DEFAULT_PROBE_TIMEOUT_MS, execStdout, ProbeError, readText, settle } from './probe-error.js';
import type { LoadSample } from './sample.js';

export const LOADAVG_PATH = '/proc/loadavg';
export const CPUINFO_PATH = '/proc/cpuinfo';
/*
 * `getconf _NPROCESSORS_ONLN` (sysconf) rather than `nproc`: nproc honours the
 * caller's CPU affinity and cgroup quota, while the load average counts every
 * task on the machine, so it has to be divided by the machine's online CPUs.
 */
export const CORES_ARGV = ['getconf', '_NPROCESSORS_ONLN'] as const;

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

/** A positive integer from getconf's output, or undefined. */
export function parseCoreCount(text: string): number | undefined {
  const n = Number(text.trim());
  return Number.isInteger(n) && n > 0 ? n : undefined;
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
  timeoutMs?: number;
  signal?: AbortSignal;
  loadavgPath?: string;
  cpuinfoPath?: string;
}

async function coreCount(host: HostAccess, options: LoadProbeOptions): Promise<number> {
  const exec = { timeoutMs: options.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS, signal: options.signal };
  try {
    const cores = parseCoreCount(await execStdout(host, 'load', CORES_ARGV, exec));
    if (cores !== undefined) return cores;
  } catch (error) {
    if (!(error instanceof ProbeError)) throw error;
  }
  // getconf is in libc-bin on Debian but not on every minimal image.
  const path = options.cpuinfoPath ?? CPUINFO_PATH;
  const cores = countCpuinfoProcessors(await readText(host, 'load', path));
  if (cores === undefined) throw new ProbeError('load', 'parse', 'cannot tell the number of CPUs');
  return cores;
}

export async function probeLoad(host: HostAccess, options: LoadProbeOptions = {}): Promise<ProbeResult<LoadSample>> {
  return settle(async () => {
    const load = parseLoadavg(await readText(host, 'load', options.loadavgPath ?? LOADAVG_PATH));
    return buildLoadSample(load, await coreCount(host, options));
  });
}
