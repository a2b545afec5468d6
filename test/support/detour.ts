import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { execa } from 'execa';

/** The built binary, as `npx detour` runs it. */
export const CLI = resolve(import.meta.dirname, '../../dist/src/cli.js');

export interface CliResult {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
}

/** Runs `detour <args>` to completion in `cwd`, with extra environment. */
export async function detour(
  args: string[],
  options: { cwd: string; env?: Record<string, string> },
): Promise<CliResult> {
  const r = await execa(process.execPath, [CLI, ...args], {
    cwd: options.cwd,
    env: { DETOUR_CONFIG: '', ...options.env },
    reject: false,
    timeout: 120_000,
  });
  return { exitCode: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** Starts `detour <args>` and leaves it running; lines of stdout are collected as they come. */
export function startDetour(
  args: string[],
  options: { cwd: string; env?: Record<string, string> },
): {
  child: ChildProcess;
  lines: string[];
  waitForLine(match: (line: string) => boolean, timeoutMs?: number): Promise<string>;
} {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: options.cwd,
    env: { ...process.env, DETOUR_CONFIG: '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters: (() => void)[] = [];
  let pending = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    const parts = pending.split('\n');
    pending = parts.pop() ?? '';
    lines.push(...parts);
    for (const w of waiters.splice(0)) w();
  });
  child.stderr?.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)));
  const waitForLine = (match: (line: string) => boolean, timeoutMs = 60_000) =>
    new Promise<string>((resolvePromise, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no matching line in time; got:\n${lines.join('\n')}`)),
        timeoutMs,
      );
      const check = () => {
        const found = lines.find(match);
        if (found !== undefined) {
          clearTimeout(timer);
          resolvePromise(found);
        } else if (child.exitCode !== null) {
          clearTimeout(timer);
          reject(new Error(`detour exited with ${child.exitCode}; output:\n${lines.join('\n')}`));
        } else waiters.push(check);
      };
      child.once('exit', () => check());
      check();
    });
  return { child, lines, waitForLine };
}
