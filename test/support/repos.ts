import { type ChildProcess, spawn } from 'node:child_process';
import { watch } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

/**
 * Real borg and restic repositories for tests: encrypted, with archives made
 * by the real tools, in a temporary folder. BORG_BASE_DIR keeps borg's cache
 * and security files out of the user's home.
 */
export interface TestRepos {
  dir: string;
  env: Record<string, string>;
  borg(name: string, passphrase: string, archives: { name: string; at?: string }[]): Promise<string>;
  restic(name: string, password: string, snapshots: { at?: string }[]): Promise<string>;
  /** Holds the repository's lock from another process until release() is called. */
  lock(type: 'borg' | 'restic', repo: string, passphrase: string): Promise<{ release(): Promise<void> }>;
  cleanup(): Promise<void>;
}

export async function createTestRepos(): Promise<TestRepos> {
  const dir = await mkdtemp(join(tmpdir(), 'detour-repos-'));
  const data = join(dir, 'data');
  await mkdir(data);
  await writeFile(join(data, 'stock.csv'), 'article;quantite\nfarine;12\n');
  const env = { BORG_BASE_DIR: join(dir, 'borg-base'), RESTIC_CACHE_DIR: join(dir, 'restic-cache'), LANG: 'C.UTF-8' };
  const holders: ChildProcess[] = [];

  return {
    dir,
    env,
    async borg(name, passphrase, archives) {
      const repo = join(dir, name);
      const e = { ...env, BORG_REPO: repo, BORG_PASSPHRASE: passphrase };
      await execa('borg', ['init', '--encryption', 'repokey'], { env: e });
      for (const a of archives) {
        await execa('borg', ['create', ...(a.at ? ['--timestamp', a.at] : []), `::${a.name}`, data], { env: e });
      }
      return repo;
    },
    async restic(name, password, snapshots) {
      const repo = join(dir, name);
      const e = { ...env, RESTIC_REPOSITORY: repo, RESTIC_PASSWORD: password };
      await execa('restic', ['init'], { env: e });
      for (const s of snapshots) {
        await execa('restic', ['backup', '--quiet', ...(s.at ? ['--time', s.at] : []), data], { env: e });
      }
      return repo;
    },
    async lock(type, repo, passphrase) {
      const release = (child: ChildProcess) => async () => {
        killGroup(child);
        await new Promise((r) =>
          child.exitCode !== null || child.signalCode !== null ? r(undefined) : child.once('exit', r),
        );
      };
      if (type === 'borg') {
        // Its own process group: `with-lock` runs sleep as a child, which must go with it.
        const child = spawn('borg', ['with-lock', repo, 'sleep', '600'], {
          env: { ...process.env, ...env, BORG_PASSPHRASE: passphrase },
          detached: true,
        });
        holders.push(child);
        for (let i = 0; i < 400 && !(await readdir(repo)).includes('lock.exclusive'); i++)
          await new Promise((r) => setTimeout(r, 25));
        return { release: release(child) };
      }
      // restic has no "hold the lock" command: freeze a prune the moment its exclusive lock file
      // appears (inotify, not polling: a prune of a tiny repository is over in milliseconds).
      // restic writes `<id>-tmp-<n>` first, then renames it to `<id>`: only the final name counts.
      const finalLock = (name: string) => /^[0-9a-f]{64}$/.test(name);
      for (let attempt = 0; attempt < 5; attempt++) {
        const locks = join(repo, 'locks');
        const before = new Set(await readdir(locks));
        const watcher = watch(locks);
        const child = spawn('restic', ['prune'], {
          env: { ...process.env, ...env, RESTIC_REPOSITORY: repo, RESTIC_PASSWORD: passphrase },
        });
        holders.push(child);
        const appeared = await new Promise<boolean>((resolve) => {
          watcher.on('change', (_event, name) => {
            if (name && finalLock(String(name)) && !before.has(String(name))) {
              child.kill('SIGSTOP');
              resolve(true);
            }
          });
          child.once('exit', () => resolve(false));
        });
        watcher.close();
        if (appeared && (await readdir(locks)).some((n) => finalLock(n) && !before.has(n)))
          return { release: release(child) };
        await release(child)();
      }
      throw new Error('could not catch restic prune holding its lock');
    },
    async cleanup() {
      for (const child of holders) killGroup(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** SIGKILL to the child's process group when it leads one (spawned detached), else to the child. */
function killGroup(child: ChildProcess): void {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}
