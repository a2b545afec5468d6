import { DetourError } from '../../core/errors.js';
import type { ProcessResult } from '../process.js';
import { SshError } from './errors.js';

/** The few ssh2 SFTP calls used here (ssh2 ships no type declarations). */
interface Sftp {
  readFile(path: string, encoding: 'utf8', cb: (err: SftpFailure | null | undefined, text: string) => void): void;
  stat(path: string, cb: (err: SftpFailure | null | undefined, stats: { isDirectory(): boolean }) => void): void;
  end(): void;
  once(event: 'close', listener: () => void): unknown;
}

interface SftpFailure extends Error {
  /** The SSH_FX_* status code. */
  code?: number;
}

type Done<T> = (err: SftpFailure | null | undefined, value: T | undefined) => void;

/** The ssh2 client call that opens an SFTP session. */
export interface SftpOpener {
  sftp(cb: (err: Error | undefined, sftp: Sftp) => void): void;
}

/** Runs argv on the same host (the pool's exec), for servers without SFTP. */
export type RemoteExec = (argv: readonly string[], timeoutMs: number) => Promise<ProcessResult>;

/** Like Node's fs errors: `code` is ENOENT, EACCES, ETIMEDOUT or EIO, wherever the file is. */
export class RemoteFileError extends DetourError {}

export const FILE_TIMEOUT_MS = 10_000;

// SSH_FX_NO_SUCH_FILE and SSH_FX_PERMISSION_DENIED (the SFTP draft OpenSSH speaks), as errno names.
const STATUS_ERRNO: Readonly<Record<number, string>> = { 2: 'ENOENT', 3: 'EACCES' };

/**
 * One host's files, over one SFTP session kept with the connection: a read is
 * a request to a long-lived sftp-server, where `cat` cost a new session, a
 * shell and a process on the host each time (about 10 ms of the host's CPU,
 * measured). A server without the SFTP subsystem gets `cat` and `test`.
 */
export class RemoteFiles {
  readonly #host: string;
  readonly #client: SftpOpener;
  readonly #exec: RemoteExec;
  readonly #timeoutMs: number;
  #session: Promise<Sftp | 'unavailable'> | undefined;

  constructor(host: string, client: SftpOpener, exec: RemoteExec, timeoutMs = FILE_TIMEOUT_MS) {
    this.#host = host;
    this.#client = client;
    this.#exec = exec;
    this.#timeoutMs = timeoutMs;
  }

  async readFile(path: string): Promise<string> {
    return this.#request<string>(
      `read ${path}`,
      (sftp, done) => sftp.readFile(path, 'utf8', done),
      () => this.#cat(path),
    );
  }

  /** undefined when nothing is at `path`; symbolic links are followed. */
  async stat(path: string): Promise<{ isDirectory: boolean } | undefined> {
    try {
      return await this.#request<{ isDirectory: boolean } | undefined>(
        `stat ${path}`,
        (sftp, done) =>
          sftp.stat(path, (err, stats) => done(err, err ? undefined : { isDirectory: stats.isDirectory() })),
        () => this.#test(path),
      );
    } catch (error) {
      if (error instanceof RemoteFileError && error.code === 'ENOENT') return undefined;
      throw error;
    }
  }

  /** One SFTP request (the session opened first if need be), or the fallback, within the time limit. */
  #request<T>(what: string, ask: (sftp: Sftp, done: Done<T>) => void, fallback: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        // A wedged sftp-server (a hung NFS mount) would hold every later request: start afresh.
        this.#discard();
        reject(new RemoteFileError('ETIMEDOUT', `cannot ${what} on ${this.#host} within ${this.#timeoutMs} ms`));
      }, this.#timeoutMs);
      const settle = (run: () => void): void => {
        clearTimeout(timer);
        run();
      };
      this.#open().then(
        (sftp) => {
          if (sftp === 'unavailable') {
            clearTimeout(timer);
            fallback().then(resolve, reject);
            return;
          }
          ask(sftp, (err, value) => {
            if (!err) return settle(() => resolve(value as T));
            const code = STATUS_ERRNO[err.code ?? -1] ?? 'EIO';
            settle(() =>
              reject(new RemoteFileError(code, `cannot ${what} on ${this.#host}: ${err.message}`, { cause: err })),
            );
          });
        },
        (error: unknown) => settle(() => reject(error)),
      );
    });
  }

  #open(): Promise<Sftp | 'unavailable'> {
    if (this.#session) return this.#session;
    const session = new Promise<Sftp | 'unavailable'>((resolve, reject) => {
      const opened = (err: Error | undefined, sftp: Sftp): void => {
        if (!err) {
          // sftp-server gone or the channel closed: the next call opens a new session.
          sftp.once('close', () => this.#forget(session));
          resolve(sftp);
        } else if (/subsystem/i.test(err.message)) {
          // No `Subsystem sftp` in the server's sshd_config: decided once per connection.
          resolve('unavailable');
        } else {
          reject(
            new SshError('ssh_channel_failed', this.#host, `${this.#host} refused an SFTP channel`, { cause: err }),
          );
        }
      };
      try {
        this.#client.sftp(opened);
      } catch (error) {
        // ssh2 throws "Not connected" at once when the socket is already gone.
        reject(
          new SshError('ssh_connection_lost', this.#host, `the connection to ${this.#host} was lost`, { cause: error }),
        );
      }
    });
    session.catch(() => this.#forget(session));
    this.#session = session;
    return session;
  }

  #forget(session: Promise<unknown>): void {
    if (this.#session === session) this.#session = undefined;
  }

  /** Closes the current session, even one still opening, and lets the next call open another. */
  #discard(): void {
    const session = this.#session;
    this.#session = undefined;
    session?.then(
      (sftp) => sftp !== 'unavailable' && sftp.end(),
      () => undefined,
    );
  }

  async #cat(path: string): Promise<string> {
    const result = await this.#exec(['env', 'LC_ALL=C', 'cat', '--', path], this.#timeoutMs);
    if (result.exitCode === 0) return result.stdout;
    const reason = result.timedOut ? 'ETIMEDOUT' : errnoOf(result.stderr);
    const said = result.stderr.trim().split('\n')[0] || reason;
    throw new RemoteFileError(reason, `cannot read ${path} on ${this.#host}: ${said}`);
  }

  async #test(path: string): Promise<{ isDirectory: boolean } | undefined> {
    const dir = await this.#exec(['test', '-d', path], this.#timeoutMs);
    if (dir.exitCode === 0) return { isDirectory: true };
    const any = await this.#exec(['test', '-e', path], this.#timeoutMs);
    if (any.exitCode === 0) return { isDirectory: false };
    if (any.exitCode === 1) return undefined;
    throw new RemoteFileError('EIO', `cannot stat ${path} on ${this.#host}`);
  }
}

function errnoOf(stderr: string): string {
  if (stderr.includes('No such file or directory')) return 'ENOENT';
  if (stderr.includes('Permission denied')) return 'EACCES';
  return 'EIO';
}
