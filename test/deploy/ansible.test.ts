import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/*
 * deploy/ansible and playbooks/ with the real tools: ansible-playbook --syntax-check on every
 * playbook, ansible-lint (the committed .ansible-lint), the role applied with --check --diff to this
 * machine, and the role's example inventory rendered into a config the bot accepts.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DEPLOY = join(ROOT, 'deploy', 'ansible');
const CLI = join(ROOT, 'dist', 'src', 'cli.js');
const has = (tool: string, ...args: string[]) => spawnSync(tool, args).status === 0;
const hasAnsible = has('ansible-playbook', '--version');
const CANARY = `deploy-canary-${process.pid}-${Math.random().toString(36).slice(2)}`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'detour-deploy-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const ansibleEnv = () => ({ ANSIBLE_HOME: join(dir, 'ansible-home'), ANSIBLE_NOCOLOR: '1', ANSIBLE_FORCE_COLOR: '0' });

async function playbooks(): Promise<string[]> {
  const own = (await readdir(join(ROOT, 'playbooks'))).filter((f) => f.endsWith('.yml'));
  return [...own.map((f) => join(ROOT, 'playbooks', f)), join(DEPLOY, 'site.yml'), join(DEPLOY, 'rollback.yml')];
}

describe.skipIf(!hasAnsible)('the playbooks and the role', () => {
  it('pass ansible-playbook --syntax-check, every one', async () => {
    const files = await playbooks();
    expect(files.map((f) => f.slice(ROOT.length)).sort()).toEqual(
      expect.arrayContaining([
        'deploy/ansible/rollback.yml',
        'deploy/ansible/site.yml',
        'playbooks/backup.yml',
        'playbooks/bot-state.yml',
        'playbooks/restore.yml',
        'playbooks/unlock.yml',
      ]),
    );
    for (const file of files) {
      const result = await execa('ansible-playbook', ['--inventory=localhost,', '--syntax-check', file], {
        reject: false,
        env: ansibleEnv(),
      });
      expect(result.exitCode, `${file}: ${result.stderr}`).toBe(0);
    }
  });

  it.skipIf(!has('ansible-lint', '--version'))(
    'pass ansible-lint with the committed .ansible-lint',
    async () => {
      const result = await execa('ansible-lint', ['--nocolor', 'playbooks', 'deploy/ansible'], {
        cwd: ROOT,
        reject: false,
        env: { ...ansibleEnv(), NO_COLOR: '1' },
      });
      expect(result.exitCode, `${result.stdout}\n${result.stderr}`).toBe(0);
      // Only the skips the config lists and justifies.
      const config = await readFile(join(ROOT, '.ansible-lint'), 'utf8');
      expect(config.match(/^ {2}- [a-z[\]-]+$/gm)).toEqual(['  - name[template]']);
    },
    300_000,
  );

  it('reads the example inventory: the bot runs on vps2, every machine has its WireGuard address', async () => {
    const result = await execa('ansible-inventory', ['-i', join(DEPLOY, 'inventory.example'), '--list'], {
      env: ansibleEnv(),
    });
    const inventory = JSON.parse(result.stdout);
    expect(inventory.detour_bot.hosts).toEqual(['vps2']);
    expect([...inventory.wireguard.hosts].sort()).toEqual(['b7-srv', 'pi-b7', 'vps2']);
    const host = await execa(
      'ansible',
      [
        '-i',
        join(DEPLOY, 'inventory.example'),
        'all',
        '-m',
        'ansible.builtin.debug',
        '-a',
        'var=ansible_host',
        '-c',
        'local',
      ],
      { env: ansibleEnv(), reject: false },
    );
    expect(host.stdout).toMatch(/b7-srv \| SUCCESS[\s\S]*"ansible_host": "10\.8\.0\.7"/);
    expect(host.stdout).toMatch(/pi-b7 \| SUCCESS[\s\S]*"ansible_host": "10\.8\.0\.11"/);
  });

  it.skipIf(!existsSync(CLI))(
    'turns the example inventory into a configuration `detour config check` accepts',
    async () => {
      // The role's template and secrets steps, for vps2, into a folder of ours (nothing connects to vps2).
      const etc = join(dir, 'example-etc');
      await mkdir(join(etc, 'secrets'), { recursive: true });
      await mkdir(join(etc, 'ssh'), { recursive: true });
      await mkdir(join(etc, 'ansible'), { recursive: true });
      await mkdir(join(dir, 'example-data', '.ssh'), { recursive: true });
      const play = join(dir, 'render-example.yml');
      await writeFile(
        play,
        `- name: Render vps2's configuration
  hosts: vps2
  gather_facts: false
  tasks:
    - name: Write it as the role does
      ansible.builtin.include_role:
        name: detour_bot
        tasks_from: config.yml
`,
      );
      const result = await execa(
        'ansible-playbook',
        [
          '-i',
          join(DEPLOY, 'inventory.example'),
          play,
          `--extra-vars=${JSON.stringify({
            ansible_connection: 'local',
            ansible_python_interpreter: '/usr/bin/python3',
            detour_config_dir: etc,
            detour_data_dir: join(dir, 'example-data'),
            detour_user: 'root',
            detour_group: 'root',
            detour_release_path: ROOT,
            // Its handler would restart the bot: no systemd here.
            detour_systemd_ops: false,
          })}`,
        ],
        { env: { ...ansibleEnv(), ANSIBLE_ROLES_PATH: join(DEPLOY, 'roles') }, reject: false },
      );
      expect(result.exitCode, result.stdout).toBe(0);
      // The secrets' values never show in the output.
      expect(result.stdout).not.toContain('xoxb-change-me');
      const config = await readFile(join(etc, 'detour.yaml'), 'utf8');
      expect(config).toContain('listen: 10.8.0.1:8080');
      expect(config).toContain(`botTokenFile: ${etc}/secrets/slack-bot-token`);
      expect(config).not.toContain('change-me');
      // deploy/detour.example.yaml is this file, for those who install by hand: it cannot drift.
      const example = await readFile(join(ROOT, 'deploy', 'detour.example.yaml'), 'utf8');
      expect(example).toBe(
        config.replaceAll(etc, '/etc/detour-bot').replaceAll(join(dir, 'example-data'), '/var/lib/detour-bot'),
      );
      expect(await readFile(join(etc, 'secrets', 'b7-borg'), 'utf8')).toBe('change-me-borg-passphrase');
      const check = await execa('node', [CLI, 'config', 'check', '--config', join(etc, 'detour.yaml')], {
        reject: false,
      });
      expect(check.exitCode, `${check.stdout}${check.stderr}`).toBe(0);
    },
    120_000,
  );
});

/** Whether ansible's apt module can run in check mode here (it needs python3-apt). */
const hasPythonApt = spawnSync('/usr/bin/python3', ['-c', 'import apt']).status === 0;
const isRoot = process.getuid?.() === 0;

describe.skipIf(!hasAnsible || !hasPythonApt || !isRoot)('the role in check mode on this machine', () => {
  it('runs through with --check --diff, changes nothing, and shows no secret', async () => {
    // A release tarball as deploy/release.sh makes it (npm pack: everything under package/).
    const releases = join(dir, 'releases');
    await mkdir(join(dir, 'release', 'package', 'dist', 'src'), { recursive: true });
    await writeFile(join(dir, 'release', 'package', 'package.json'), '{"name":"detour-bot","version":"9.9.9"}\n');
    await mkdir(releases);
    await execa('tar', [
      '--create',
      '--gzip',
      `--file=${join(releases, 'detour-bot-9.9.9.tgz')}`,
      `--directory=${join(dir, 'release')}`,
      'package',
    ]);
    const inventory = join(dir, 'check-inventory.yml');
    await writeFile(
      inventory,
      'detour_bot:\n  hosts:\n    localhost:\n      ansible_connection: local\n      ansible_python_interpreter: /usr/bin/python3\n',
    );
    const installDir = join(dir, 'opt-detour-bot');
    const result = await execa(
      'ansible-playbook',
      [
        `--inventory=${inventory}`,
        '--check',
        '--diff',
        `--extra-vars=${JSON.stringify({
          detour_version: '9.9.9',
          detour_release_dir: releases,
          detour_install_dir: installDir,
          // This machine's Node.js comes with its own npm (see docs/en/deployment.md, bookworm).
          detour_nodejs_packages: ['nodejs'],
          detour_secrets: { 'b7-borg': CANARY },
          detour_ssh_private_key: CANARY,
          detour_http_allowed_sources: ['10.8.0.7'],
          detour_config: { http: { listen: '10.8.0.1:8080' }, locale: 'en' },
        })}`,
        join(DEPLOY, 'site.yml'),
      ],
      { env: ansibleEnv(), reject: false },
    );
    expect(result.exitCode, result.stdout.slice(-3000)).toBe(0);
    expect(result.stdout).toMatch(/localhost\s+: ok=\d+\s+changed=\d+\s+unreachable=0\s+failed=0/);
    expect(result.stdout).not.toContain(CANARY);
    // --diff shows the configuration and the unit it would write.
    expect(result.stdout).toContain('+database: /var/lib/detour-bot/detour.db');
    expect(result.stdout).toContain('+  listen: 10.8.0.1:8080');
    expect(result.stdout).toContain(`+ExecStart=/usr/bin/node ${installDir}/current/dist/src/cli.js serve`);
    expect(result.stdout).toContain('+    elements = { 10.8.0.7 }');
    // Check mode: nothing written.
    expect(existsSync(installDir)).toBe(false);
  }, 300_000);

  it('refuses to start without a release version or tarball, saying how to make one', async () => {
    const result = await execa(
      'ansible-playbook',
      [
        '--inventory=localhost,',
        '--connection=local',
        '--check',
        `--extra-vars=${JSON.stringify({ detour_hosts: 'localhost', detour_version: '0.0.1', detour_release_dir: dir })}`,
        join(DEPLOY, 'site.yml'),
      ],
      { env: ansibleEnv(), reject: false },
    );
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toContain('build it with deploy/release.sh');
  }, 120_000);
});
