import { spawnSync } from 'node:child_process';
import { chmod, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Secret } from '../../src/core/secret.js';
import { runAllowListedPlaybook } from '../../src/runners/ansible/index.js';
import { execaRunner } from '../../src/runners/execa-runner.js';
import { createTestRepos, type TestRepos } from '../support/repos.js';

/*
 * playbooks/backup.yml with the real borg and restic, through ansible-playbook (local connection).
 * `environment:` on a task becomes `VAR=value` in the command line ansible runs on the target,
 * which every user can read in the process list: the passphrase must reach the tools another way.
 * The tools here are wrapped to start 1.5 s late, so the process list is read while they run.
 */
const PLAYBOOKS = fileURLToPath(new URL('../../playbooks/', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../fixtures/ansible/', import.meta.url));
const has = (tool: string, ...args: string[]) => spawnSync(tool, args).status === 0;
const hasTools = has('ansible-playbook', '--version') && has('borg', '--version') && has('restic', 'version');
const CANARY = `backup-canary-${process.pid}-${Math.random().toString(36).slice(2)}`;

let repos: TestRepos;
let borgRepo: string;
let resticRepo: string;
let slowBin: string;

beforeAll(async () => {
  if (!hasTools) return;
  repos = await createTestRepos();
  [borgRepo, resticRepo] = await Promise.all([repos.borg('borg', CANARY, []), repos.restic('restic', CANARY, [])]);
  slowBin = join(repos.dir, 'slow-bin');
  await mkdir(slowBin);
  for (const tool of ['borg', 'restic']) {
    const real = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
    await writeFile(join(slowBin, tool), `#!/bin/sh\nsleep 1.5\nexec ${real} "$@"\n`);
    await chmod(join(slowBin, tool), 0o755);
  }
}, 120_000);
afterAll(() => repos?.cleanup());

/** What every process shows of `needle`: in its argv, or as BORG_PASSPHRASE/RESTIC_PASSWORD. */
async function sightings(needle: string): Promise<string[]> {
  const hits: string[] = [];
  const asVariable = [`BORG_PASSPHRASE=${needle}`, `RESTIC_PASSWORD=${needle}`];
  for (const pid of (await readdir('/proc')).filter((n) => /^\d+$/.test(n))) {
    const read = (what: string) => readFile(`/proc/${pid}/${what}`).catch(() => Buffer.alloc(0));
    const [cmdline, environ] = await Promise.all([read('cmdline'), read('environ')]);
    if (cmdline.includes(needle)) hits.push(`argv: ${cmdline.toString().replaceAll('\0', ' ')}`);
    for (const variable of asVariable) if (environ.includes(variable)) hits.push(`environ of ${pid}: ${variable}`);
  }
  return hits;
}

/** Files holding `needle` where ansible and the tools write: ~/.ansible, the temp folders, the home's top. */
function filesHolding(needle: string): string[] {
  const home = userInfo().homedir;
  const deep = spawnSync('grep', ['-rlsF', '--', needle, join(home, '.ansible'), '/tmp', '/var/tmp'], {
    encoding: 'utf8',
  });
  const top = spawnSync('sh', ['-c', 'grep -lsF -- "$0" "$1"/.[!.]* "$1"/*', needle, home], { encoding: 'utf8' });
  return `${deep.stdout}${top.stdout}`.split('\n').filter(Boolean);
}

describe.skipIf(!hasTools)('backup.yml hands the passphrase over in no argv and no file', () => {
  it('backs up to borg and restic; the passphrase is never in a command line nor left in a file', async () => {
    const dir = repos.dir;
    const source = join(dir, 'data');
    const run = runAllowListedPlaybook(
      {
        runner: execaRunner,
        paths: { playbookDir: PLAYBOOKS, inventory: join(FIXTURES, 'inventory.ini') },
        env: {
          ...repos.env,
          PATH: `${slowBin}:${process.env.PATH}`,
          ANSIBLE_HOME: join(dir, 'ansible-home'),
          ANSIBLE_LOCAL_TEMP: join(dir, 'ansible-local'),
        },
      },
      { name: 'backup', file: 'backup.yml', tags: ['b7-borg', 'b7-restic'] },
      { tags: ['b7-borg', 'b7-restic'], limit: 'localhost', check: false },
      { isAdmin: true },
      {
        timeoutMs: 120_000,
        secretEnv: { DETOUR_BACKUP_PASSPHRASE: new Secret(CANARY) },
        extraVars: {
          backup_repositories: {
            'b7-borg': { repo: borgRepo, paths: [source], archive: 'canary-test' },
            'b7-restic': { repo: resticRepo, paths: [source] },
          },
        },
      },
    );
    let done = false;
    void run.finally(() => {
      done = true;
    });
    const seen: string[] = [];
    let looks = 0;
    while (!done) {
      seen.push(...(await sightings(CANARY)));
      looks++;
      await new Promise((r) => setTimeout(r, 50));
    }
    const attempt = await run;

    expect(attempt.refused ? 'refused' : attempt.result.outcome).toBe('ok');
    expect(attempt.refused ? {} : attempt.result.stats.localhost).toMatchObject({ changed: 2, failed: 0 });
    // The process list was read all along both tools' runs (each 1.5 s at least).
    expect(looks).toBeGreaterThan(20);
    expect([...new Set(seen)]).toEqual([]);
    expect(filesHolding(CANARY)).toEqual([]);

    // The backups are really there, readable with the passphrase.
    const borgList = await execa('borg', ['list', '--short', borgRepo], {
      env: { ...repos.env, BORG_PASSPHRASE: CANARY },
    });
    expect(borgList.stdout.trim()).toBe('canary-test');
    const snapshots = await execa('restic', ['snapshots', '--json', '--repo', resticRepo], {
      env: { ...repos.env, RESTIC_PASSWORD: CANARY },
    });
    expect(JSON.parse(snapshots.stdout)).toHaveLength(1);
  });
});
