import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.js';
import { Secret } from '../../src/core/secret.js';
import { HostRegistry } from '../../src/hosts/host-registry.js';
import { Operations } from '../../src/operations/operations-service.js';
import { execaRunner } from '../../src/runners/execa-runner.js';
import type { ProcessRequest, ProcessRunner } from '../../src/runners/process.js';
import { alice, bob, testConfig, testPipeline } from '../support/app.js';
import { createLuksImage, findCryptsetup, hasDeviceMapper } from '../support/luks.js';

const PASS = 'Le Détour: 7 rue des Lilas\n(deux lignes)';
const cryptsetup = findCryptsetup();
const fixtures = resolve(import.meta.dirname, '../fixtures/ansible');
let dir: string;
let config: Config;
let requests: ProcessRequest[];
let ops: Operations;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'detour-ops-'));
  const image = cryptsetup ? await createLuksImage(cryptsetup, dir, PASS) : join(dir, 'none.img');
  await writeFile(
    join(dir, 'inventory.ini'),
    `[local]\nlocalhost ansible_connection=local ansible_python_interpreter=/usr/bin/python3 out_file=${dir}/out.txt sleep_seconds=4242.17\n`,
  );
  config = testConfig(
    {
      hosts: { local: { local: true } },
      unlock: {
        testvol: { host: 'local', device: image, mapper: 'detour-testvol', mount: join(dir, 'mnt'), services: [] },
      },
      ansible: {
        inventory: './inventory.ini',
        playbookDir: fixtures,
        playbooks: {
          ok: { file: 'ok.yml', tags: ['greet', 'write'], checkOnlyForNonAdmins: true },
          failing: { file: 'failing.yml' },
          slow: { file: 'slow.yml' },
        },
      },
    },
    dir,
  );
  requests = [];
  const env = { ANSIBLE_HOME: join(dir, 'ansible-home'), ANSIBLE_LOCAL_TEMP: join(dir, 'ansible-tmp') };
  const run: ProcessRunner = (req) => {
    requests.push(req);
    return execaRunner({ ...req, env: { ...env, ...req.env } });
  };
  ops = new Operations({
    config,
    run,
    hosts: new HostRegistry(config, run),
    defaultPlaybookDir: fixtures,
    logger: (await import('../../src/core/logger.js')).silentLogger,
  });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const secretAsker = (value: string) => {
  const asked: string[] = [];
  return {
    asked,
    askSecret: async (prompt: string) => {
      asked.push(prompt);
      return new Secret(value);
    },
  };
};

describe.skipIf(!cryptsetup)('unlock (real cryptsetup on a LUKS image)', () => {
  it('asks for the passphrase privately, checks it and reports each step', async () => {
    const { ask, audit } = testPipeline(config, { operations: ops });
    const asker = secretAsker(PASS);
    const r = await ask('unlock testvol --check', alice, { askSecret: asker.askSecret });
    expect(asker.asked).toEqual(['Passphrase for testvol: ']);
    expect(r.outcome).toBe('ok');
    expect(r.text).toContain('testvol on local (local), passphrase check only:');
    expect(r.text).toContain('✓ passphrase: ok');
    expect(audit.list({ limit: 1 })[0]).toMatchObject({ status: 'ok', detail: 'passphrase ok (check)' });
  });

  it('stops at a wrong passphrase, says so, and audits the attempt', async () => {
    const { ask, audit } = testPipeline(config, { operations: ops });
    const before = requests.length;
    const r = await ask('unlock testvol', alice, secretAsker('not it'));
    expect(r.outcome).toBe('failed');
    expect(r.text).toContain('wrong passphrase for testvol: nothing else was attempted.');
    expect(requests.slice(before).map((q) => q.args[0])).toEqual(['status', 'open']);
    expect(requests.slice(before).at(-1)?.args).toContain('--test-passphrase');
    expect(audit.list({ limit: 1 })[0]).toMatchObject({ status: 'failed', detail: 'wrong passphrase' });
  });

  it.skipIf(hasDeviceMapper())('reports why the partition cannot be opened without device-mapper', async () => {
    const { ask } = testPipeline(config, { operations: ops });
    const r = await ask('unlock testvol', alice, secretAsker(PASS));
    expect(r.outcome).toBe('failed');
    expect(r.text).toContain('✓ passphrase: ok');
    expect(r.text).toMatch(/✗ unlock: no device mapper/);
  });

  it('asks nothing of non-admins or for unknown targets', async () => {
    const { ask } = testPipeline(config, { operations: ops });
    const asker = secretAsker(PASS);
    expect(await ask('unlock testvol', bob, asker)).toMatchObject({ outcome: 'denied' });
    expect(await ask('unlock nas', alice, asker)).toMatchObject({
      outcome: 'usage',
      text: 'unknown unlock target "nas". Known targets: testvol.',
    });
    expect(asker.asked).toEqual([]);
  });

  it('never puts the passphrase in argv, replies or the audit log', async () => {
    const { ask, audit } = testPipeline(config, { operations: ops });
    const r = await ask('unlock testvol', alice, secretAsker(PASS));
    for (const q of requests) expect(q.args.join('\n')).not.toContain('Lilas');
    expect(r.text).not.toContain('Lilas');
    expect(JSON.stringify(audit.list())).not.toContain('Lilas');
  });
});

describe('ansible run (real ansible-playbook on localhost)', () => {
  it('runs an allow-listed playbook in check mode for anyone, with progress and the recap', async () => {
    const { ask } = testPipeline(config, { operations: ops });
    const progress: string[] = [];
    const r = await ask('ansible run ok --tags greet --check', bob, { progress: (l) => progress.push(l) });
    expect(r.outcome).toBe('ok');
    expect(r.text).toMatch(/^ok \(check mode\): ok in \d+ s/);
    expect(r.text).toMatch(/localhost +ok=1 +changed=0 +unreachable=0 +failed=0/);
    expect(progress).toContain('task 1/1: Say hello');
  });

  it('keeps real runs for admins and refuses what the allow-list does not name', async () => {
    const { ask } = testPipeline(config, { operations: ops });
    expect(await ask('ansible run ok --tags greet', bob)).toMatchObject({ outcome: 'denied' });
    expect(await ask('ansible run ok --tags reboot --check', alice)).toMatchObject({ outcome: 'usage' });
    expect((await ask('ansible run ok --limit -e@/etc/shadow --check', alice)).outcome).toBe('usage');
    const unknown = await ask('ansible run site --check', alice);
    expect(unknown).toMatchObject({
      outcome: 'usage',
      text: '"site" is not an allowed playbook. Allowed: ok, failing, slow.',
    });
  });

  it('reports the failed task of a failing playbook', async () => {
    const { ask } = testPipeline(config, { operations: ops });
    const r = await ask('ansible run failing', alice);
    expect(r.outcome).toBe('failed');
    expect(r.text).toContain('failing: a host failed');
    expect(r.text).toMatch(/Failed tasks:\n {2}localhost: /);
  });

  it('runs one playbook at a time; jobs lists it and jobs cancel stops it', async () => {
    const { ask, audit } = testPipeline(config, { operations: ops });
    const first = ask('ansible run slow', alice);
    let listed = '';
    for (let i = 0; i < 100 && !listed.includes('ansible:slow'); i++) {
      await new Promise((r) => setTimeout(r, 100));
      listed = (await ask('jobs', bob)).text;
    }
    expect(listed).toMatch(/^#\d+ +ansible:slow +started by alice@epicerieledetour.org at /);
    const second = await ask('ansible run slow', alice);
    expect(second.outcome).toBe('failed');
    expect(second.text).toMatch(/^ansible:slow is already running, started by alice@epicerieledetour.org at /);
    expect(await ask('jobs cancel 1', bob)).toMatchObject({ outcome: 'denied' });
    const id = /^#(\d+)/.exec(listed)?.[1] as string;
    const cancel = await ask(`jobs cancel ${id}`, alice);
    expect(cancel.outcome).toBe('ok');
    const result = await first;
    expect(result.outcome).toBe('failed');
    expect(result.text).toContain('slow: cancelled');
    expect(audit.list().find((e) => e.text === `jobs cancel ${id}`)?.detail).toMatch(
      /cancelled job \d+ \(ansible:slow\), started by alice/,
    );
    expect((await ask('jobs', alice)).text).toBe('no job is running.');
  });
});
