import type { NodeSSH } from 'node-ssh';
import type { SshHostConfig } from './connect.js';
import { Limiter } from './limiter.js';
import type { RemoteFiles, SftpOpener } from './remote-files.js';

/** The few ssh2 client calls the pool uses (ssh2 ships no type declarations). */
export interface RawClient extends SftpOpener {
  on(event: 'close' | 'end' | 'error', listener: () => void): unknown;
  destroy(): void;
}

export interface Live {
  ssh: NodeSSH;
  client: RawClient;
  lost: boolean;
  seatHeld: boolean;
  closed: Promise<void>;
  /** Opened on the first file read. */
  files: RemoteFiles | undefined;
}

export interface Slot {
  name: string;
  config: SshHostConfig;
  channels: Limiter;
  running: number;
  live: Live | undefined;
  connecting: Promise<Live> | undefined;
  idleTimer: NodeJS.Timeout | undefined;
  lastUsed: number;
}

/** A configured host of the pool: its connection (when open) and its own channel limit. */
export function newSlot(name: string, config: SshHostConfig, maxChannels: number): Slot {
  return {
    name,
    config,
    channels: new Limiter(maxChannels),
    running: 0,
    live: undefined,
    connecting: undefined,
    idleTimer: undefined,
    lastUsed: 0,
  };
}
