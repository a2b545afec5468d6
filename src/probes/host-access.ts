import { readFile, stat } from 'node:fs/promises';
import type { ProcessResult, ProcessRunner } from '../runners/process.js';

export interface ExecOptions {
  timeoutMs: number;
  signal?: AbortSignal;
}

/** What `stat` tells of an existing path (symbolic links followed, as `test -e` does). */
export interface PathStat {
  isDirectory: boolean;
}

/**
 * What a probe needs from a host: run a program, read a file, see whether a
 * path exists. The local implementation is below; the SSH one
 * (HostRegistry.accessFor) runs the same argv and reads files over SFTP,
 * so every probe stays "argv or path in, pure parser out".
 */
export interface HostAccess {
  exec(argv: readonly string[], opts: ExecOptions): Promise<ProcessResult>;
  /** Rejects with an error whose `code` says why (ENOENT, EACCES, …), locally and remotely alike. */
  readFile(path: string): Promise<string>;
  /** undefined when nothing is there. */
  stat(path: string): Promise<PathStat | undefined>;
}

// Short: probes are read-only, and a hung df should not hold the job long.
const KILL_AFTER_MS = 2_000;

/** The machine the bot runs on, through the injected process runner. */
export function localHostAccess(run: ProcessRunner): HostAccess {
  return {
    exec(argv, opts) {
      const [file, ...args] = argv;
      if (file === undefined) throw new TypeError('exec needs a non-empty argv');
      return run({
        file,
        args,
        // Parsers read English headers and unescaped UTF-8 paths, whatever the bot's locale.
        env: { LC_ALL: 'C.UTF-8', LANG: 'C.UTF-8' },
        timeoutMs: opts.timeoutMs,
        killAfterMs: KILL_AFTER_MS,
        signal: opts.signal,
      });
    },
    readFile(path) {
      return readFile(path, 'utf8');
    },
    stat: localStat,
  };
}

export async function localStat(path: string): Promise<PathStat | undefined> {
  try {
    return { isDirectory: (await stat(path)).isDirectory() };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
}
