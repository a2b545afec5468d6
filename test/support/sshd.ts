/**
 * A real OpenSSH server for tests: throw-away host and user keys, its own
 * config, pid file and authorized_keys in a temporary folder, listening on a
 * loopback port (or, with `wrap`, inside a network namespace the test made).
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';

export const SSHD = '/usr/sbin/sshd';
/** Debian's openssh-sftp-server, which openssh-server depends on. */
export const SFTP_SERVER = '/usr/lib/openssh/sftp-server';

export interface KeyPair {
  privateKeyFile: string;
  /** The public key line: "ssh-ed25519 AAAA… comment". */
  publicKey: string;
}

export interface TestSshd {
  host: string;
  port: number;
  user: string;
  dir: string;
  /** A user key the server accepts. */
  privateKeyFile: string;
  /** known_hosts holding this server's host key (bracketed form unless port 22). */
  knownHostsFile: string;
  /** The host key's "type base64" pair. */
  hostPublicKey: string;
  pid: number;
  /** What sshd has written to stderr so far (for failure messages). */
  log(): string;
  stop(): Promise<void>;
}

export interface StartSshdOptions {
  listenAddress?: string;
  /** A fixed port (e.g. 22 inside a namespace); otherwise a free loopback port. */
  port?: number;
  /** Command prefix, e.g. ['ip', 'netns', 'exec', 'ns1']. */
  wrap?: readonly string[];
  /** Offer the SFTP subsystem, as Debian's sshd_config does (default true). */
  sftp?: boolean;
  /** Extra sshd_config lines. */
  extraConfig?: readonly string[];
}

export async function makeKeyPair(dir: string, name: string): Promise<KeyPair> {
  const privateKeyFile = join(dir, name);
  await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', privateKeyFile], {
    timeout: 30_000,
  });
  const publicKey = (await readFile(`${privateKeyFile}.pub`, 'utf8')).trim();
  return { privateKeyFile, publicKey };
}

/** "[host]:port" for a non-standard port, as OpenSSH writes known_hosts. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitForListening(child: ResultPromise, timeoutMs: number): Promise<() => string> {
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    log += chunk.toString('utf8');
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sshd did not start:\n${log}`)), timeoutMs);
    child.stderr?.on('data', () => {
      if (log.includes('Server listening on')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', () => {
      clearTimeout(timer);
      reject(new Error(`sshd exited at start:\n${log}`));
    });
  });
  return () => log;
}

export async function startSshd(options: StartSshdOptions = {}): Promise<TestSshd> {
  // sshd refuses to start without its privilege-separation directory.
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
  const dir = await mkdtemp(join(tmpdir(), 'detour-sshd-'));
  const hostKey = await makeKeyPair(dir, 'host_ed25519');
  const userKey = await makeKeyPair(dir, 'user_ed25519');
  await writeFile(join(dir, 'authorized_keys'), `${userKey.publicKey}\n`, { mode: 0o600 });
  const host = options.listenAddress ?? '127.0.0.1';
  const user = userInfo().username;

  for (let attempt = 0; ; attempt++) {
    const port = options.port ?? (await freeLoopbackPort());
    const config = [
      `Port ${port}`,
      `ListenAddress ${host}`,
      `HostKey ${hostKey.privateKeyFile}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'StrictModes no',
      'UsePAM no',
      'PermitRootLogin prohibit-password',
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'AllowTcpForwarding no',
      'X11Forwarding no',
      'PrintMotd no',
      `AllowUsers ${user}`,
      // A login shell whose ~/.bashrc does slow work (pyenv init here, ~1 s) skips it in a
      // nested shell, as a service account's would: every remote command stays fast.
      'SetEnv SHLVL=1',
      ...(options.sftp === false ? [] : [`Subsystem sftp ${SFTP_SERVER}`]),
      ...(options.extraConfig ?? []),
    ];
    const configFile = join(dir, 'sshd_config');
    await writeFile(configFile, `${config.join('\n')}\n`);
    const argv = [...(options.wrap ?? []), SSHD, '-D', '-e', '-f', configFile];
    const [file, ...args] = argv as [string, ...string[]];
    const child = execa(file, args, { reject: false, cleanup: true, stdin: 'ignore', stdout: 'ignore' });
    let log: () => string;
    try {
      log = await waitForListening(child, 10_000);
    } catch (error) {
      child.kill('SIGKILL');
      await child;
      // A free port can be taken between the probe and sshd's bind: try another.
      if (options.port === undefined && attempt < 3) continue;
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
    const [keyType, keyBase64] = hostKey.publicKey.split(' ');
    const hostPublicKey = `${keyType} ${keyBase64}`;
    const knownHostsFile = join(dir, 'known_hosts');
    await writeFile(knownHostsFile, `${knownHostsName(host, port)} ${hostPublicKey}\n`);
    return {
      host,
      port,
      user,
      dir,
      privateKeyFile: userKey.privateKeyFile,
      knownHostsFile,
      hostPublicKey,
      pid: child.pid ?? 0,
      log,
      async stop() {
        // Per-connection sshd processes outlive the listener: end them by pid too.
        const children = await execa('pgrep', ['-P', String(child.pid)], { reject: false, timeout: 10_000 });
        child.kill('SIGTERM');
        await child;
        for (const pid of children.stdout.split('\n').filter(Boolean)) {
          try {
            process.kill(Number(pid), 'SIGTERM');
          } catch {
            // Already gone: the session ended with its listener.
          }
        }
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
}
