import { randomBytes } from 'node:crypto';
import { StringDecoder } from 'node:string_decoder';
import type { NodeSSH } from 'node-ssh';
import { Secret } from '../../core/secret.js';
import { quoteForShell } from '../shell-quote.js';

/** The few ssh2 channel methods used here (ssh2 ships no type declarations). */
interface RemoteChannel {
  write(data: string): boolean;
  close(): void;
}

export interface ChannelRequest {
  argv: readonly string[];
  cwd?: string;
  stdin?: string | Secret;
  timeoutMs: number;
  killAfterMs: number;
  signal?: AbortSignal;
  onStdoutLine?: (line: string) => void;
}

export interface ChannelOutcome {
  exitCode: number | undefined;
  /** "SIGTERM" style, as execa reports it. */
  signal: string | undefined;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  isCanceled: boolean;
  /** The channel ended with neither an exit status nor a signal (connection lost or forced close). */
  noStatus: boolean;
}

/** The channel could not be opened: the command never started, so it is safe to retry. */
export class ChannelOpenError extends Error {}

// After the last kill the server should close the channel at once; this only guards a wedged link.
const CLOSE_GRACE_MS = 2_000;
const KILL_COMMAND_TIMEOUT_MS = 10_000;

/**
 * Runs one command on an open connection. The remote shell first reports its
 * pid on stderr behind a one-off marker, then `exec`s the command, which so
 * keeps that pid and leads its own process group (sshd starts each session
 * with setsid). A timeout or cancel then kills the whole group through a
 * second channel: closing the channel would leave it running, and OpenSSH
 * refuses the protocol's "signal" request for root sessions.
 */
export async function runChannel(ssh: NodeSSH, req: ChannelRequest): Promise<ChannelOutcome> {
  const marker = `detour-pid-${randomBytes(6).toString('hex')}:`;
  const command = quoteForShell(req.argv);
  const line = `echo ${marker}$$ >&2; ${req.cwd === undefined ? '' : `cd ${quoteForShell([req.cwd])} && `}exec ${command}`;

  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  let pid: number | undefined;
  let onPid: (() => void) | undefined;
  const pidKnown = new Promise<void>((resolve) => {
    onPid = resolve;
  });
  let markerSeen = '';
  let stopping: 'timeout' | 'cancel' | undefined;
  let level: 'TERM' | 'KILL' | undefined;
  let opened = false;
  let channel: RemoteChannel | undefined;
  const timers: NodeJS.Timeout[] = [];
  let forceDone: (() => void) | undefined;
  let done = false;
  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      timers.push(setTimeout(resolve, ms));
    });

  const finalPhase = async (): Promise<void> => {
    level = 'KILL';
    // A slow login shell may not have reported its pid yet; give it the grace period.
    await Promise.race([pidKnown, sleep(CLOSE_GRACE_MS)]);
    if (done) return;
    if (pid !== undefined) await killGroup(ssh, pid, 'KILL');
    if (done) return;
    channel?.close();
    await sleep(CLOSE_GRACE_MS);
    forceDone?.();
  };
  const stop = (why: 'timeout' | 'cancel'): void => {
    if (stopping) return;
    stopping = why;
    level = 'TERM';
    if (pid !== undefined) void killGroup(ssh, pid, 'TERM');
    timers.push(setTimeout(() => void finalPhase(), req.killAfterMs));
  };
  const onAbort = (): void => stop('cancel');

  const lines = req.onStdoutLine ? lineSplitter(req.onStdoutLine) : undefined;
  timers.push(setTimeout(() => stop('timeout'), req.timeoutMs));
  req.signal?.addEventListener('abort', onAbort, { once: true });
  if (req.signal?.aborted) stop('cancel');

  try {
    const finished = ssh.execCommand(line, {
      noTrim: true,
      onChannel: (ch: RemoteChannel) => {
        opened = true;
        channel = ch;
        // The secret is revealed only into the channel; node-ssh sends EOF right after.
        const input = req.stdin instanceof Secret ? req.stdin.reveal() : req.stdin;
        if (input !== undefined && input !== '') ch.write(input);
      },
      onStdout: (chunk: Buffer) => {
        stdout.push(chunk);
        lines?.push(chunk);
      },
      onStderr: (chunk: Buffer) => {
        stderr.push(chunk);
        if (pid === undefined && markerSeen.length < 65_536) {
          markerSeen += chunk.toString('latin1');
          const found = new RegExp(`${marker}(\\d+)\\n`).exec(markerSeen);
          if (found?.[1]) {
            pid = Number(found[1]);
            onPid?.();
            if (level) void killGroup(ssh, pid, level);
          }
        }
      },
    });
    // A forced finish leaves `finished` pending; should it reject later, nobody is listening.
    finished.catch(() => undefined);
    const forced = new Promise<undefined>((resolve) => {
      forceDone = () => resolve(undefined);
    });
    let response: Awaited<typeof finished> | undefined;
    try {
      response = await Promise.race([finished, forced]);
    } catch (error) {
      if (!opened) throw new ChannelOpenError('channel open failed', { cause: error });
      throw error;
    }
    lines?.end();
    const code = response?.code ?? undefined;
    const signalName = response?.signal ?? undefined;
    return {
      exitCode: code === null ? undefined : code,
      signal: signalName === undefined ? undefined : signalName.startsWith('SIG') ? signalName : `SIG${signalName}`,
      stdout: Buffer.concat(stdout).toString('utf8'),
      stderr: Buffer.concat(stderr)
        .toString('utf8')
        .replace(new RegExp(`${marker}\\d+\\n`), ''),
      timedOut: stopping === 'timeout',
      isCanceled: stopping === 'cancel',
      noStatus: code == null && !signalName,
    };
  } finally {
    done = true;
    for (const t of timers) clearTimeout(t);
    req.signal?.removeEventListener('abort', onAbort);
  }
}

/** Signals the remote process group (and the process, should it not lead a group). */
async function killGroup(ssh: NodeSSH, pid: number, signalName: 'TERM' | 'KILL'): Promise<void> {
  const line = quoteForShell(['kill', '-s', signalName, '--', `-${pid}`, String(pid)]);
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      ssh.execCommand(`${line} 2>/dev/null`),
      new Promise((resolve) => {
        timer = setTimeout(resolve, KILL_COMMAND_TIMEOUT_MS);
      }),
    ]);
  } catch {
    // The connection is going away as well; nothing more can be done from here.
  } finally {
    clearTimeout(timer);
  }
}

function lineSplitter(onLine: (line: string) => void): { push(chunk: Buffer): void; end(): void } {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  return {
    push(chunk) {
      pending += decoder.write(chunk);
      const parts = pending.split('\n');
      pending = parts.pop() ?? '';
      for (const part of parts) onLine(part);
    },
    end() {
      pending += decoder.end();
      if (pending !== '') onLine(pending);
      pending = '';
    },
  };
}
