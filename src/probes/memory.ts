import type { MemorySample } from '../core/ports/probes.js';
import type { HostAccess } from './host-access.js';
import type { ProbeResult } from './probe-error.js';
import { ProbeError, readText, settle } from './probe-error.js';

const MEMINFO_PATH = '/proc/meminfo';

/** `Key:   1234 kB` lines into a map of byte counts (HugePages_* counts stay unitless). */
export function parseMeminfoFields(text: string): Map<string, number> {
  const fields = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z0-9_()]+):\s+(\d+)(?:\s+(kB))?\s*$/.exec(line);
    if (!m) continue;
    const value = Number(m[2]);
    fields.set(m[1] ?? '', m[3] === 'kB' ? value * 1024 : value);
  }
  return fields;
}

function percent(part: number, whole: number): number {
  return (part / whole) * 100;
}

/** /proc/meminfo text into the memory sample; throws a typed parse error if MemTotal is missing. */
export function parseMeminfo(text: string): MemorySample {
  const f = parseMeminfoFields(text);
  const total = f.get('MemTotal');
  if (total === undefined || total <= 0) {
    throw new ProbeError('memory', 'parse', 'no MemTotal in /proc/meminfo');
  }
  const reported = f.get('MemAvailable');
  // Kernels before 3.14 lack MemAvailable; free + buffers + cached is the classic estimate.
  const available = reported ?? (f.get('MemFree') ?? 0) + (f.get('Buffers') ?? 0) + (f.get('Cached') ?? 0);
  // Some containers and gVisor omit the swap lines entirely: same as no swap.
  const swapTotal = f.get('SwapTotal') ?? 0;
  const swapFree = f.get('SwapFree') ?? 0;
  return {
    totalBytes: total,
    availableBytes: available,
    availableEstimated: reported === undefined,
    usedPercent: percent(total - Math.min(available, total), total),
    swapTotalBytes: swapTotal,
    swapFreeBytes: swapFree,
    swapUsedPercent: swapTotal > 0 ? percent(swapTotal - swapFree, swapTotal) : null,
  };
}

export interface MemoryProbeOptions {
  meminfoPath?: string;
}

export async function probeMemory(
  host: HostAccess,
  options: MemoryProbeOptions = {},
): Promise<ProbeResult<MemorySample>> {
  return settle(async () => parseMeminfo(await readText(host, 'memory', options.meminfoPath ?? MEMINFO_PATH)));
}
