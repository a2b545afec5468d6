import type { Config, HostConfig } from '../config/schema.js';
import { DetourError } from '../core/errors.js';
import { ownValue } from '../core/own-key.js';
import { type HostAccess, localHostAccess } from '../probes/host-access.js';
import type { ProcessRunner } from '../runners/process.js';
import type { SshPool, SshPoolOptions } from '../runners/ssh.js';

/**
 * The configured hosts, each reachable through the same ProcessRunner port:
 * `local: true` runs here, `ssh:` runs through one pooled connection per
 * host. Runners and probes never care which.
 */
export class HostRegistry {
  readonly #hosts: Readonly<Record<string, HostConfig>>;
  readonly #local: ProcessRunner;
  readonly #poolOptions: SshPoolOptions | undefined;
  /** Opened on first use: a bot without SSH hosts never loads the SSH library. */
  #pool: Promise<SshPool> | undefined;

  constructor(config: Pick<Config, 'hosts' | 'ssh'>, local: ProcessRunner) {
    this.#hosts = config.hosts;
    this.#local = local;
    const ssh = Object.fromEntries(
      Object.entries(config.hosts).flatMap(([name, h]) =>
        'ssh' in h
          ? [[name, { host: h.ssh.host, port: h.ssh.port, user: h.ssh.user, privateKeyFile: h.ssh.privateKeyFile }]]
          : [],
      ),
    );
    if (Object.keys(ssh).length > 0) {
      this.#poolOptions = {
        hosts: ssh,
        knownHostsFile: config.ssh.knownHostsFile,
        connectTimeoutMs: config.ssh.connectTimeout,
        maxChannelsPerHost: config.ssh.maxChannelsPerHost,
        maxHosts: config.ssh.maxConnections,
        // Longer than the probes' 5-minute schedule, so each sample reuses the connection.
        idleTimeoutMs: 15 * 60_000,
      };
    }
  }

  names(): string[] {
    return Object.keys(this.#hosts);
  }

  isLocal(name: string): boolean {
    return 'local' in this.#config(name);
  }

  runnerFor(name: string): ProcessRunner {
    const host = this.#config(name);
    if ('local' in host) return this.#local;
    return async (request) => {
      const { sshProcessRunner } = await import('../runners/ssh.js');
      return sshProcessRunner(await this.#sshPool(), name)(request);
    };
  }

  #sshPool(): Promise<SshPool> {
    this.#pool ??= import('../runners/ssh.js').then(({ SshPool }) => new SshPool(this.#poolOptions as SshPoolOptions));
    return this.#pool;
  }

  /** What privileged commands on this host start with: `sudo -n` when the SSH user is not root. */
  privilegePrefix(name: string): readonly string[] {
    const host = this.#config(name);
    return 'ssh' in host && host.ssh.sudo ? ['sudo', '-n'] : [];
  }

  /** Commands through runnerFor; files read over the host's SFTP session when it is remote. */
  accessFor(name: string): HostAccess {
    const access = localHostAccess(this.runnerFor(name));
    if (this.isLocal(name)) return access;
    return {
      exec: access.exec,
      readFile: async (path) => (await this.#sshPool()).readFile(name, path),
      stat: async (path) => (await this.#sshPool()).stat(name, path),
    };
  }

  /** Handshakes so far (reuse keeps it at one per host); for the probes benchmark and tests. */
  async connectionsOpened(): Promise<number> {
    return this.#pool ? (await this.#pool).stats().connectionsOpened : 0;
  }

  async close(): Promise<void> {
    if (this.#pool) await (await this.#pool).close();
  }

  #config(name: string): HostConfig {
    const host = ownValue(this.#hosts, name);
    if (!host)
      throw new DetourError(
        'unknown_host',
        `unknown host "${name}". Known hosts: ${this.names().join(', ') || 'none'}.`,
      );
    return host;
  }
}
