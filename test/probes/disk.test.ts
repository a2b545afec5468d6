import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildDiskSample, DEFAULT_SKIPPED_TYPES, parseDf, probeDisk } from '../../src/probes/disk.js';
import { localHostAccess } from '../../src/probes/host-access.js';
import {
  canLoopMount,
  fixture,
  localHost,
  makeExt4Image,
  makeTempDir,
  namespaceHost,
  removeDir,
  runnerWithPath,
  writeTool,
} from './helpers.js';

describe('parseDf and buildDiskSample (captured df output)', () => {
  it('reads every row, a mount point with a space included, in bytes', async () => {
    const rows = parseDf(await fixture('df-usage-space.txt'));
    expect(rows).toHaveLength(6);
    const sample = buildDiskSample(rows, parseDf(await fixture('df-inodes-space.txt')));
    expect(sample.mounts.map((m) => m.mountPoint)).toEqual(['/', '/tmp/detour-fixture/srv data']);
    const [root, data] = sample.mounts;
    expect(root).toEqual({
      filesystem: '/dev/vda',
      type: 'ext4',
      mountPoint: '/',
      sizeBytes: 264212084 * 1024,
      usedBytes: 23706052 * 1024,
      availableBytes: 82684860 * 1024,
      usedPercent: 23,
      inodes: { total: 16777216, used: 453094, free: 16324122, usedPercent: 3 },
    });
    expect(data?.filesystem).toBe('/dev/loop0');
    expect(data?.inodes?.total).toBe(4096);
  });

  it('skips memory-backed and image filesystems, keeps fuse sources with spaces', async () => {
    const rows = parseDf(await fixture('df-usage-fuse-edited.txt'));
    expect(rows.map((r) => r.type)).toEqual(['ext4', 'fuse.sshfs', 'overlay', 'squashfs']);
    const sample = buildDiskSample(rows, null);
    expect(sample.mounts.map((m) => [m.filesystem, m.mountPoint, m.usedPercent])).toEqual([
      ['/dev/vda', '/', 23],
      ['alice@b7:/srv/my share', '/mnt/b7 share', 91],
    ]);
    expect(sample.mounts[1]?.inodes).toBeNull();
    expect(buildDiskSample(rows, null, []).mounts).toHaveLength(4);
  });

  it('keeps an overlay root (the bot in a container) but not container layers', () => {
    const text =
      'Filesystem Type 1024-blocks Used Available Capacity Mounted on\n' +
      'overlay overlay 1000 500 500 50% /\n' +
      'overlay overlay 1000 500 500 50% /var/lib/docker/overlay2/abc/merged\n';
    const sample = buildDiskSample(parseDf(text), null);
    expect(sample.mounts.map((m) => m.mountPoint)).toEqual(['/']);
  });

  it('reads "-" as an unknown percentage (pseudo filesystems in df -a)', async () => {
    const rows = parseDf(await fixture('df-inodes-all.txt'));
    const proc = rows.find((r) => r.mountPoint === '/proc');
    expect(proc).toMatchObject({ type: 'proc', total: 0, percent: null });
    expect(rows.find((r) => r.mountPoint === '/')?.percent).toBe(3);
    expect(DEFAULT_SKIPPED_TYPES).toContain('proc');
  });
});

describe('probeDisk on this machine', () => {
  const dirs: string[] = [];
  afterAll(() => Promise.all(dirs.map(removeDir)));
  const binDir = async (name: string): Promise<string> => {
    const dir = await makeTempDir(name);
    dirs.push(dir);
    return dir;
  };

  it('lists the root filesystem with a plausible size and inode count', async () => {
    const result = await probeDisk(localHost);
    if (!result.ok) throw result.error;
    const root = result.sample.mounts.find((m) => m.mountPoint === '/');
    expect(root).toBeDefined();
    expect(root?.sizeBytes).toBeGreaterThan(0);
    expect((root?.usedBytes ?? 0) + (root?.availableBytes ?? 0)).toBeLessThanOrEqual(root?.sizeBytes ?? 0);
    expect(root?.usedPercent).toBeGreaterThanOrEqual(0);
    expect(root?.usedPercent).toBeLessThanOrEqual(100);
    for (const mount of result.sample.mounts) {
      expect(DEFAULT_SKIPPED_TYPES.filter((t) => t !== 'overlay')).not.toContain(mount.type);
    }
  });

  it('reports a missing df as a typed not-installed error', async () => {
    const result = await probeDisk(localHostAccess(runnerWithPath(await binDir('disk-empty'))));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('probe-not-installed');
    expect(result.error.probe).toBe('disk');
  });

  it('reports a df that hangs (stale NFS) as a typed timeout', async () => {
    const bin = await binDir('disk-hang');
    await writeTool(bin, 'df', 'exec sleep 30');
    const result = await probeDisk(localHostAccess(runnerWithPath(`${bin}:/usr/bin:/bin`)), {
      timeoutMs: 300,
    });
    expect(result.ok ? 'ok' : result.error.kind).toBe('timeout');
  });

  it('keeps what df listed when one mount cannot be read (exit 1)', async () => {
    const bin = await binDir('disk-partial');
    await writeTool(bin, 'df', '/usr/bin/df "$@"\necho "df: /run/user/1000/doc: Operation not permitted" >&2\nexit 1');
    const result = await probeDisk(localHostAccess(runnerWithPath(`${bin}:/usr/bin:/bin`)));
    if (!result.ok) throw result.error;
    expect(result.sample.mounts.some((m) => m.mountPoint === '/')).toBe(true);
    expect(result.sample.partial).toBe('df: /run/user/1000/doc: Operation not permitted');
  });

  it('still answers when df -i fails: inode figures become null', async () => {
    const bin = await binDir('disk-no-inodes');
    // A df without -i support (some busybox builds), in front of the real one.
    await writeTool(
      bin,
      'df',
      'case "$*" in *-i*) echo "df: invalid option -- i" >&2; exit 1;; esac\nexec /usr/bin/df "$@"',
    );
    const result = await probeDisk(localHostAccess(runnerWithPath(`${bin}:/usr/bin:/bin`)));
    if (!result.ok) throw result.error;
    const root = result.sample.mounts.find((m) => m.mountPoint === '/');
    expect(root?.sizeBytes).toBeGreaterThan(0);
    expect(root?.inodes).toBeNull();
  });
});

// Needs root, `unshare -m`, mkfs.ext4 and a free loop device; machines without them skip.
const loopOk = await canLoopMount();

describe('probeDisk with a mount point containing a space', () => {
  let dir: string | undefined;
  afterAll(() => removeDir(dir));

  it.skipIf(!loopOk)('sees the real loop-mounted ext4 image at "srv data"', async () => {
    dir = await makeTempDir('disk-ns');
    const mountPoint = join(dir, 'srv data');
    await mkdir(mountPoint);
    const image = await makeExt4Image(dir, 16);
    const result = await probeDisk(namespaceHost(image, mountPoint));
    if (!result.ok) throw result.error;
    const data = result.sample.mounts.find((m) => m.mountPoint === mountPoint);
    expect(data?.type).toBe('ext4');
    expect(data?.filesystem).toMatch(/^\/dev\/loop\d+$/);
    expect(data?.sizeBytes).toBeGreaterThan(0);
    expect(data?.sizeBytes).toBeLessThanOrEqual(16 * 1024 * 1024);
    expect(data?.inodes?.total).toBeGreaterThan(0);
  });
});
