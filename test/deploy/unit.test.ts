import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNetns, probeNetns, type TestNetns } from '../support/netns.js';

/*
 * The role's systemd units and nftables table, rendered by ansible's template module as the role
 * renders them: `systemd-analyze verify`, the exposure score of `systemd-analyze security`, and the
 * table loaded into a network namespace of our own, where it lets through only the allowed source.
 */
const ROLE = fileURLToPath(new URL('../../deploy/ansible/roles/detour_bot/', import.meta.url));
const has = (tool: string, ...args: string[]) => spawnSync(tool, args).status === 0;
const hasTools = has('ansible-playbook', '--version') && has('systemd-analyze', '--version');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'detour-unit-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Renders the role's templates into `out` with these variables (over the role's defaults). */
async function render(out: string, vars: Record<string, unknown> = {}): Promise<void> {
  await mkdir(out, { recursive: true });
  const play = join(dir, 'render.yml');
  await writeFile(
    play,
    `- name: Render the role's templates
  hosts: localhost
  connection: local
  gather_facts: false
  vars_files: [${join(ROLE, 'defaults', 'main.yml')}]
  tasks:
    - name: Render {{ item }}
      ansible.builtin.template:
        src: ${ROLE}templates/{{ item }}.j2
        dest: "{{ out }}/{{ item }}"
        mode: "0644"
      loop: [detour-bot.service, detour-bot-firewall.service, firewall.nft, local-unlock.conf]
`,
  );
  const result = await execa(
    'ansible-playbook',
    ['--inventory=localhost,', play, `--extra-vars=${JSON.stringify({ out, playbook_dir: dir, ...vars })}`],
    { env: { ANSIBLE_HOME: join(dir, 'ansible-home'), ANSIBLE_NOCOLOR: '1' }, reject: false },
  );
  expect(result.exitCode, result.stdout).toBe(0);
}

describe.skipIf(!hasTools)('the systemd units', () => {
  it('pass systemd-analyze verify', async () => {
    const out = join(dir, 'units');
    await render(out);
    for (const unit of ['detour-bot.service', 'detour-bot-firewall.service']) {
      const verify = await execa('systemd-analyze', ['verify', join(out, unit)], { reject: false });
      expect(verify.exitCode, verify.stderr).toBe(0);
      expect(verify.stderr).toBe('');
    }
  });

  it('has the hardening the docs describe, and an exposure score of 2.0 or less', async () => {
    const out = join(dir, 'units');
    await render(out);
    const unit = await readFile(join(out, 'detour-bot.service'), 'utf8');
    for (const line of [
      'NoNewPrivileges=yes',
      'ProtectSystem=strict',
      'ReadWritePaths=/var/lib/detour-bot',
      'ProtectHome=yes',
      'PrivateTmp=yes',
      'PrivateDevices=yes',
      'CapabilityBoundingSet=',
      'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6',
      'SystemCallFilter=@system-service',
      'UMask=0077',
      'Restart=on-failure',
      'StandardOutput=journal',
      'User=detour',
    ])
      expect(unit.split('\n')).toContain(line);
    // No secret and no secret-bearing variable in the unit: the config reads them from files.
    expect(unit).not.toMatch(/^Environment=.*(TOKEN|SECRET|PASS)/im);
    expect(unit).not.toMatch(/^MemoryDenyWriteExecute=/m);
    // deploy/systemd/ holds the units as the role's defaults render them, for those who install by hand.
    for (const name of ['detour-bot.service', 'detour-bot-firewall.service'])
      expect(await readFile(join(ROLE, '..', '..', '..', 'systemd', name), 'utf8')).toBe(
        await readFile(join(out, name), 'utf8'),
      );

    const security = await execa('systemd-analyze', ['security', '--offline=true', join(out, 'detour-bot.service')], {
      reject: false,
      env: { SYSTEMD_COLORS: '0' },
    });
    const score = /Overall exposure level for detour-bot\.service: (\d+\.\d)/.exec(security.stdout);
    expect(score, security.stdout + security.stderr).not.toBeNull();
    expect(Number(score?.[1])).toBeLessThanOrEqual(2.0);
  });
});

const netnsProblem = has('nft', '--version') ? await probeNetns() : 'nft is not installed';

describe.skipIf(!hasTools || netnsProblem !== undefined)('the firewall table', () => {
  let netns: TestNetns;
  let server: ResultPromise | undefined;
  beforeAll(async () => {
    netns = await createNetns(`detour-fw-${process.pid}`, 113);
  });
  afterAll(async () => {
    server?.kill('SIGKILL');
    await netns?.remove();
  });

  async function load(sources: string[]): Promise<void> {
    const out = join(dir, `fw-${sources.length}`);
    await render(out, { detour_http_allowed_sources: sources, detour_config: { http: { listen: '0.0.0.0:8080' } } });
    const result = await execa(
      netns.wrap[0] as string,
      [...netns.wrap.slice(1), 'nft', '--file', join(out, 'firewall.nft')],
      {
        reject: false,
      },
    );
    expect(result.exitCode, result.stderr).toBe(0);
  }

  /** Whether an HTTP request from this side reaches the namespace's port 8080 within 1.5 s. */
  async function reaches(port: number): Promise<boolean> {
    try {
      const response = await fetch(`http://${netns.nsAddress}:${port}/`, { signal: AbortSignal.timeout(1500) });
      return response.ok;
    } catch {
      return false;
    }
  }

  it('lets the bot port through from the allowed sources only; other ports are left alone', async () => {
    server = execa(
      netns.wrap[0] as string,
      [
        ...netns.wrap.slice(1),
        '/usr/bin/python3',
        '-c',
        // Two ports: the bot's (8080) and another one the table must not touch (8081).
        'import http.server, threading\n' +
          'for p in (8081, 8080):\n' +
          '  s = http.server.HTTPServer(("0.0.0.0", p), http.server.SimpleHTTPRequestHandler)\n' +
          '  threading.Thread(target=s.serve_forever, daemon=True).start()\n' +
          'threading.Event().wait()\n',
      ],
      { cwd: dir, reject: false },
    );
    let up = false;
    for (let i = 0; i < 50 && !up; i++) {
      up = await reaches(8081);
      if (!up) await new Promise((r) => setTimeout(r, 100));
    }
    expect(up).toBe(true);

    // An IPv6 network beside it goes into the table's IPv6 set.
    await load([netns.hostAddress, 'fd00:d37:0::/48']);
    expect(await reaches(8080)).toBe(true);
    const both = await execa(netns.wrap[0] as string, [
      ...netns.wrap.slice(1),
      'nft',
      'list',
      'set',
      'inet',
      'detour_bot',
      'allowed_v6',
    ]);
    expect(both.stdout).toContain('fd00:d37::/48');

    // Closed by default: no source listed. Loading again replaces the table (no duplicate rules).
    await load([]);
    expect(await reaches(8080)).toBe(false);
    expect(await reaches(8081)).toBe(true);
    const listing = await execa(netns.wrap[0] as string, [
      ...netns.wrap.slice(1),
      'nft',
      'list',
      'table',
      'inet',
      'detour_bot',
    ]);
    expect(listing.stdout.match(/dport 8080 counter packets [1-9]\d* bytes \d+ drop/g)).toHaveLength(1);

    // Loopback inside the namespace still reaches it (a reverse proxy on the same machine).
    const local = await execa(
      netns.wrap[0] as string,
      [
        ...netns.wrap.slice(1),
        '/usr/bin/python3',
        '-c',
        'import urllib.request; print(urllib.request.urlopen("http://127.0.0.1:8080/", timeout=2).status)',
      ],
      { reject: false },
    );
    expect(local.stdout.trim()).toBe('200');
  }, 120_000);
});
