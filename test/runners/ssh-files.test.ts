import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RemoteFileError } from '../../src/runners/ssh/remote-files.js';
import { SshPool, type SshPoolOptions } from '../../src/runners/ssh.js';
import { startSshd, type TestSshd } from '../support/sshd.js';
import { rejectionOf } from '../support/wait.js';

// sshd logs "Starting session: command …" or "… subsystem 'sftp' …" for each session at VERBOSE.
const VERBOSE = ['LogLevel VERBOSE'];
/** A number no other process on this machine has in its command line. */
const WEDGE = `29.${process.pid}`;

let withSftp: TestSshd;
let withoutSftp: TestSshd;
let wedged: TestSshd;
let dir: string;
const pools: SshPool[] = [];

beforeAll(async () => {
  [withSftp, withoutSftp, wedged] = await Promise.all([
    startSshd({ extraConfig: VERBOSE }),
    startSshd({ sftp: false, extraConfig: VERBOSE }),
    // An SFTP server that never answers, as one stuck on a hung NFS mount would.
    startSshd({ sftp: false, extraConfig: [`Subsystem sftp /bin/sleep ${WEDGE}`] }),
  ]);
  dir = await mkdtemp(join(tmpdir(), 'detour-ssh-files-'));
  await writeFile(join(dir, 'notes.txt'), 'ligne 1 : épicerie\nligne 2 : détour\n');
  await mkdir(join(dir, 'sub'));
  await symlink(join(dir, 'sub'), join(dir, 'link'));
});
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});
afterAll(async () => {
  await Promise.all([withSftp, withoutSftp, wedged].map((s) => s?.stop()));
  for (const pid of descendantsMatching(1, WEDGE)) process.kill(pid, 'SIGTERM');
  await rm(dir, { recursive: true, force: true });
});

function pool(sshd: TestSshd, extra: Partial<SshPoolOptions> = {}): SshPool {
  const host = { host: sshd.host, port: sshd.port, user: sshd.user, privateKeyFile: sshd.privateKeyFile };
  const p = new SshPool({ hosts: { box: host }, knownHostsFile: sshd.knownHostsFile, ...extra });
  pools.push(p);
  return p;
}

const sessions = (sshd: TestSshd, kind: 'command' | "subsystem 'sftp'"): number =>
  sshd
    .log()
    .split('\n')
    .filter((line) => line.includes(`Starting session: ${kind}`)).length;

/** Processes below `root` (any depth) whose command line contains `text`. */
function descendantsMatching(root: number, text: string): number[] {
  const parent = new Map<number, number>();
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parent.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // Gone meanwhile.
    }
  }
  const below = (pid: number): boolean => {
    for (let p = parent.get(pid); p !== undefined && p > 0; p = parent.get(p)) if (p === root) return true;
    return false;
  };
  return [...parent.keys()].filter((pid) => {
    if (!below(pid)) return false;
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text);
    } catch {
      return false;
    }
  });
}

const rejection = (promise: Promise<unknown>) => rejectionOf<RemoteFileError>(promise);

describe('SshPool files over SFTP (real sshd with Debian sftp-server)', () => {
  it('reads files and looks at paths over one SFTP session, starting no process per read', async () => {
    const p = pool(withSftp);
    const commandsBefore = sessions(withSftp, 'command');
    const sftpBefore = sessions(withSftp, "subsystem 'sftp'");
    const texts = await Promise.all(Array.from({ length: 8 }, () => p.readFile('box', join(dir, 'notes.txt'))));
    expect(new Set(texts)).toEqual(new Set(['ligne 1 : épicerie\nligne 2 : détour\n']));
    // /proc files say they are empty (size 0) yet have content: read to the end, not to the size.
    expect(await p.readFile('box', '/proc/meminfo')).toMatch(/^MemTotal:\s+\d+ kB$/m);
    expect(await p.stat('box', join(dir, 'sub'))).toEqual({ isDirectory: true });
    expect(await p.stat('box', join(dir, 'link'))).toEqual({ isDirectory: true });
    expect(await p.stat('box', join(dir, 'notes.txt'))).toEqual({ isDirectory: false });
    expect(await p.stat('box', join(dir, 'absent'))).toBeUndefined();
    const missing = await rejection(p.readFile('box', join(dir, 'absent')));
    expect(missing).toBeInstanceOf(RemoteFileError);
    expect(missing.code).toBe('ENOENT');
    expect(missing.message).toContain(`${join(dir, 'absent')} on box`);

    expect(sessions(withSftp, "subsystem 'sftp'") - sftpBefore).toBe(1);
    expect(sessions(withSftp, 'command') - commandsBefore).toBe(0);
    expect(p.connectionsOpened).toBe(1);
  });

  it('opens a new session on the same connection when sftp-server went away', async () => {
    const p = pool(withSftp);
    expect(await p.stat('box', dir)).toEqual({ isDirectory: true });
    const servers = descendantsMatching(withSftp.pid, 'sftp-server');
    expect(servers).toHaveLength(1);
    process.kill(servers[0] as number, 'SIGKILL');
    let text: string | undefined;
    // The read racing the session's close may fail once; the next one opens a new session.
    for (let i = 0; i < 50 && text === undefined; i++) {
      text = await p.readFile('box', join(dir, 'notes.txt')).catch(() => undefined);
      if (text === undefined) await new Promise((r) => setTimeout(r, 50));
    }
    expect(text).toContain('détour');
    expect(descendantsMatching(withSftp.pid, 'sftp-server')).toHaveLength(1);
    expect(p.connectionsOpened).toBe(1);
  });
});

describe('SshPool files on a server without SFTP', () => {
  it('falls back to cat and test, with the same answers and error codes', async () => {
    const p = pool(withoutSftp);
    const commandsBefore = sessions(withoutSftp, 'command');
    expect(await p.readFile('box', join(dir, 'notes.txt'))).toBe('ligne 1 : épicerie\nligne 2 : détour\n');
    expect(await p.stat('box', join(dir, 'link'))).toEqual({ isDirectory: true });
    expect(await p.stat('box', join(dir, 'notes.txt'))).toEqual({ isDirectory: false });
    expect(await p.stat('box', join(dir, 'absent'))).toBeUndefined();
    expect((await rejection(p.readFile('box', join(dir, 'absent')))).code).toBe('ENOENT');
    expect(sessions(withoutSftp, 'command') - commandsBefore).toBeGreaterThanOrEqual(5);
    expect(p.connectionsOpened).toBe(1);
  });
});

describe('SshPool files on an SFTP server that never answers', () => {
  it('gives up within fileTimeoutMs, and commands on the host still run', async () => {
    const p = pool(wedged, { fileTimeoutMs: 500 });
    const err = await rejection(p.readFile('box', '/proc/loadavg'));
    expect(err).toBeInstanceOf(RemoteFileError);
    expect(err.code).toBe('ETIMEDOUT');
    expect(err.message).toBe('cannot read /proc/loadavg on box within 500 ms');
    expect((await rejection(p.stat('box', '/'))).code).toBe('ETIMEDOUT');
    expect((await p.exec('box', ['echo', 'still here'], { timeoutMs: 20_000 })).stdout).toBe('still here\n');
  });
});
