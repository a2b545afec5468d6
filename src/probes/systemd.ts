import { z } from 'zod';
import type { FailedUnit, SystemdSample } from '../core/ports/probes.js';
import type { HostAccess } from './host-access.js';
import type { ProbeResult } from './probe-error.js';
import { DEFAULT_PROBE_TIMEOUT_MS, execFailure, execResult, ProbeError, settle } from './probe-error.js';

export const SYSTEMCTL_JSON_ARGV = ['systemctl', '--failed', '--output=json', '--no-pager'] as const;
export const SYSTEMCTL_PLAIN_ARGV = ['systemctl', '--failed', '--no-legend', '--plain', '--no-pager'] as const;
/** sd_booted() is exactly "does this directory exist": the documented way to ask. */
export const SYSTEMD_RUN_DIR = '/run/systemd/system';

// Extra fields (newer systemd adds "job") are ignored; these five have been stable.
const unitSchema = z.object({
  unit: z.string(),
  load: z.string(),
  active: z.string(),
  sub: z.string(),
  description: z.string().default(''),
});

/**
 * `systemctl --output=json` list output, or undefined when the text is not
 * that JSON (systemd before 246 ignores --output for list commands and prints
 * its table instead).
 */
export function parseSystemctlJson(stdout: string): FailedUnit[] | undefined {
  const text = stdout.trim();
  if (text === '') return [];
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = z.array(unitSchema).safeParse(data);
  return parsed.success ? parsed.data : undefined;
}

/** `systemctl --failed --no-legend --plain` lines: UNIT LOAD ACTIVE SUB DESCRIPTION… */
export function parseSystemctlPlain(stdout: string): FailedUnit[] {
  const units: FailedUnit[] = [];
  for (const raw of stdout.split('\n')) {
    // Some versions still print the "●" marker (or "*" without UTF-8) despite --plain.
    const line = raw.replace(/^\s*(?:●|\*)?\s*/, '');
    const m = /^(\S+)\s+(\S+)\s+(\S+)\s+(\S+)(?:\s+(.*))?$/.exec(line);
    if (!m) continue;
    units.push({
      unit: m[1] ?? '',
      load: m[2] ?? '',
      active: m[3] ?? '',
      sub: m[4] ?? '',
      description: (m[5] ?? '').trim(),
    });
  }
  return units;
}

export interface SystemdProbeOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Where sd_booted() looks; a parameter so tests can point it elsewhere. */
  systemdRunDir?: string;
}

/**
 * Failed units. A host not booted with systemd (a container, this CI
 * machine), or without systemctl, is a normal 'unavailable' sample, not an
 * error. sd_booted's own test comes first: it costs no process on the host,
 * and systemctl's error text for that case changes between versions and locales.
 */
export async function probeSystemd(
  host: HostAccess,
  options: SystemdProbeOptions = {},
): Promise<ProbeResult<SystemdSample>> {
  const exec = { timeoutMs: options.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS, signal: options.signal };
  const runDir = options.systemdRunDir ?? SYSTEMD_RUN_DIR;
  return settle(async (): Promise<SystemdSample> => {
    if (!(await isDirectory(host, runDir))) {
      return { status: 'unavailable', reason: `the host was not booted with systemd (no ${runDir})` };
    }
    const json = await execResult(host, 'systemd', SYSTEMCTL_JSON_ARGV, exec);
    if (json.failedToStart) return { status: 'unavailable', reason: 'systemctl is not installed' };
    if (json.exitCode === 0) {
      const units = parseSystemctlJson(json.stdout);
      if (units) return { status: 'ok', source: 'json', failed: units };
    }
    if (json.timedOut || json.isCanceled) {
      throw execFailure('systemd', SYSTEMCTL_JSON_ARGV, json, exec.timeoutMs);
    }
    // Not JSON, or --output refused: the plain table is understood by every version.
    const argv = SYSTEMCTL_PLAIN_ARGV;
    const result = await execResult(host, 'systemd', argv, exec);
    if (result.exitCode === 0) {
      return { status: 'ok', source: 'plain', failed: parseSystemctlPlain(result.stdout) };
    }
    throw execFailure('systemd', argv, result, exec.timeoutMs);
  });
}

async function isDirectory(host: HostAccess, path: string): Promise<boolean> {
  try {
    return (await host.stat(path))?.isDirectory === true;
  } catch (cause) {
    throw new ProbeError('systemd', 'read', `cannot look at ${path}`, { cause });
  }
}
