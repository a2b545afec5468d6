import { StringDecoder } from 'node:string_decoder';
import { execa } from 'execa';
import { Secret } from '../core/secret.js';
import { childEnvironment } from './child-env.js';
import { canceledBeforeStart, type ProcessRequest, type ProcessResult, type ProcessRunner } from './process.js';

const DEFAULT_KILL_AFTER_MS = 5_000;

/**
 * Process groups of children still running. Each child is started in its own
 * group (detached = setsid), which turns off execa's own cleanup, so the exit
 * hook below takes over: a bot that exits must not leave ansible workers behind.
 */
const liveGroups = new Set<number>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pgid of liveGroups) signalGroup(pgid, 'SIGKILL');
  });
}

/** Sends a signal to every process of the group; false when the group is already gone. */
function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (error) {
    // ESRCH: every member has exited, which is what we wanted anyway. EPERM: the
    // id now belongs to someone else's group, which must not be touched.
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ESRCH' || code === 'EPERM') return false;
    throw error;
  }
}

/**
 * The ProcessRunner adapter on execa: argv array, timeout, cancel signal, kill-after delay.
 *
 * A timeout or cancel signals the child's whole process group (SIGTERM, then
 * SIGKILL after `killAfterMs`), not just the child: programs such as
 * ansible-playbook fork workers that would otherwise outlive it. Members still
 * alive once the child itself has exited get SIGKILL at once.
 */
export const execaRunner: ProcessRunner = async (req: ProcessRequest): Promise<ProcessResult> => {
  const started = performance.now();
  const command = [req.file, ...req.args].join(' ');
  if (req.signal?.aborted) return canceledBeforeStart(command, 0);
  const stdin = req.stdin instanceof Secret ? req.stdin.reveal() : req.stdin;
  const child = execa(req.file, [...req.args], {
    // Only the allow-listed part of the bot's environment: chat tokens stay here.
    env: childEnvironment(process.env, { LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', ...req.env }),
    extendEnv: false,
    input: stdin ?? '',
    cwd: req.cwd,
    // Own process group, so that a timeout or cancel can reach every descendant.
    detached: true,
    reject: false,
    stripFinalNewline: false,
    lines: false,
  });
  const pgid = child.pid;
  const killAfterMs = req.killAfterMs ?? DEFAULT_KILL_AFTER_MS;
  // Whichever of timeout and cancel came first is the one reported.
  let stoppedBy: 'timeout' | 'cancel' | undefined;
  let forceKillTimer: NodeJS.Timeout | undefined;

  const terminate = (reason: 'timeout' | 'cancel'): void => {
    if (stoppedBy !== undefined) return;
    stoppedBy = reason;
    if (pgid === undefined) return;
    signalGroup(pgid, 'SIGTERM');
    forceKillTimer = setTimeout(() => signalGroup(pgid, 'SIGKILL'), killAfterMs);
  };
  const onAbort = (): void => terminate('cancel');
  // Runs until the output pipes close, so a descendant that keeps them open
  // after the child exits is also caught by the timeout.
  const timeoutTimer = setTimeout(() => terminate('timeout'), req.timeoutMs);
  req.signal?.addEventListener('abort', onAbort, { once: true });
  if (pgid !== undefined) {
    installExitHook();
    liveGroups.add(pgid);
  }

  let pending = '';
  if (req.onStdoutLine) {
    const onLine = req.onStdoutLine;
    // A chunk may end in the middle of a multi-byte character (accented task names).
    const decoder = new StringDecoder('utf8');
    child.stdout?.on('data', (chunk: Buffer) => {
      pending += decoder.write(chunk);
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) onLine(line);
    });
  }

  try {
    const result = await child;
    // A last line without a newline is still a line.
    if (req.onStdoutLine && pending !== '') req.onStdoutLine(pending);
    const timedOut = stoppedBy === 'timeout';
    const isCanceled = stoppedBy === 'cancel';
    const failedToStart = result.exitCode === undefined && !result.signal && !timedOut && !isCanceled;
    return {
      command,
      exitCode: result.exitCode,
      signal: result.signal,
      stdout: String(result.stdout ?? ''),
      stderr: String(result.stderr ?? ''),
      timedOut,
      isCanceled,
      failedToStart,
      durationMs: Math.round(performance.now() - started),
    };
  } finally {
    clearTimeout(timeoutTimer);
    clearTimeout(forceKillTimer);
    req.signal?.removeEventListener('abort', onAbort);
    if (pgid !== undefined) {
      // Whatever survived SIGTERM while the child itself exited is an orphan now.
      if (stoppedBy !== undefined) signalGroup(pgid, 'SIGKILL');
      liveGroups.delete(pgid);
    }
  }
};
