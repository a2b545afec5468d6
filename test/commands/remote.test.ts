import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.js';
import { silentLogger } from '../../src/core/logger.js';
import { Secret } from '../../src/core/secret.js';
import { HostRegistry } from '../../src/hosts/host-registry.js';
import { Operations } from '../../src/operations/operations-service.js';
import { execaRunner } from '../../src/runners/execa-runner.js';
import { alice, testConfig, testPipeline } from '../support/app.js';
import { createLuksImage, findCryptsetup } from '../support/luks.js';
import { startSshd, type TestSshd } from '../support/sshd.js';

/*
 * The same commands on a host reached over SSH: a real sshd on a loopback port
 * with throw-away keys. The unlock passphrase travels on the channel's stdin;
 * Ansible connects with ssh, checking the host key against the test known_hosts.
 */
const PASS = 'remote unlock passphrase';
const cryptsetup = findCryptsetup();
let dir: string;
let sshd: TestSshd;
let config: Config;
let hosts: HostRegistry;
let ops: Operations;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'detour-remote-'));
  sshd = await startSshd();
  const image = cryptsetup ? await createLuksImage(cryptsetup, dir, PASS) : '/nonexistent';
  await writeFile(
    join(dir, 'inventory.ini'),
    `[local]\nb7-srv ansible_host=${sshd.host} ansible_port=${sshd.port} ansible_user=${sshd.user} ansible_ssh_private_key_file=${sshd.privateKeyFile} ansible_python_interpreter=/usr/bin/python3 ansible_ssh_common_args='-o UserKnownHostsFile=${sshd.knownHostsFile} -o StrictHostKeyChecking=yes'\n`,
  );
  config = testConfig(
    {
      hosts: {
        'b7-srv': { ssh: { host: sshd.host, port: sshd.port, user: sshd.user, privateKeyFile: sshd.privateKeyFile } },
      },
      ssh: { knownHostsFile: sshd.knownHostsFile },
      unlock: { dataproxies: { host: 'b7-srv', device: image, mapper: 'detour-remote', mount: join(dir, 'mnt') } },
      ansible: {
        inventory: './inventory.ini',
        playbookDir: resolve(import.meta.dirname, '../fixtures/ansible'),
        playbooks: { ok: { file: 'ok.yml', tags: ['greet'] } },
      },
    },
    dir,
  );
  hosts = new HostRegistry(config, execaRunner);
  const env = { ANSIBLE_HOME: join(dir, 'ansible-home'), ANSIBLE_LOCAL_TEMP: join(dir, 'ansible-tmp') };
  ops = new Operations({
    config,
    run: (req) => execaRunner({ ...req, env: { ...env, ...req.env } }),
    hosts,
    defaultPlaybookDir: dir,
    logger: silentLogger,
  });
});
afterAll(async () => {
  await hosts?.close();
  await sshd?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe.skipIf(!cryptsetup)('unlock over SSH (real sshd, real cryptsetup)', () => {
  it('checks the passphrase on the remote host, sent on stdin', async () => {
    const { ask } = testPipeline(config, { operations: ops });
    const right = await ask('unlock dataproxies --check', alice, { askSecret: async () => new Secret(PASS) });
    expect(right.outcome).toBe('ok');
    expect(right.text).toContain('dataproxies on b7-srv (ssh), passphrase check only:');
    expect(right.text).toContain('✓ passphrase: ok');
    const wrong = await ask('unlock dataproxies', alice, { askSecret: async () => new Secret('nope') });
    expect(wrong.text).toContain('wrong passphrase for dataproxies: nothing else was attempted.');
    expect(await hosts.connectionsOpened()).toBe(1);
  });
});

describe('ansible run over SSH (real sshd)', () => {
  it('runs the playbook on the host through ssh, host key checked', async () => {
    const { ask } = testPipeline(config, { operations: ops });
    const r = await ask('ansible run ok --tags greet --check', alice);
    expect(r.outcome).toBe('ok');
    expect(r.text).toMatch(/b7-srv +ok=1 +changed=0 +unreachable=0 +failed=0/);
  });
});
