import type { Secret } from '../../core/secret.js';
import type { ProcessResult } from '../process.js';
import type { SshHostConfig } from './connect.js';

export interface SshPoolOptions {
  hosts: Readonly<Record<string, SshHostConfig>>;
  /** OpenSSH known_hosts; read at every handshake, never written. */
  knownHostsFile: string;
  /** Commands running at once on one host; more wait in line (default 4, under sshd's MaxSessions 10). */
  maxChannelsPerHost?: number;
  /** Connections open at once; an idle one is closed to make room (default 8). */
  maxHosts?: number;
  connectTimeoutMs?: number;
  /** Delay between SIGTERM and SIGKILL after a timeout or cancel (default 5 s). */
  killAfterMs?: number;
  /** An unused connection is closed after this long (default 5 min). */
  idleTimeoutMs?: number;
  keepaliveIntervalMs?: number;
  /** A file read or stat on a host gives up after this long (default 10 s). */
  fileTimeoutMs?: number;
}

export interface SshExecOptions {
  /** Sent then closed; a Secret is revealed only into the channel. */
  stdin?: string | Secret;
  /** Bounds the command once its channel is requested (queueing and connecting not included). */
  timeoutMs: number;
  killAfterMs?: number;
  signal?: AbortSignal;
  cwd?: string;
  onStdoutLine?: (line: string) => void;
}

/** A ProcessResult, plus the configured host name. */
export interface SshExecResult extends ProcessResult {
  host: string;
}

export interface SshPoolStats {
  /** Successful handshakes since the pool was made: reuse keeps this at one per host. */
  connectionsOpened: number;
  openConnections: number;
  runningCommands: number;
  queuedCommands: number;
}
