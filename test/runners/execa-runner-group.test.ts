import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { execaRunner } from '../../src/runners/execa-runner.js';

/** Command lines of running processes that contain `marker` (zombies show as "[name] <defunct>"). */
function processesWith(marker: string): string[] {
  const ps = spawnSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
  return ps.stdout.split('\n').filter((line) => line.includes(marker) && !line.startsWith('ps '));
}

async function waitFor(condition: () => boolean, what: string, deadlineMs = 15_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function uniqueSeconds(): string {
  return `5678.${process.pid}${Math.floor(Math.random() * 100_000)}`;
}

/** A shell that leaves a grandchild in the background, like ansible-playbook's workers. */
function treeScript(seconds: string, ignoreTerm: boolean): string[] {
  const trap = ignoreTerm ? "trap '' TERM; " : '';
  return ['-c', `${trap}sleep ${seconds} & sleep ${seconds}; wait`];
}

describe('execaRunner process-group termination', () => {
  it('a timeout kills the whole process group, grandchildren included', async () => {
    const seconds = uniqueSeconds();
    const result = await execaRunner({
      file: 'sh',
      args: treeScript(seconds, false),
      timeoutMs: 1_000,
      killAfterMs: 1_000,
    });
    expect(result.timedOut).toBe(true);
    expect(result.isCanceled).toBe(false);
    expect(result.failedToStart).toBe(false);
    await waitFor(() => processesWith(seconds).length === 0, 'no process left');
  });

  it('a cancel kills the group; SIGKILL follows for members that ignore SIGTERM', async () => {
    const seconds = uniqueSeconds();
    const controller = new AbortController();
    const running = execaRunner({
      file: 'sh',
      args: treeScript(seconds, true),
      timeoutMs: 60_000,
      killAfterMs: 500,
      signal: controller.signal,
    });
    await waitFor(() => processesWith(seconds).filter((l) => l.startsWith('sleep ')).length === 2, 'both sleeps');
    controller.abort();
    const result = await running;
    expect(result.isCanceled).toBe(true);
    expect(result.timedOut).toBe(false);
    expect(result.signal).toBe('SIGKILL');
    await waitFor(() => processesWith(seconds).length === 0, 'no process left');
  });

  it('does not start anything for an already aborted signal', async () => {
    const seconds = uniqueSeconds();
    const controller = new AbortController();
    controller.abort();
    const result = await execaRunner({ file: 'sleep', args: [seconds], timeoutMs: 60_000, signal: controller.signal });
    expect(result.isCanceled).toBe(true);
    expect(processesWith(seconds)).toEqual([]);
  });

  it('still runs ordinary commands: exit code, every stdout line including an unterminated last one', async () => {
    const lines: string[] = [];
    const result = await execaRunner({
      file: 'printf',
      args: ['été\\nsecond\\nlast'],
      timeoutMs: 10_000,
      onStdoutLine: (line) => lines.push(line),
    });
    expect(result.exitCode).toBe(0);
    expect(result.timedOut || result.isCanceled || result.failedToStart).toBe(false);
    expect(lines).toEqual(['été', 'second', 'last']);
  });

  it('reports a program that cannot start', async () => {
    const result = await execaRunner({ file: '/nonexistent/detour-tool', args: [], timeoutMs: 10_000 });
    expect(result.failedToStart).toBe(true);
  });
});
