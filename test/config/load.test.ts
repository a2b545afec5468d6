import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile, validateConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/core/errors.js';
import { Secret } from '../../src/core/secret.js';

let dir: string;
let passFile: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'detour-config-'));
  passFile = join(dir, 'borg.pass');
  await writeFile(passFile, 'from-a-file\n');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const borg = (extra: Record<string, unknown> = {}) => ({
  name: 'b7-borg',
  type: 'borg',
  repo: '/srv/borg/vps2',
  passphraseFile: passFile,
  ...extra,
});

/** The problems reported for a raw config, in order. */
function problemsOf(raw: unknown, env: Record<string, string> = {}): readonly string[] {
  try {
    validateConfig(raw, env, dir, 'test.yaml');
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('config validation messages', () => {
  it('names an unknown key with its path', () => {
    expect(problemsOf({ locale: 'en', colour: 'blue' })).toEqual(['colour: unknown key']);
    expect(problemsOf({ backups: [borg({ compression: 'lz4' })] })).toEqual(['backups[0].compression: unknown key']);
  });

  it('keeps commands per SSH host within what sshd allows beside the SFTP session', () => {
    expect(problemsOf({ ssh: { maxChannelsPerHost: 9 } })).toEqual([
      expect.stringMatching(/^ssh\.maxChannelsPerHost: .*8/),
    ]);
    expect(problemsOf({ ssh: { maxChannelsPerHost: 8 } })).toEqual([]);
  });

  it('says which repository lacks its location', () => {
    expect(problemsOf({ backups: [borg(), { name: 'other', type: 'restic', passphrase: 'x' }] })).toEqual([
      'backups[1].repo: required',
    ]);
  });

  it('explains a bad duration', () => {
    expect(problemsOf({ backups: [borg({ maxAge: '26 hours' })] })).toEqual([
      'backups[0].maxAge: invalid duration "26 hours" (use a whole number and a unit: 90s, 15m, 26h, 7d)',
    ]);
  });

  it('refuses a secret given both inline and as a file', () => {
    expect(problemsOf({ backups: [borg({ passphrase: 'inline' })] })).toEqual([
      'backups[0].passphrase: give either passphrase or passphraseFile, not both',
    ]);
  });

  it('reports an unset environment variable where it is used', () => {
    expect(problemsOf({ chat: { slack: { botToken: '${SLACK_BOT_TOKEN}', signingSecret: 's' } } })).toEqual([
      'chat.slack.botToken: environment variable SLACK_BOT_TOKEN is not set',
    ]);
  });

  it('reports an unreadable secret file without its content', () => {
    expect(problemsOf({ backups: [borg({ passphraseFile: join(dir, 'absent') })] })).toEqual([
      `backups[0].passphraseFile: cannot read ${join(dir, 'absent')} (ENOENT)`,
    ]);
  });

  it('reports every problem at once', () => {
    const problems = problemsOf({
      colour: 1,
      backups: [borg({ maxAge: 'soon' }), { name: 'b7-borg', type: 'rustic', repo: '/x', passphrase: 'p' }],
      access: { admins: ['alice'] },
    });
    expect(problems).toEqual([
      'access.admins[0]: expected an e-mail address',
      'backups[0].maxAge: invalid duration "soon" (use a whole number and a unit: 90s, 15m, 26h, 7d)',
      'backups[1].type: expected one of "borg", "restic", got "rustic"',
      'colour: unknown key',
    ]);
  });

  it('refuses two repositories with the same name and dangling references', () => {
    expect(
      problemsOf({
        backups: [borg(), borg()],
        unlock: { data: { host: 'nas', device: '/d', mapper: 'm', mount: '/m' } },
      }),
    ).toEqual([
      'backups[1].name: "b7-borg" is already used by backups[0]',
      'unlock.data.host: no host "nas" under hosts',
    ]);
  });
});

describe('config loading', () => {
  it('interpolates ${ENV}, reads secret files into Secrets and applies defaults', () => {
    const config = validateConfig(
      { backups: [borg(), { name: 'r', type: 'restic', repo: '${REPO}', passphrase: '${PASS}', maxAge: '7d' }] },
      { REPO: '/srv/restic', PASS: 'env-secret' },
      dir,
      'test',
    );
    const [b, r] = config.backups;
    expect(b?.passphrase).toBeInstanceOf(Secret);
    expect(b?.passphrase?.reveal()).toBe('from-a-file');
    expect(b?.maxAge).toBe(26 * 3_600_000);
    expect(r?.repo).toBe('/srv/restic');
    expect(r?.passphrase?.reveal()).toBe('env-secret');
    expect(r?.maxAge).toBe(7 * 86_400_000);
    expect(JSON.stringify(config)).not.toContain('env-secret');
    expect(config.database).toBe(join(dir, 'var/detour.db'));
  });

  it('accepts the example configuration of DESIGN.md', async () => {
    const path = join(dir, 'detour.yaml');
    await writeFile(
      path,
      `locale: fr
timezone: Europe/Paris
database: ./var/detour.db
http:
  listen: 127.0.0.1:8080
  publicUrl: https://bot.example.org
chat:
  slack:
    mode: http
    botToken: \${SLACK_BOT_TOKEN}
    signingSecret: \${SLACK_SIGNING_SECRET}
  mattermost:
    url: https://chat.example.org
    botToken: \${MATTERMOST_BOT_TOKEN}
    commandToken: \${MATTERMOST_COMMAND_TOKEN}
    team: detour
  commandPrefix: /detour
channels: { infra: "#infra", digest: "#infra", backups: "#infra", reports: "#general" }
access:
  allowedDomains: [epicerieledetour.org]
  admins: [alice@epicerieledetour.org]
hosts:
  b7-srv:
    ssh: { host: 10.8.0.7, port: 22, user: detour, privateKeyFile: /etc/detour-bot/id_ed25519 }
  local: { local: true }
backups:
  - name: b7-borg
    type: borg
    repo: ssh://borg@10.8.0.7/srv/borg/vps2
    passphraseFile: ${passFile}
    maxAge: 26h
    job: { playbook: backup, tags: [b7-borg] }
ansible:
  inventory: ./inventory.ini
  playbooks:
    site: { file: site.yml, tags: [nginx, wordpress], checkOnlyForNonAdmins: true }
    backup: { file: backup.yml }
unlock:
  dataproxies: { host: b7-srv, device: /dev/disk/by-uuid/x, mapper: dataproxies, mount: /srv/dataproxies, services: [dataproxies.service] }
thresholds:
  disk: { warn: 80, crit: 90 }
certificates:
  - url: https://epicerieledetour.org
  - file: /etc/wireguard/client.crt
schedule:
  morning-digest: "0 9 * * 1-5"
  monthly-report: "0 9 1 * *"
`,
    );
    const env = {
      SLACK_BOT_TOKEN: 'xoxb-1',
      SLACK_SIGNING_SECRET: 's',
      MATTERMOST_BOT_TOKEN: 'm',
      MATTERMOST_COMMAND_TOKEN: 'c',
    };
    const config = loadConfigFile(path, env);
    expect(config.chat.slack?.botToken?.reveal()).toBe('xoxb-1');
    expect(config.hosts['b7-srv']).toEqual({
      ssh: { host: '10.8.0.7', port: 22, user: 'detour', privateKeyFile: '/etc/detour-bot/id_ed25519', sudo: false },
    });
  });

  it('says when the file is not YAML', async () => {
    const path = join(dir, 'broken.yaml');
    await writeFile(path, 'backups: [\n');
    expect(() => loadConfigFile(path, {})).toThrow(/not valid YAML/);
  });
});
