import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAllowListedPlaybook } from '../../src/runners/ansible/index.js';
import { childEnvironment } from '../../src/runners/child-env.js';
import { execaRunner } from '../../src/runners/execa-runner.js';
import { SshPool } from '../../src/runners/ssh.js';
import { startSshd, type TestSshd } from '../support/sshd.js';

/*
 * The bot's environment holds its chat tokens (SLACK_BOT_TOKEN, MATTERMOST_BOT_TOKEN, ...);
 * no child may see them: not a local program, not ansible's modules, not a command over SSH.
 */
const CANARY = `canary-token-${process.pid}-${Math.random().toString(36).slice(2)}`;
const PLANTED = {
  SLACK_BOT_TOKEN: `xoxb-${CANARY}`,
  MATTERMOST_BOT_TOKEN: `mm-${CANARY}`,
  SLACK_SIGNING_SECRET: `sig-${CANARY}`,
  DETOUR_SOME_PASSPHRASE: `pass-${CANARY}`,
};
const FIXTURES = fileURLToPath(new URL('../fixtures/ansible/', import.meta.url));
const hasAnsible = spawnSync('ansible-playbook', ['--version']).status === 0;

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'detour-child-env-'));
  Object.assign(process.env, PLANTED, { BORG_BASE_DIR: join(tmp, 'borg-base') });
});
afterAll(async () => {
  for (const name of [...Object.keys(PLANTED), 'BORG_BASE_DIR']) delete process.env[name];
  await rm(tmp, { recursive: true, force: true });
});

/** `env` output as a map. */
function parseEnv(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

describe('childEnvironment', () => {
  it('keeps the allow-listed names and LC_*, drops the rest, and lets the call set its own', () => {
    const env = childEnvironment(
      { PATH: '/bin', HOME: '/h', LC_TIME: 'fr_FR.UTF-8', SLACK_BOT_TOKEN: 'x', LC_x: 'odd', BORG_PASSPHRASE: 'p' },
      { BORG_REPO: '/r', PATH: '/usr/bin' },
    );
    expect(env).toEqual({ PATH: '/usr/bin', HOME: '/h', LC_TIME: 'fr_FR.UTF-8', BORG_REPO: '/r' });
  });
});

describe('the real runner', () => {
  it('starts a program with the allow-listed environment only: no chat token, no stray secret', async () => {
    const result = await execaRunner({ file: 'env', args: [], env: { BORG_REPO: '/srv/repo' }, timeoutMs: 10_000 });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).not.toContain(CANARY);
    const env = parseEnv(result.stdout);
    expect(env.PATH).toBe(process.env.PATH);
    expect(env.HOME).toBe(process.env.HOME);
    expect(env.BORG_BASE_DIR).toBe(join(tmp, 'borg-base'));
    expect(env.BORG_REPO).toBe('/srv/repo');
    expect(env.LC_ALL).toBe('C.UTF-8');
    for (const name of Object.keys(PLANTED)) expect(env[name]).toBeUndefined();
  });

  it.skipIf(!hasAnsible)('gives ansible-playbook, and so its modules, none of the bot’s secrets', async () => {
    const outFile = join(tmp, 'module-env.txt');
    const attempt = await runAllowListedPlaybook(
      {
        runner: execaRunner,
        paths: { playbookDir: FIXTURES, inventory: join(FIXTURES, 'inventory.ini') },
        env: { ANSIBLE_LOCAL_TEMP: join(tmp, 'ansible-tmp'), ANSIBLE_HOME: join(tmp, 'ansible-home') },
      },
      { name: 'env', file: 'env.yml' },
      { check: false },
      { isAdmin: true },
      { timeoutMs: 120_000, extraVars: { out_file: outFile } },
    );
    if (attempt.refused) throw new Error(attempt.refusal.message);
    expect(attempt.result.outcome).toBe('ok');
    const seen = await readFile(outFile, 'utf8');
    expect(parseEnv(seen).ANSIBLE_HOME).toBe(join(tmp, 'ansible-home'));
    expect(seen).not.toContain(CANARY);
  });
});

describe('commands over SSH (real sshd on loopback)', () => {
  let sshd: TestSshd;
  let pool: SshPool;
  beforeAll(async () => {
    sshd = await startSshd({ extraConfig: ['AcceptEnv *'] });
    pool = new SshPool({
      hosts: {
        box: { host: sshd.host, port: sshd.port, user: sshd.user, privateKeyFile: sshd.privateKeyFile },
      },
      knownHostsFile: sshd.knownHostsFile,
    });
  });
  afterAll(async () => {
    await pool?.close();
    await sshd?.stop();
  });

  it('forwards none of the bot’s environment to the remote command', async () => {
    // Even a server that accepts every variable (AcceptEnv *) gets none: the client sends no env request.
    const r = await pool.exec('box', ['env'], { timeoutMs: 20_000 });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('HOME=');
    expect(r.stdout).not.toContain(CANARY);
  });
});
