import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../support/detour.js';
import { createTestRepos, type TestRepos } from '../support/repos.js';

/*
 * Which modules a `detour run` loads, recorded by a module `load` hook (node:module register(),
 * https://nodejs.org/docs/latest-v20.x/api/module.html#customization-hooks) that appends each
 * URL to a file. The cached `backup status` is the bot's most frequent command: it must not pay
 * for the probes, the Ansible runner, the unlock steps or the process and SSH libraries.
 */
const HOOKS = `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  appendFileSync(process.env.DETOUR_TEST_IMPORTS, url + '\\n');
  return next(url, context);
}`;
const REGISTER = `import { register } from 'node:module';
register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(HOOKS)}`)});`;

const HEAVY = [
  '/dist/src/probes/probe-service.js',
  '/dist/src/probes/disk.js',
  '/dist/src/probes/certificates.js',
  '/dist/src/store/sample-store.js',
  '/dist/src/operations/operations-service.js',
  '/dist/src/runners/ansible/',
  '/dist/src/runners/unlock-steps.js',
  '/dist/src/runners/cryptsetup.js',
  '/dist/src/digest/',
  '/dist/reports/',
  '/node_modules/luxon/',
  '/node_modules/execa/',
  '/node_modules/node-ssh/',
  '/node_modules/ssh2/',
];

let repos: TestRepos;
let config: string;

beforeAll(async () => {
  repos = await createTestRepos();
  const repo = await repos.borg('b7', 'cold-start-pass', [{ name: 'nightly' }]);
  await writeFile(join(repos.dir, 'pass'), 'cold-start-pass\n', { mode: 0o600 });
  config = join(repos.dir, 'detour.yaml');
  await writeFile(
    config,
    `locale: en
database: ./detour.db
hosts: { here: { local: true } }
unlock: { data: { host: here, device: /dev/null, mapper: data, mount: /mnt/data } }
backups:
  - { name: b7-borg, type: borg, repo: ${repo}, passphraseFile: ./pass, maxAge: 26h }
`,
  );
  // The first ask observes the repository (execa, borg); the ones below answer from the store.
  const first = await loadedBy('backup status');
  expect(first.stdout).toMatch(/^OK +b7-borg/m);
});
afterAll(() => repos.cleanup());

async function loadedBy(command: string): Promise<{ stdout: string; urls: string[] }> {
  const log = join(repos.dir, 'imports.log');
  await rm(log, { force: true });
  const r = await execa(
    process.execPath,
    ['--import', `data:text/javascript,${encodeURIComponent(REGISTER)}`, CLI, 'run', command, '--config', config],
    {
      cwd: repos.dir,
      env: { ...repos.env, DETOUR_CONFIG: '', DETOUR_TEST_IMPORTS: log },
      reject: false,
    },
  );
  expect(r.stderr).toBe('');
  return { stdout: String(r.stdout), urls: (await readFile(log, 'utf8')).split('\n').filter(Boolean) };
}

describe('what a detour run loads', () => {
  it('answers a cached backup status without loading probes, operations or process libraries', async () => {
    const { stdout, urls } = await loadedBy('backup status');
    expect(stdout).toMatch(/^Backups, observed \d+ s ago$/m);
    // The hook saw the modules the answer needs, so an empty match below means something.
    expect(urls.some((u) => u.endsWith('/dist/src/backups/backup-service.js'))).toBe(true);
    expect(urls.filter((u) => HEAVY.some((h) => u.includes(h)))).toEqual([]);
  });

  it('loads the operations module on the first call that needs it', async () => {
    const { stdout, urls } = await loadedBy('jobs');
    expect(stdout).toMatch(/no job/i);
    expect(urls.some((u) => u.endsWith('/dist/src/operations/operations-service.js'))).toBe(true);
    expect(urls.some((u) => u.includes('/dist/src/probes/probe-service.js'))).toBe(false);
  });
});
