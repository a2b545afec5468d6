import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HostAccess } from '../../src/probes/host-access.js';
import { localHostAccess, localStat } from '../../src/probes/host-access.js';
import { execaRunner } from '../../src/runners/execa-runner.js';
import type { ProcessResult, ProcessRunner } from '../../src/runners/process.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/probes/', import.meta.url));

export function fixture(name: string): Promise<string> {
  return readFile(join(FIXTURES, name), 'utf8');
}

export const localHost: HostAccess = localHostAccess(execaRunner);

export function makeTempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `detour-probes-${prefix}-`));
}

export function removeDir(dir: string | undefined): Promise<void> {
  return dir ? rm(dir, { recursive: true, force: true }) : Promise.resolve();
}

/** The real runner with PATH replaced: programs missing, or tiny stand-ins put first. */
export function runnerWithPath(path: string): ProcessRunner {
  return (request) => execaRunner({ ...request, env: { ...request.env, PATH: path } });
}

/** Writes an executable shell script named `name` into `dir`. */
export async function writeTool(dir: string, name: string, body: string): Promise<void> {
  const file = join(dir, name);
  await writeFile(file, `#!/bin/sh\n${body}\n`);
  await chmod(file, 0o755);
}

/** Whether this machine can run `unshare -m` and loop-mount an ext4 image (root, loop devices). */
export async function canLoopMount(): Promise<boolean> {
  if (process.getuid?.() !== 0) return false;
  const probe = await execaRunner({ file: 'losetup', args: ['-f'], timeoutMs: 10_000 });
  const unshare = await execaRunner({ file: 'unshare', args: ['-m', 'true'], timeoutMs: 10_000 });
  const mkfs = await execaRunner({ file: 'mkfs.ext4', args: ['-V'], timeoutMs: 10_000 });
  return probe.exitCode === 0 && unshare.exitCode === 0 && mkfs.exitCode === 0;
}

/**
 * A host whose every command runs in a fresh mount namespace where `image`
 * (an ext4 file) is loop-mounted at `mountPoint`: the real df and the real
 * mounts table then show a mount point with a space, without touching the
 * machine's own mounts. The namespace (and the loop device) go when it exits.
 */
export function namespaceHost(image: string, mountPoint: string): HostAccess {
  const script = 'mount -o loop "$1" "$2" && shift 2 && exec "$@"';
  const exec: HostAccess['exec'] = (argv, opts) =>
    execaRunner({
      file: 'unshare',
      args: ['-m', '--', 'sh', '-c', script, 'sh', image, mountPoint, ...argv],
      timeoutMs: opts.timeoutMs,
    });
  return {
    exec,
    async readFile(path) {
      const result = await exec(['cat', path], { timeoutMs: 10_000 });
      if (result.exitCode !== 0) throw new Error(`cat ${path} failed`);
      return result.stdout;
    },
    stat: localStat,
  };
}

export async function makeExt4Image(dir: string, megabytes: number): Promise<string> {
  const image = join(dir, 'disk.img');
  await writeFile(image, Buffer.alloc(0));
  const size = await execaRunner({
    file: 'truncate',
    args: ['-s', `${megabytes}M`, image],
    timeoutMs: 10_000,
  });
  const mkfs = await execaRunner({ file: 'mkfs.ext4', args: ['-q', image], timeoutMs: 30_000 });
  if (size.exitCode !== 0 || mkfs.exitCode !== 0) throw new Error('cannot build the ext4 image');
  return image;
}

export type Scripted = Partial<Pick<ProcessResult, 'exitCode' | 'stdout' | 'stderr' | 'failedToStart'>>;

/**
 * A fake host answering some argv with canned results (systemctl as a
 * systemd machine would answer), everything else through the real local host.
 */
export function scriptedHost(answers: Record<string, Scripted>, calls: string[] = []): HostAccess {
  return {
    async exec(argv, opts) {
      const key = argv.join(' ');
      calls.push(key);
      const answer = answers[key];
      if (!answer) return localHost.exec(argv, opts);
      return {
        command: key,
        exitCode: answer.failedToStart ? undefined : (answer.exitCode ?? 0),
        signal: undefined,
        stdout: answer.stdout ?? '',
        stderr: answer.stderr ?? '',
        timedOut: false,
        isCanceled: false,
        failedToStart: answer.failedToStart ?? false,
        durationMs: 1,
      };
    },
    readFile: (path) => localHost.readFile(path),
    stat: (path) => localHost.stat(path),
  };
}
