import { canceledBeforeStart } from '../process.js';
import { ShellQuoteError } from '../shell-quote.js';
import { SshError } from './errors.js';
import type { ChannelOutcome } from './run-channel.js';
import type { SshExecResult } from './types.js';

/** What SshPool.exec refuses before connecting: no program name, or a NUL byte no shell can quote. */
export function checkArgv(hostName: string, argv: readonly string[]): void {
  if (argv.length === 0 || argv[0] === '')
    throw new SshError('ssh_bad_command', hostName, 'an SSH command needs a program name');
  const bad = argv.findIndex((a) => a.includes('\0'));
  if (bad >= 0) throw new SshError('ssh_bad_command', hostName, new ShellQuoteError(bad).message);
}

const commandOf = (hostName: string, argv: readonly string[]): string => `ssh ${hostName}: ${argv.join(' ')}`;
const since = (started: number): number => Math.round(performance.now() - started);

/** A command canceled before its channel opened: it never ran. */
export function canceledResult(hostName: string, argv: readonly string[], started: number): SshExecResult {
  return { ...canceledBeforeStart(commandOf(hostName, argv), since(started)), host: hostName };
}

/** The result of a command that ran; a channel that ended without a status means the outcome is unknown. */
export function channelResult(
  hostName: string,
  argv: readonly string[],
  outcome: ChannelOutcome,
  started: number,
): SshExecResult {
  if (outcome.noStatus && !outcome.timedOut && !outcome.isCanceled) {
    throw new SshError(
      'ssh_connection_lost',
      hostName,
      `the connection to ${hostName} was lost while running ${argv[0]}; its outcome is unknown`,
    );
  }
  const { noStatus: _, ...rest } = outcome;
  return {
    host: hostName,
    command: commandOf(hostName, argv),
    durationMs: since(started),
    ...rest,
    // What the remote shell answers for a program it cannot find (127) or execute (126).
    failedToStart: rest.exitCode === 127 || rest.exitCode === 126,
  };
}
