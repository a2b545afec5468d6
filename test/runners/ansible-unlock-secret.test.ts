import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Secret } from '../../src/core/secret.js';
import { type PlaybookEntry, runAllowListedPlaybook } from '../../src/runners/ansible/index.js';
import { execaRunner } from '../../src/runners/execa-runner.js';
import { SSHD, startSshd, type TestSshd } from '../support/sshd.js';

/*
 * `unlock` through Ansible, against a real sshd on loopback: the passphrase is an argument of the
 * command module (its stdin). Without pipelining, ansible writes the module with its arguments to
 * ~/.ansible/tmp/ansible-tmp-*\/AnsiballZ_command.py on the target, and a cancelled run leaves it
 * there. The cryptsetup here blocks, so the run is cancelled while that module is running.
 */
const PLAYBOOKS = fileURLToPath(new URL('../../playbooks/', import.meta.url));
const hasTools = spawnSync('ansible-playbook', ['--version']).status === 0 && existsSync(SSHD);
const CANARY = `unlock-canary-${process.pid}-${Math.random().toString(36).slice(2)}`;

let tmp: string;
let sshd: TestSshd;

/**
 * The files on the target (this machine, as the SSH user) holding `needle`: ansible's folder in
 * the user's home (remote_tmp is ~/.ansible/tmp), the files at the top of the home, and the system
 * temporary folders (AnsiballZ unpacks there), all of it (the rest of this home is gigabytes of
 * caches ansible never writes to).
 */
function targetFilesHolding(needle: string): string[] {
  const home = userInfo().homedir;
  const deep = spawnSync('grep', ['-rlsF', '--', needle, join(home, '.ansible'), '/tmp', '/var/tmp'], {
    encoding: 'utf8',
  });
  const top = spawnSync('sh', ['-c', 'grep -lsF -- "$0" "$1"/.[!.]* "$1"/*', needle, home], { encoding: 'utf8' });
  return `${deep.stdout}${top.stdout}`.split('\n').filter(Boolean);
}

/** The processes whose argv or environment hold `needle`, leaving out the controller's own group. */
async function processesHolding(needle: string, controllerGroup: number): Promise<string[]> {
  const hits: string[] = [];
  for (const pid of (await readdir('/proc')).filter((n) => /^\d+$/.test(n))) {
    const read = (what: string) => readFile(`/proc/${pid}/${what}`).catch(() => Buffer.alloc(0));
    const [cmdline, environ, stat] = await Promise.all([read('cmdline'), read('environ'), read('stat')]);
    // Field 5 of /proc/PID/stat is the process group (after "pid (comm) state ppid").
    const group = Number(
      stat
        .toString()
        .slice(stat.toString().lastIndexOf(')') + 2)
        .split(' ')[2],
    );
    if (cmdline.includes(needle)) hits.push(`${pid} argv: ${cmdline.toString().replaceAll('\0', ' ')}`);
    // ansible-playbook holds the passphrase in its environment by design (lookup('env')); its
    // workers and their ssh clients inherit it. Nothing else may, on the target least of all.
    if (environ.includes(needle) && group !== controllerGroup) {
      hits.push(`${pid} environ: ${await readlink(`/proc/${pid}/exe`).catch(() => '?')}`);
    }
  }
  return hits;
}

async function waitFor<T>(probe: () => Promise<T | undefined>, what: string, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  if (!hasTools) return;
  tmp = await mkdtemp(join(tmpdir(), 'detour-unlock-secret-'));
  sshd = await startSshd();
}, 120_000);
afterAll(async () => {
  // ansible's ssh leaves a ControlPersist master (its own session, 60 s): end it with the server.
  for (const socket of await readdir(join(tmp ?? '', 'ansible-cp')).catch(() => [])) {
    spawnSync('ssh', ['-O', 'exit', '-o', `ControlPath=${join(tmp, 'ansible-cp', socket)}`, 'box'], {
      timeout: 10_000,
    });
  }
  await sshd?.stop();
  // A failed run leaves its proof in ~/.ansible/tmp: not for the next test to trip on.
  for (const file of hasTools ? targetFilesHolding(CANARY) : []) {
    if (file.includes('/.ansible/tmp/ansible-tmp-')) await rm(dirname(file), { recursive: true, force: true });
  }
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe.skipIf(!hasTools)('unlock through Ansible over SSH, cancelled mid-way', () => {
  it('leaves the passphrase in no file of the target and in no other process', async () => {
    const marker = `600.${process.pid}${Math.floor(Math.random() * 1000)}`;
    // A cryptsetup that says "inactive" to status, then blocks in the passphrase check.
    const cryptsetup = join(tmp, 'blocking-cryptsetup');
    await writeFile(cryptsetup, `#!/bin/sh\n[ "$1" = status ] && exit 4\nexec sleep ${marker}\n`);
    await chmod(cryptsetup, 0o755);
    const inventory = join(tmp, 'inventory.ini');
    await writeFile(
      inventory,
      [
        '[targets]',
        `box ansible_host=${sshd.host} ansible_port=${sshd.port} ansible_user=${sshd.user}`,
        '[targets:vars]',
        'ansible_connection=ssh',
        'ansible_python_interpreter=/usr/bin/python3',
        `ansible_ssh_private_key_file=${sshd.privateKeyFile}`,
        `ansible_ssh_common_args='-o UserKnownHostsFile=${sshd.knownHostsFile} -o StrictHostKeyChecking=yes'`,
        'unlock_become=false',
        `unlock_cryptsetup=${cryptsetup}`,
        // An inventory asking for files on the target loses to the playbook: secrets are never written.
        'ansible_pipelining=false',
        '',
      ].join('\n'),
    );

    const controller = new AbortController();
    const entry: PlaybookEntry = { name: 'unlock', file: 'unlock.yml', tags: ['vault'] };
    const run = runAllowListedPlaybook(
      {
        runner: execaRunner,
        paths: { playbookDir: PLAYBOOKS, inventory },
        env: {
          ANSIBLE_HOME: join(tmp, 'ansible-home'),
          ANSIBLE_LOCAL_TEMP: join(tmp, 'ansible-local'),
          ANSIBLE_SSH_CONTROL_PATH_DIR: join(tmp, 'ansible-cp'),
        },
      },
      entry,
      { tags: ['vault'], limit: 'box', check: false },
      { isAdmin: true },
      {
        timeoutMs: 120_000,
        killAfterMs: 2_000,
        signal: controller.signal,
        secretEnv: { DETOUR_UNLOCK_PASSPHRASE: new Secret(CANARY) },
        extraVars: { unlock_targets: { vault: { host: 'box', device: '/dev/null', mapper: 'vault', mount: '/mnt' } } },
      },
    );

    // The blocking cryptsetup runs: the module that carries the passphrase is running on the target.
    const sleeper = await waitFor(async () => {
      const found = spawnSync('pgrep', ['-f', `^sleep ${marker}$`], { encoding: 'utf8' }).stdout.trim();
      return found === '' ? undefined : found;
    }, 'the blocking cryptsetup');
    const ansible = spawnSync('pgrep', ['-o', '-f', `ansible-playbook .*--inventory=${inventory}`], {
      encoding: 'utf8',
    });
    const group = Number(ansible.stdout.trim());
    expect(group).toBeGreaterThan(0);
    expect(Number(spawnSync('ps', ['-o', 'pgid=', '-p', sleeper], { encoding: 'utf8' }).stdout.trim())).not.toBe(group);

    try {
      expect(await processesHolding(CANARY, group)).toEqual([]);
      expect(targetFilesHolding(CANARY)).toEqual([]);
    } finally {
      controller.abort();
      // Ansible does not stop a module on the target when the run is killed: the test ends it.
      process.kill(Number(sleeper), 'SIGKILL');
    }
    const attempt = await run;
    expect(attempt.refused ? 'refused' : attempt.result.outcome).toBe('canceled');
    expect(targetFilesHolding(CANARY)).toEqual([]);
    expect(await processesHolding(CANARY, group)).toEqual([]);
  });
});
