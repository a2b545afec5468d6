import { DetourError } from '../core/errors.js';
import type { ProcessResult } from '../runners/process.js';
import type { ExecOptions, HostAccess } from './host-access.js';

export type ProbeErrorKind =
  | 'not-installed'
  | 'timeout'
  | 'canceled'
  | 'exit-status'
  | 'host'
  | 'read'
  | 'parse'
  | 'refused'
  | 'dns'
  | 'tls'
  | 'network';

/**
 * A probe could not produce a sample. `detail` may hold the first line of the
 * tool's stderr: kept apart from `message` so the chat boundary decides
 * whether to show it (raw stderr never goes to chat unredacted).
 */
export class ProbeError extends DetourError {
  readonly kind: ProbeErrorKind;
  readonly probe: string;
  readonly detail: string | undefined;

  constructor(probe: string, kind: ProbeErrorKind, message: string, options?: { cause?: unknown; detail?: string }) {
    super(`probe-${kind}`, `${probe}: ${message}`, { cause: options?.cause });
    this.kind = kind;
    this.probe = probe;
    this.detail = options?.detail;
  }
}

/** Every probe answers with a sample or a typed error, never a throw. */
export type ProbeResult<T> = { ok: true; sample: T } | { ok: false; error: ProbeError };

export const DEFAULT_PROBE_TIMEOUT_MS = 10_000;

/** Runs `body`; a ProbeError becomes a failed result. Anything else is a bug and propagates. */
export async function settle<T>(body: () => Promise<T>): Promise<ProbeResult<T>> {
  try {
    return { ok: true, sample: await body() };
  } catch (cause) {
    if (cause instanceof ProbeError) return { ok: false, error: cause };
    throw cause;
  }
}

/** First non-empty stderr line, bounded: enough to explain, too short to flood. */
export function firstLine(text: string, max = 200): string | undefined {
  const line = text
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l.length > 0);
  return line === undefined ? undefined : line.slice(0, max);
}

/** The typed error for a run that did not end with exit code 0. */
export function execFailure(
  probe: string,
  argv: readonly string[],
  result: ProcessResult,
  timeoutMs: number,
): ProbeError {
  const program = argv[0] ?? '?';
  const detail = firstLine(result.stderr);
  if (result.failedToStart) {
    return new ProbeError(probe, 'not-installed', `${program} could not be started`, { detail });
  }
  if (result.timedOut) {
    return new ProbeError(probe, 'timeout', `${program} timed out after ${timeoutMs} ms`);
  }
  if (result.isCanceled) return new ProbeError(probe, 'canceled', `${program} was canceled`);
  const how = result.exitCode === undefined ? `killed by ${result.signal}` : `exit code ${result.exitCode}`;
  return new ProbeError(probe, 'exit-status', `${program} failed (${how})`, { detail });
}

/** Runs argv; a host that cannot run anything at all (e.g. a lost SSH link) gives a typed error. */
export async function execResult(
  host: HostAccess,
  probe: string,
  argv: readonly string[],
  opts: ExecOptions,
): Promise<ProcessResult> {
  try {
    return await host.exec(argv, opts);
  } catch (cause) {
    throw new ProbeError(probe, 'host', `cannot run ${argv[0] ?? '?'} on the host`, { cause });
  }
}

/** Reads a file through the host, turning any I/O error into a typed one. */
export async function readText(host: HostAccess, probe: string, path: string): Promise<string> {
  try {
    return await host.readFile(path);
  } catch (cause) {
    const code = (cause as { code?: unknown }).code;
    const why = typeof code === 'string' ? code : 'read error';
    throw new ProbeError(probe, 'read', `cannot read ${path} (${why})`, { cause });
  }
}
