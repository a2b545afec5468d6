import type { Secret } from '../core/secret.js';

/** What to run: always an argv array, never a shell string. */
export interface ProcessRequest {
  file: string;
  args: readonly string[];
  /** Added to the allow-listed environment (child-env.ts); secrets go here (or to stdin), never in args. */
  env?: Record<string, string>;
  stdin?: string | Secret;
  cwd?: string;
  timeoutMs: number;
  /** Delay between SIGTERM and SIGKILL once a timeout or cancel fires. */
  killAfterMs?: number;
  signal?: AbortSignal;
  /** Called with each complete line of stdout as it arrives (progress streams). */
  onStdoutLine?: (line: string) => void;
}

/** One result shape for success and failure (as execa does). */
export interface ProcessResult {
  command: string;
  exitCode: number | undefined;
  signal: string | undefined;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  isCanceled: boolean;
  /** The program could not be started at all (not installed, not executable). */
  failedToStart: boolean;
  durationMs: number;
}

/** The port every runner uses; tests inject a real runner with fixture tools on PATH. */
export type ProcessRunner = (request: ProcessRequest) => Promise<ProcessResult>;

/** The answer for a command canceled before it started: it never ran. */
export function canceledBeforeStart(command: string, durationMs: number): ProcessResult {
  return {
    command,
    exitCode: undefined,
    signal: undefined,
    stdout: '',
    stderr: '',
    timedOut: false,
    isCanceled: true,
    failedToStart: false,
    durationMs,
  };
}
