import { DetourError } from '../core/errors.js';
import type { CommonOutcome, StepOutcome } from '../core/ports/unlock.js';
import { type Secret, scrub } from '../core/secret.js';
import type { ProcessRequest, ProcessResult } from './process.js';

/** How a step's programs are run; the same options work for a local runner and an SSH exec. */
export interface StepRunOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Put before every argv, e.g. ['sudo', '-n'] when the remote user is not root. */
  commandPrefix?: readonly string[];
}

const MAX_DETAIL = 200;
const KILL_AFTER_MS = 5_000;

/** Scrubs secrets from the whole text first (a secret may span lines), then keeps one short line. */
function shortDetail(text: string, secrets: readonly Secret[]): string {
  const line =
    scrub(text, secrets)
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l.length > 0) ?? '';
  return line.length > MAX_DETAIL ? `${line.slice(0, MAX_DETAIL - 1)}…` : line;
}

/** Builds the request; the argv never holds a secret, those go only to stdin. */
export function stepRequest(
  argv: readonly string[],
  defaultTimeoutMs: number,
  options: StepRunOptions,
  stdin?: Secret,
): ProcessRequest {
  const full = [...(options.commandPrefix ?? []), ...argv];
  const [file, ...args] = full;
  if (file === undefined) throw new DetourError('bad_argument', 'empty command');
  return {
    file,
    args,
    // A fixed locale keeps messages we recognise (device-mapper) in English on any host.
    env: { LC_ALL: 'C.UTF-8' },
    ...(stdin ? { stdin } : {}),
    timeoutMs: options.timeoutMs ?? defaultTimeoutMs,
    killAfterMs: KILL_AFTER_MS,
    ...(options.signal ? { signal: options.signal } : {}),
  };
}

/** Maps the results no tool-specific exit code can explain; undefined when the tool exited. */
export function commonOutcome(
  result: ProcessResult,
  secrets: readonly Secret[],
): StepOutcome<CommonOutcome> | undefined {
  if (result.isCanceled) return { outcome: 'canceled', exitCode: undefined, detail: 'canceled' };
  if (result.timedOut) return { outcome: 'timeout', exitCode: undefined, detail: 'timed out' };
  if (result.failedToStart) {
    const file = shortDetail(result.command.split(' ')[0] ?? '', secrets);
    return { outcome: 'failed', exitCode: undefined, detail: `${file} could not be started` };
  }
  if (result.exitCode === undefined) {
    return { outcome: 'failed', exitCode: undefined, detail: `killed by ${result.signal ?? 'a signal'}` };
  }
  return undefined;
}

/** The tool's own message: stderr first, stdout when stderr is empty. */
export function toolDetail(result: ProcessResult, secrets: readonly Secret[]): string {
  return shortDetail(result.stderr.trim() ? result.stderr : result.stdout, secrets);
}

/**
 * Config values become argv items: refuse ones a tool would read as an option, or that are empty.
 * The message may name the value: targets come from the config, never from a secret.
 */
export function assertArgValue(what: string, value: string): void {
  if (value.length === 0 || value.startsWith('-') || value.includes('\n') || value.includes('\0')) {
    throw new DetourError('bad_argument', `invalid ${what}: ${JSON.stringify(value)}`);
  }
}
