import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Secret } from '../../src/core/secret.js';
import { type SshError, SshPool, type SshPoolOptions, sshProcessRunner } from '../../src/runners/ssh.js';
import { startSshd, type TestSshd } from '../support/sshd.js';
import { rejectionOf } from '../support/wait.js';

let sshd: TestSshd;
const pools: SshPool[] = [];

beforeAll(async () => {
  sshd = await startSshd();
});
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});
afterAll(async () => {
  await sshd?.stop();
});

function pool(extra: Partial<SshPoolOptions> = {}): SshPool {
  const host = { host: sshd.host, port: sshd.port, user: sshd.user, privateKeyFile: sshd.privateKeyFile };
  const p = new SshPool({ hosts: { box: host, twin: host }, knownHostsFile: sshd.knownHostsFile, ...extra });
  pools.push(p);
  return p;
}

/** A number no other process on this machine has in its command line. */
const unique = (): string => `${process.pid}${Date.now() % 1_000_000}${Math.floor(Math.random() * 1000)}`;

/** pgrep's matches for a pattern, waiting a little for processes that are already dying. */
async function survivors(pattern: string): Promise<string> {
  let out = '';
  for (let i = 0; i < 50; i++) {
    out = (await execa('pgrep', ['-af', pattern], { reject: false, timeout: 10_000 })).stdout.trim();
    if (out === '') return '';
    await new Promise((r) => setTimeout(r, 100));
  }
  return out;
}

const rejection = (promise: Promise<unknown>) => rejectionOf<SshError>(promise);

describe('SshPool.exec against a real sshd', () => {
  it('runs an argv and returns stdout and exit code 0, with no trace of the pid marker', async () => {
    const r = await pool().exec('box', ['printf', '%s\\n', 'hello world', "it's", '$(id)'], { timeoutMs: 20_000 });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe("hello world\nit's\n$(id)\n");
    expect(r.stderr).toBe('');
    expect(r.timedOut).toBe(false);
    expect(r.failedToStart).toBe(false);
    expect(r.host).toBe('box');
  });

  it('reports a non-zero exit and stderr', async () => {
    const r = await pool().exec('box', ['sh', '-c', 'echo out; echo oops >&2; exit 3'], { timeoutMs: 20_000 });
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toBe('out\n');
    expect(r.stderr).toBe('oops\n');
  });

  it('flags a program the remote shell cannot find', async () => {
    const r = await pool().exec('box', ['detour-no-such-program'], { timeoutMs: 20_000 });
    expect(r.exitCode).toBe(127);
    expect(r.failedToStart).toBe(true);
  });

  it('streams a Secret on stdin, never in any process argv', async () => {
    const secret = new Secret(`s3cr3t ${unique()} pass'phrase`);
    const r = await pool().exec('box', ['sh', '-c', 'cat; echo; ps -eo args'], { stdin: secret, timeoutMs: 20_000 });
    const [echoed, ...processes] = r.stdout.split('\n');
    expect(echoed).toBe(secret.reveal());
    expect(processes.join('\n')).toContain('ps -eo args');
    expect(processes.join('\n')).not.toContain(secret.reveal());
    expect(r.command).not.toContain(secret.reveal());
  });

  it('passes a large UTF-8 stdin and output intact', async () => {
    const text = 'é日🔐 line\n'.repeat(100_000);
    const r = await pool().exec('box', ['cat'], { stdin: text, timeoutMs: 30_000 });
    expect(r.stdout.length).toBe(text.length);
    expect(r.stdout === text).toBe(true);
  });

  it('reuses one connection for sequential and concurrent commands', async () => {
    const p = pool();
    await p.exec('box', ['true'], { timeoutMs: 20_000 });
    await p.exec('box', ['true'], { timeoutMs: 20_000 });
    expect(p.connectionsOpened).toBe(1);
    const many = await Promise.all(
      Array.from({ length: 6 }, (_, i) => p.exec('box', ['echo', String(i)], { timeoutMs: 20_000 })),
    );
    expect(many.map((r) => r.stdout)).toEqual(['0\n', '1\n', '2\n', '3\n', '4\n', '5\n']);
    expect(p.stats()).toMatchObject({
      connectionsOpened: 1,
      openConnections: 1,
      runningCommands: 0,
      queuedCommands: 0,
    });
  });

  it('never runs more commands at once on a host than maxChannelsPerHost', async () => {
    const p = pool({ maxChannelsPerHost: 2 });
    const log = `${sshd.dir}/concurrency-${unique()}`;
    const script = `echo start >> ${log}; sleep 0.3; echo end >> ${log}`;
    const runs = Array.from({ length: 5 }, () => p.exec('box', ['sh', '-c', script], { timeoutMs: 20_000 }));
    while (p.stats().runningCommands === 0) await new Promise((r) => setTimeout(r, 10));
    expect(p.stats().runningCommands).toBeLessThanOrEqual(2);
    await Promise.all(runs);
    const events = (await p.exec('box', ['cat', log], { timeoutMs: 20_000 })).stdout.trim().split('\n');
    let inFlight = 0;
    let most = 0;
    for (const e of events) {
      inFlight += e === 'start' ? 1 : -1;
      most = Math.max(most, inFlight);
    }
    expect(events.length).toBe(10);
    expect(most).toBeLessThanOrEqual(2);
  });

  it('times out, kills the remote command and its process group, and leaves nothing behind', async () => {
    const n = unique();
    const r = await pool().exec('box', ['sh', '-c', `sleep 31.${n} & sleep 32.${n}; wait`], {
      timeoutMs: 1_000,
      killAfterMs: 2_000,
    });
    expect(r.timedOut).toBe(true);
    expect(r.exitCode).toBeUndefined();
    expect(await survivors(`sleep 3[12]\\.${n}`)).toBe('');
  });

  it('escalates to SIGKILL when the command ignores SIGTERM', async () => {
    const n = unique();
    const r = await pool().exec('box', ['sh', '-c', `trap '' TERM PIPE HUP; sleep 33.${n}`], {
      timeoutMs: 500,
      killAfterMs: 500,
    });
    expect(r.timedOut).toBe(true);
    expect(await survivors(`sleep 33\\.${n}`)).toBe('');
  });

  it('cancels a running command through its AbortSignal', async () => {
    const n = unique();
    const controller = new AbortController();
    const lines: string[] = [];
    const r = await pool().exec('box', ['sh', '-c', `echo started; sleep 34.${n}`], {
      timeoutMs: 60_000,
      signal: controller.signal,
      onStdoutLine: (line) => {
        lines.push(line);
        controller.abort();
      },
    });
    expect(lines).toEqual(['started']);
    expect(r.isCanceled).toBe(true);
    expect(r.timedOut).toBe(false);
    expect(await survivors(`sleep 34\\.${n}`)).toBe('');
  });

  it('runs in the given working directory', async () => {
    const r = await pool().exec('box', ['pwd'], { cwd: sshd.dir, timeoutMs: 20_000 });
    expect(r.stdout).toBe(`${sshd.dir}\n`);
  });

  it('reconnects after the connection dropped', async () => {
    const p = pool();
    expect((await p.exec('box', ['echo', 'one'], { timeoutMs: 20_000 })).stdout).toBe('one\n');
    // End this connection's server side: the per-connection sshd children of our listener, by pid.
    const children = (await execa('pgrep', ['-P', String(sshd.pid)], { timeout: 10_000 })).stdout
      .split('\n')
      .filter(Boolean);
    expect(children.length).toBeGreaterThan(0);
    for (const pid of children) process.kill(Number(pid), 'SIGTERM');
    for (let i = 0; i < 100 && p.stats().openConnections > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect((await p.exec('box', ['echo', 'two'], { timeoutMs: 20_000 })).stdout).toBe('two\n');
    expect(p.connectionsOpened).toBe(2);
  });

  it('reports a connection lost mid-command as an unknown outcome', async () => {
    const p = pool();
    const n = unique();
    const running = p.exec('box', ['sh', '-c', `echo up; sleep 36.${n}`], {
      timeoutMs: 60_000,
      onStdoutLine: () => {
        void execa('pgrep', ['-P', String(sshd.pid)], { timeout: 10_000 }).then((r) => {
          for (const pid of r.stdout.split('\n').filter(Boolean)) process.kill(Number(pid), 'SIGTERM');
        });
      },
    });
    const err = await rejection(running);
    expect(err.code).toBe('ssh_connection_lost');
    expect(err.message).toContain('outcome is unknown');
    // The orphaned remote command is ours: end it by pid.
    const left = await execa('pgrep', ['-f', `sleep 36\\.${n}`], { reject: false, timeout: 10_000 });
    for (const pid of left.stdout.split('\n').filter(Boolean)) process.kill(Number(pid), 'SIGTERM');
  });

  it('does not start a command whose signal is already aborted', async () => {
    const p = pool();
    const r = await p.exec('box', ['true'], { timeoutMs: 20_000, signal: AbortSignal.abort() });
    expect(r.isCanceled).toBe(true);
    expect(p.connectionsOpened).toBe(0);
  });

  it('keeps at most maxHosts connections open, closing an idle one for another host', async () => {
    const p = pool({ maxHosts: 1 });
    await p.exec('box', ['true'], { timeoutMs: 20_000 });
    await p.exec('twin', ['true'], { timeoutMs: 20_000 });
    expect(p.stats().openConnections).toBe(1);
    await p.exec('box', ['true'], { timeoutMs: 20_000 });
    expect(p.connectionsOpened).toBe(3);
    const both = await Promise.all([
      p.exec('box', ['echo', 'b'], { timeoutMs: 20_000 }),
      p.exec('twin', ['echo', 't'], { timeoutMs: 20_000 }),
    ]);
    expect(both.map((r) => r.stdout)).toEqual(['b\n', 't\n']);
  });

  it('refuses an unknown host name, an empty argv and NUL bytes without connecting', async () => {
    const p = pool();
    expect((await rejection(p.exec('nope', ['true'], { timeoutMs: 1_000 }))).code).toBe('ssh_unknown_host');
    expect((await rejection(p.exec('box', [], { timeoutMs: 1_000 }))).code).toBe('ssh_bad_command');
    const nul = await rejection(p.exec('box', ['echo', 'a\0hidden'], { timeoutMs: 1_000 }));
    expect(nul.code).toBe('ssh_bad_command');
    expect(nul.message).not.toContain('hidden');
    expect(p.connectionsOpened).toBe(0);
  });

  it('ends running and later commands once closed', async () => {
    const p = pool();
    const running = p.exec('box', ['sleep', `35.${unique()}`], { timeoutMs: 60_000, killAfterMs: 1_000 });
    while (p.stats().runningCommands === 0 || p.stats().openConnections === 0)
      await new Promise((r) => setTimeout(r, 20));
    await p.close();
    expect((await rejection(running)).code).toBe('ssh_pool_closed');
    expect((await rejection(p.exec('box', ['true'], { timeoutMs: 1_000 }))).code).toBe('ssh_pool_closed');
  });

  it('serves as a ProcessRunner: locale variables as an env prefix, anything else refused', async () => {
    const run = sshProcessRunner(pool(), 'box');
    const r = await run({ file: 'sh', args: ['-c', 'read x; echo "got $x"'], stdin: 'value\n', timeoutMs: 20_000 });
    expect(r.stdout).toBe('got value\n');
    await expect(run({ file: 'env', args: [], env: { A: 'b' }, timeoutMs: 1_000 })).rejects.toMatchObject({
      code: 'ssh_env_unsupported',
    });
    const locale = await run({
      file: 'sh',
      args: ['-c', 'echo "$LC_ALL"'],
      env: { LC_ALL: 'C.UTF-8' },
      timeoutMs: 20_000,
    });
    expect(locale.stdout).toBe('C.UTF-8\n');
  });
});
