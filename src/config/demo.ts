import { randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import type { Logger } from '../core/logger.js';
import { Secret } from '../core/secret.js';
import { borgEnv } from '../runners/borg.js';
import type { ProcessRunner } from '../runners/process.js';
import { resticEnv } from '../runners/restic.js';

/*
 * The embedded default: what every `detour` command uses when no config file
 * is found, so that `npm install && npm start` shows a working bot. It keeps
 * everything under ./var/ and creates two small demo repositories (one borg,
 * one restic) the first time, when the tools are installed.
 */

export const DEMO_LABEL = 'built-in demo configuration';

/** Whether an executable of that name is on PATH (cheaper than running it). */
function onPath(name: string, path = process.env.PATH ?? ''): boolean {
  return path.split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

interface DemoRepo {
  name: string;
  type: 'borg' | 'restic';
  dir: string;
  passFile: string;
}

/** Creates what is missing of the demo under `<cwd>/var/demo` and returns the raw demo config. */
export async function prepareDemo(
  cwd: string,
  run: () => Promise<ProcessRunner>,
  logger: Logger,
  say: (line: string) => void,
): Promise<Record<string, unknown>> {
  const demoDir = resolve(cwd, 'var/demo');
  const repos: DemoRepo[] = [];
  for (const type of ['borg', 'restic'] as const) {
    if (!onPath(type)) {
      const pkg = type === 'borg' ? 'borgbackup' : 'restic';
      say(`demo: ${type} is not installed, so the demo has no ${type} repository (apt-get install ${pkg}).`);
      continue;
    }
    const repo = {
      name: `demo-${type}`,
      type,
      dir: join(demoDir, type),
      passFile: join(demoDir, `${type}.passphrase`),
    };
    if (!existsSync(join(repo.dir, 'config'))) {
      say(`demo: creating a ${type} repository with two archives in ${repo.dir} (once).`);
      await createDemoRepo(repo, demoDir, await run(), logger);
    }
    repos.push(repo);
  }
  return {
    locale: 'en',
    timezone: 'Europe/Paris',
    database: resolve(cwd, 'var/detour.db'),
    http: { listen: '127.0.0.1:8080' },
    access: { allowedDomains: [], admins: [] },
    hosts: { local: { local: true } },
    backups: repos.map((r) => ({
      name: r.name,
      type: r.type,
      repo: r.dir,
      passphraseFile: r.passFile,
      maxAge: '26h',
      // `backup run demo-borg` works at once: the demo data folder, with the tool's JSON statistics.
      job: { command: demoBackupCommand(r.type, join(demoDir, 'data')) },
    })),
  };
}

function demoBackupCommand(type: 'borg' | 'restic', data: string): string[] {
  return type === 'borg'
    ? ['borg', 'create', '--json', '::demo-{now:%Y-%m-%dT%H:%M:%S}', data]
    : ['restic', 'backup', '--json', data];
}

async function createDemoRepo(repo: DemoRepo, demoDir: string, run: ProcessRunner, logger: Logger): Promise<void> {
  const data = join(demoDir, 'data');
  mkdirSync(data, { recursive: true });
  writeFileSync(join(data, 'README.txt'), 'Demo data backed up by the detour-bot demo.\n');
  writeFileSync(join(data, 'inventaire.csv'), 'article;quantite\nfarine;12\nlentilles;30\n');
  const passphrase = new Secret(randomBytes(18).toString('base64url'));
  writeFileSync(repo.passFile, passphrase.reveal(), { mode: 0o600 });
  const steps =
    repo.type === 'borg'
      ? [
          ['init', '--encryption', 'repokey'],
          ['create', '::demo-1', data],
          ['create', '::demo-2', data],
        ]
      : [['init'], ['backup', '--quiet', data], ['backup', '--quiet', data]];
  const env = repo.type === 'borg' ? borgEnv(repo.dir, passphrase) : resticEnv(repo.dir, passphrase);
  for (const args of steps) {
    const result = await run({ file: repo.type, args, env, timeoutMs: 60_000 });
    if (result.exitCode !== 0 && !(repo.type === 'borg' && result.exitCode === 1)) {
      logger.warn({ repo: repo.name, step: args[0], exitCode: result.exitCode }, 'demo repository creation failed');
      return;
    }
  }
}
