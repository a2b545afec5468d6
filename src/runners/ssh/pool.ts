import type { NodeSSH } from 'node-ssh';
import { anySignal, untilAborted } from './abort.js';
import { connectHost } from './connect.js';
import { SshError } from './errors.js';
import { canceledResult, channelResult, checkArgv } from './exec-result.js';
import { Limiter } from './limiter.js';
import { FILE_TIMEOUT_MS, RemoteFiles } from './remote-files.js';
import { ChannelOpenError, runChannel } from './run-channel.js';
import { type Live, newSlot, type RawClient, type Slot } from './slot.js';
import type { SshExecOptions, SshExecResult, SshPoolOptions, SshPoolStats } from './types.js';

const CLOSE_WAIT_MS = 2_000;

/** One SSH connection per host, reused by every command and reopened when it drops. */
export class SshPool {
  readonly #opts: Required<Omit<SshPoolOptions, 'hosts'>>;
  readonly #slots = new Map<string, Slot>();
  readonly #seats: Limiter;
  readonly #shutdown = new AbortController();
  #opened = 0;

  constructor(options: SshPoolOptions) {
    this.#opts = {
      knownHostsFile: options.knownHostsFile,
      maxChannelsPerHost: options.maxChannelsPerHost ?? 4,
      maxHosts: options.maxHosts ?? 8,
      connectTimeoutMs: options.connectTimeoutMs ?? 15_000,
      killAfterMs: options.killAfterMs ?? 5_000,
      idleTimeoutMs: options.idleTimeoutMs ?? 300_000,
      keepaliveIntervalMs: options.keepaliveIntervalMs ?? 15_000,
      fileTimeoutMs: options.fileTimeoutMs ?? FILE_TIMEOUT_MS,
    };
    this.#seats = new Limiter(this.#opts.maxHosts);
    for (const [name, config] of Object.entries(options.hosts)) {
      this.#slots.set(name, newSlot(name, config, this.#opts.maxChannelsPerHost));
    }
  }

  get connectionsOpened(): number {
    return this.#opened;
  }

  stats(): SshPoolStats {
    const slots = [...this.#slots.values()];
    return {
      connectionsOpened: this.#opened,
      openConnections: slots.filter((s) => s.live && !s.live.lost).length,
      runningCommands: slots.reduce((n, s) => n + s.running, 0),
      queuedCommands: slots.reduce((n, s) => n + s.channels.waiting, 0),
    };
  }

  /**
   * Runs argv on the host through its login shell (each word single-quoted).
   * Resolves with the command's result whatever its exit code; throws an
   * SshError when the command could not be run or its outcome is unknown.
   */
  async exec(hostName: string, argv: readonly string[], options: SshExecOptions): Promise<SshExecResult> {
    const slot = this.#slot(hostName);
    this.#checkOpen(hostName);
    checkArgv(hostName, argv);
    const started = performance.now();
    const canceled = (): SshExecResult => canceledResult(hostName, argv, started);
    if (options.signal?.aborted) return canceled();
    try {
      await slot.channels.acquire(anySignal(this.#shutdown.signal, options.signal));
    } catch {
      this.#checkOpen(hostName);
      return canceled();
    }
    this.#hold(slot);
    try {
      for (let attempt = 0; ; attempt++) {
        const live = await untilAborted(this.#connection(slot), options.signal);
        if (!live) return canceled();
        try {
          const outcome = await runChannel(live.ssh, {
            argv,
            cwd: options.cwd,
            stdin: options.stdin,
            timeoutMs: options.timeoutMs,
            killAfterMs: options.killAfterMs ?? this.#opts.killAfterMs,
            signal: options.signal,
            onStdoutLine: options.onStdoutLine,
          });
          this.#checkOpen(hostName);
          return channelResult(hostName, argv, outcome, started);
        } catch (error) {
          if (!(error instanceof ChannelOpenError)) throw error;
          this.#checkOpen(hostName);
          // A connection that died unnoticed fails here, before the command started: reconnect once.
          if (live.lost && attempt === 0) continue;
          throw new SshError('ssh_channel_failed', hostName, `${hostName} refused to open a command channel`, {
            cause: error.cause,
          });
        }
      }
    } finally {
      slot.channels.release();
      this.#release(slot);
    }
  }

  /** A file's text on the host; rejects with a RemoteFileError (code ENOENT, EACCES…) or an SshError. */
  readFile(hostName: string, path: string): Promise<string> {
    return this.#withFiles(hostName, (files) => files.readFile(path));
  }

  /** What is at `path` on the host (undefined: nothing). */
  stat(hostName: string, path: string): Promise<{ isDirectory: boolean } | undefined> {
    return this.#withFiles(hostName, (files) => files.stat(path));
  }

  async #withFiles<T>(hostName: string, use: (files: RemoteFiles) => Promise<T>): Promise<T> {
    const slot = this.#slot(hostName);
    this.#checkOpen(hostName);
    this.#hold(slot);
    try {
      const live = await this.#connection(slot);
      live.files ??= new RemoteFiles(
        hostName,
        live.client,
        (argv, timeoutMs) => this.exec(hostName, argv, { timeoutMs }),
        this.#opts.fileTimeoutMs,
      );
      return await use(live.files);
    } finally {
      this.#release(slot);
    }
  }

  /** In use: the idle timer waits. */
  #hold(slot: Slot): void {
    slot.running++;
    clearTimeout(slot.idleTimer);
  }

  #release(slot: Slot): void {
    slot.running--;
    slot.lastUsed = performance.now();
    if (slot.running === 0) this.#whenIdle(slot);
  }

  /** Closes every connection; running commands end with ssh_pool_closed, queued ones too. */
  async close(): Promise<void> {
    this.#shutdown.abort();
    const closing: Promise<void>[] = [];
    for (const slot of this.#slots.values()) {
      clearTimeout(slot.idleTimer);
      const live = slot.live;
      if (live) closing.push(this.#drop(slot, live));
    }
    await Promise.all(closing);
  }

  #slot(hostName: string): Slot {
    const slot = this.#slots.get(hostName);
    if (!slot) throw new SshError('ssh_unknown_host', hostName, `no SSH host named ${hostName} is configured`);
    return slot;
  }

  #checkOpen(hostName: string): void {
    if (this.#shutdown.signal.aborted) throw new SshError('ssh_pool_closed', hostName, 'the SSH pool is closed');
  }

  #connection(slot: Slot): Promise<Live> {
    if (slot.live && !slot.live.lost) return Promise.resolve(slot.live);
    if (!slot.connecting) {
      slot.connecting = this.#connect(slot).finally(() => {
        slot.connecting = undefined;
      });
    }
    return slot.connecting;
  }

  async #connect(slot: Slot): Promise<Live> {
    if (!this.#seats.tryAcquire()) {
      this.#evictIdle();
      try {
        await this.#seats.acquire(this.#shutdown.signal);
      } catch {
        this.#checkOpen(slot.name);
      }
    }
    let ssh: NodeSSH;
    try {
      ssh = await connectHost({
        name: slot.name,
        config: slot.config,
        knownHostsFile: this.#opts.knownHostsFile,
        connectTimeoutMs: this.#opts.connectTimeoutMs,
        keepaliveIntervalMs: this.#opts.keepaliveIntervalMs,
      });
    } catch (error) {
      this.#seats.release();
      throw error;
    }
    const client = ssh.connection as RawClient;
    let markClosed = (): void => undefined;
    const live: Live = {
      ssh,
      client,
      lost: false,
      seatHeld: true,
      files: undefined,
      closed: new Promise((r) => {
        markClosed = r;
      }),
    };
    const onGone = (): void => {
      this.#forget(slot, live);
      markClosed();
    };
    client.on('close', onGone);
    client.on('end', () => this.#forget(slot, live));
    // Without a listener, a late socket error would crash the process; 'close' follows it.
    client.on('error', () => this.#forget(slot, live));
    if (this.#shutdown.signal.aborted) {
      await this.#drop(slot, live);
      this.#checkOpen(slot.name);
    }
    this.#opened++;
    slot.live = live;
    return live;
  }

  /** The connection is gone (or going): later commands open a new one. */
  #forget(slot: Slot, live: Live): void {
    live.lost = true;
    if (slot.live === live) slot.live = undefined;
    if (live.seatHeld) {
      live.seatHeld = false;
      this.#seats.release();
    }
  }

  async #drop(slot: Slot, live: Live): Promise<void> {
    this.#forget(slot, live);
    live.ssh.dispose();
    let timer: NodeJS.Timeout | undefined;
    const waited = await Promise.race([
      live.closed.then(() => true),
      new Promise<boolean>((r) => {
        timer = setTimeout(() => r(false), CLOSE_WAIT_MS);
      }),
    ]);
    clearTimeout(timer);
    if (!waited) live.client.destroy();
  }

  #whenIdle(slot: Slot): void {
    const live = slot.live;
    if (!live || this.#shutdown.signal.aborted) return;
    // Another host is waiting for a connection: make room now rather than at the idle timeout.
    if (this.#seats.waiting > 0) {
      void this.#drop(slot, live);
      return;
    }
    slot.idleTimer = setTimeout(() => {
      if (slot.running === 0 && slot.live === live) void this.#drop(slot, live);
    }, this.#opts.idleTimeoutMs);
    slot.idleTimer.unref();
  }

  #evictIdle(): void {
    const idle = [...this.#slots.values()]
      .filter((s) => s.running === 0 && s.live && !s.live.lost)
      .sort((a, b) => a.lastUsed - b.lastUsed)[0];
    if (idle?.live) {
      clearTimeout(idle.idleTimer);
      void this.#drop(idle, idle.live);
    }
  }
}
