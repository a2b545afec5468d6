import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type SshError, type SshHostConfig, SshPool } from '../../src/runners/ssh.js';
import { freeLoopbackPort, makeKeyPair, startSshd, type TestSshd } from '../support/sshd.js';

let sshd: TestSshd;
let name: string;
const pools: SshPool[] = [];

beforeAll(async () => {
  sshd = await startSshd();
  name = `[${sshd.host}]:${sshd.port}`;
});
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});
afterAll(async () => {
  await sshd?.stop();
});

let fileCount = 0;
async function knownHosts(lines: readonly string[]): Promise<string> {
  const file = join(sshd.dir, `known_hosts_${++fileCount}`);
  await writeFile(file, lines.map((l) => `${l}\n`).join(''));
  return file;
}

function pool(knownHostsFile: string, host: Partial<SshHostConfig> = {}, connectTimeoutMs = 15_000): SshPool {
  const config = { host: sshd.host, port: sshd.port, user: sshd.user, privateKeyFile: sshd.privateKeyFile, ...host };
  const p = new SshPool({ hosts: { box: config }, knownHostsFile, connectTimeoutMs });
  pools.push(p);
  return p;
}

async function failure(p: SshPool): Promise<SshError> {
  try {
    await p.exec('box', ['true'], { timeoutMs: 20_000 });
  } catch (error) {
    return error as SshError;
  }
  throw new Error('expected the connection to be refused');
}

async function publicKeyOf(privateKeyFile: string): Promise<string> {
  return (await readFile(`${privateKeyFile}.pub`, 'utf8')).split(' ').slice(0, 2).join(' ');
}

describe('SSH host keys', () => {
  it('refuses a host missing from known_hosts, naming the file and the presented fingerprint', async () => {
    const file = await knownHosts([`[127.0.0.2]:${sshd.port} ${sshd.hostPublicKey}`]);
    const p = pool(file);
    const err = await failure(p);
    expect(err.code).toBe('ssh_host_key_unknown');
    expect(err.host).toBe('box');
    expect(err.message).toContain(
      `host key for ${name} is not in ${file}; add it with ssh-keyscan after checking its fingerprint`,
    );
    // The fingerprint must be the one ssh-keygen shows the operator.
    const listed = await execa('ssh-keygen', ['-l', '-f', join(sshd.dir, 'host_ed25519.pub')], { timeout: 10_000 });
    const fingerprint = listed.stdout.split(' ')[1];
    expect(fingerprint).toMatch(/^SHA256:/);
    expect(err.message).toContain(fingerprint);
    expect(p.connectionsOpened).toBe(0);
  });

  it('refuses a changed host key as a possible man-in-the-middle', async () => {
    const other = await makeKeyPair(sshd.dir, `other_${++fileCount}`);
    const file = await knownHosts([`${name} ${await publicKeyOf(other.privateKeyFile)}`]);
    const err = await failure(pool(file));
    expect(err.code).toBe('ssh_host_key_changed');
    expect(err.message).toBe(`host key for ${name} does not match ${file} (possible man-in-the-middle)`);
  });

  it('refuses a host whose listed key type the server no longer has', async () => {
    const rsaFile = join(sshd.dir, `rsa_${++fileCount}`);
    await execa('ssh-keygen', ['-q', '-t', 'rsa', '-b', '2048', '-N', '', '-f', rsaFile], { timeout: 60_000 });
    const file = await knownHosts([`${name} ${await publicKeyOf(rsaFile)}`]);
    const err = await failure(pool(file));
    expect(err.code).toBe('ssh_host_key_changed');
    expect(err.message).toContain('possible man-in-the-middle');
  });

  it('refuses a key marked @revoked even when also listed', async () => {
    const file = await knownHosts([`${name} ${sshd.hostPublicKey}`, `@revoked ${name} ${sshd.hostPublicKey}`]);
    expect((await failure(pool(file))).code).toBe('ssh_host_key_revoked');
  });

  it('honours a negated pattern', async () => {
    const file = await knownHosts([`[127.0.0.*]:${sshd.port},!${name} ${sshd.hostPublicKey}`]);
    expect((await failure(pool(file))).code).toBe('ssh_host_key_unknown');
  });

  it('accepts entries hashed by ssh-keygen -H and wildcard patterns', async () => {
    const hashed = await knownHosts([`${name} ${sshd.hostPublicKey}`]);
    await execa('ssh-keygen', ['-H', '-f', hashed], { timeout: 10_000 });
    expect(await readFile(hashed, 'utf8')).toMatch(/^\|1\|/);
    expect((await pool(hashed).exec('box', ['echo', 'ok'], { timeoutMs: 20_000 })).stdout).toBe('ok\n');
    const wildcard = await knownHosts(['# a comment', '', `[127.0.0.?]:${sshd.port} ${sshd.hostPublicKey}`]);
    expect((await pool(wildcard).exec('box', ['echo', 'ok'], { timeoutMs: 20_000 })).stdout).toBe('ok\n');
  });

  it('reads known_hosts again at the next handshake', async () => {
    const file = await knownHosts([]);
    const p = pool(file);
    expect((await failure(p)).code).toBe('ssh_host_key_unknown');
    await writeFile(file, `${name} ${sshd.hostPublicKey}\n`);
    expect((await p.exec('box', ['echo', 'ok'], { timeoutMs: 20_000 })).stdout).toBe('ok\n');
    expect(p.connectionsOpened).toBe(1);
  });

  it('reports a missing known_hosts file', async () => {
    const err = await failure(pool(join(sshd.dir, 'no-such-known-hosts')));
    expect(err.code).toBe('ssh_known_hosts_unreadable');
    expect(err.message).toContain('ENOENT');
  });
});

describe('SSH authentication and reachability', () => {
  it('reports a key the server does not accept, without key material', async () => {
    const stranger = await makeKeyPair(sshd.dir, `stranger_${++fileCount}`);
    const err = await failure(pool(sshd.knownHostsFile, { privateKeyFile: stranger.privateKeyFile }));
    expect(err.code).toBe('ssh_auth_failed');
    expect(err.message).toContain(stranger.privateKeyFile);
    const keyBody = (await readFile(stranger.privateKeyFile, 'utf8')).split('\n')[1] ?? 'missing';
    expect(err.message).not.toContain(keyBody);
    expect(err.message).not.toContain(stranger.publicKey.split(' ')[1]);
  });

  it('reports an unreadable or unusable private key', async () => {
    const missing = await failure(pool(sshd.knownHostsFile, { privateKeyFile: join(sshd.dir, 'nope') }));
    expect(missing.code).toBe('ssh_private_key_unreadable');
    const locked = join(sshd.dir, `locked_${++fileCount}`);
    await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'hunter2 xyzzy', '-f', locked], { timeout: 30_000 });
    const err = await failure(pool(sshd.knownHostsFile, { privateKeyFile: locked }));
    expect(err.code).toBe('ssh_private_key_invalid');
    expect(err.message).not.toContain('hunter2');
  });

  it('says clearly when nothing listens on the port', async () => {
    const port = await freeLoopbackPort();
    const file = await knownHosts([`[127.0.0.1]:${port} ${sshd.hostPublicKey}`]);
    const err = await failure(pool(file, { port }));
    expect(err.code).toBe('ssh_unreachable');
    expect(err.message).toBe(`cannot reach the SSH server at [127.0.0.1]:${port}: connection refused (ECONNREFUSED)`);
  });

  it('gives up on a server that never answers the handshake', async () => {
    // A TCP listener that accepts and stays silent, like a wedged sshd.
    const sockets: import('node:net').Socket[] = [];
    const silent: Server = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const address = silent.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      const err = await failure(pool(sshd.knownHostsFile, { port }, 500));
      expect(err.code).toBe('ssh_connect_timeout');
      expect(err.message).toBe(`no SSH handshake with [127.0.0.1]:${port} within 500 ms`);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => silent.close(r));
    }
  });

  it('shares one failed handshake among concurrent callers', async () => {
    const file = await knownHosts([]);
    const p = pool(file);
    const results = await Promise.allSettled([1, 2, 3].map(() => p.exec('box', ['true'], { timeoutMs: 20_000 })));
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(p.stats()).toMatchObject({ connectionsOpened: 0, openConnections: 0, runningCommands: 0 });
  });
});
