import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  findMount,
  isSafeMapperName,
  parseMounts,
  probeLuks,
  unescapeMountField,
} from '../../src/probes/luks-state.js';
import { execaRunner } from '../../src/runners/execa-runner.js';
import { canLoopMount, fixture, localHost, makeExt4Image, makeTempDir, namespaceHost, removeDir } from './helpers.js';

describe('mounts table', () => {
  it('unescapes the kernel octal escapes of a path with a space', async () => {
    const entries = parseMounts(await fixture('mounts-space.txt'));
    const data = findMount(entries, '/tmp/detour-fixture/srv data/');
    expect(data).toEqual({
      source: '/dev/loop0',
      target: '/tmp/detour-fixture/srv data',
      type: 'ext4',
    });
    expect(findMount(entries, '/')?.source).toBe('/dev/vda');
    expect(findMount(entries, '/srv')).toBeUndefined();
    expect(unescapeMountField('a\\011b\\134c')).toBe('a\tb\\c');
  });

  it('takes the last of stacked mounts (the one visible)', () => {
    const entries = parseMounts('a /m ext4 rw 0 0\nb /m xfs rw 0 0\n');
    expect(findMount(entries, '/m')?.source).toBe('b');
  });

  it('keeps mapper names that could be options or paths out of argv', () => {
    expect(isSafeMapperName('dataproxies')).toBe(true);
    expect(isSafeMapperName('luks-3f2a')).toBe(true);
    for (const bad of ['', '--help', '../sda', 'a/b', '..', 'a b']) {
      expect(isSafeMapperName(bad)).toBe(false);
    }
  });
});

// Whether cryptsetup can reach device-mapper here (exit 0/4) or not (exit 1, as on this CI machine).
const dm = await execaRunner({
  file: 'cryptsetup',
  args: ['status', 'detour-probe-none'],
  timeoutMs: 10_000,
});
const dmReachable = dm.exitCode === 4 || dm.exitCode === 0;
const loopOk = await canLoopMount();

describe('probeLuks on this machine', () => {
  let dir = '';
  let mapperDir = '';
  beforeAll(async () => {
    dir = await makeTempDir('luks');
    mapperDir = join(dir, 'mapper');
    await mkdir(mapperDir);
    await writeFile(join(mapperDir, 'detour-open'), '');
  });
  afterAll(() => removeDir(dir));

  it('root is mounted, a plain directory is not; a missing mapping is closed', async () => {
    const result = await probeLuks(
      localHost,
      [
        { name: 'root', mapper: 'detour-probe-none', mount: '/' },
        { name: 'plain', mapper: 'detour-probe-none', mount: dir },
      ],
      { mapperDir },
    );
    if (!result.ok) throw result.error;
    const [root, plain] = result.sample.targets;
    expect(root).toMatchObject({ name: 'root', mounted: true, open: false });
    expect(root?.mountSource).toBeTruthy();
    expect(plain).toMatchObject({ mounted: false, mountSource: null, open: false });
  });

  // Only where cryptsetup cannot reach device-mapper: otherwise cryptsetup itself answers.
  it.skipIf(dmReachable)('without device-mapper, /dev/mapper presence answers, with a note', async () => {
    const result = await probeLuks(localHost, [{ name: 'data', mapper: 'detour-open', mount: dir }], { mapperDir });
    if (!result.ok) throw result.error;
    expect(result.sample.targets[0]).toMatchObject({
      open: true,
      openCheckedBy: 'dev-mapper',
      mounted: false,
    });
    expect(result.sample.targets[0]?.openNote).toBeTruthy();
  });

  it('a missing cryptsetup falls back too, and a bad mapper name runs nothing', async () => {
    const result = await probeLuks(
      localHost,
      [
        { name: 'data', mapper: 'detour-open', mount: dir },
        { name: 'evil', mapper: '--help', mount: dir },
      ],
      { mapperDir, cryptsetup: [join(dir, 'no-cryptsetup')] },
    );
    if (!result.ok) throw result.error;
    const [data, evil] = result.sample.targets;
    expect(data).toMatchObject({
      open: true,
      openCheckedBy: 'dev-mapper',
      openNote: 'cryptsetup is not installed',
    });
    expect(evil).toMatchObject({ open: null, openCheckedBy: null, openNote: 'invalid mapper name' });
  });

  it('an unreadable mounts table is a typed read error', async () => {
    const result = await probeLuks(localHost, [], { mountsPath: join(dir, 'absent') });
    expect(result.ok ? 'ok' : result.error.code).toBe('probe-read');
  });

  // Needs root, `unshare -m`, mkfs.ext4 and a free loop device; machines without them skip.
  it.skipIf(!loopOk)('sees a real mount at a path with a space', async () => {
    const mount = join(dir, 'srv data');
    await mkdir(mount);
    const image = await makeExt4Image(dir, 8);
    const result = await probeLuks(
      namespaceHost(image, mount),
      [{ name: 'data', mapper: 'detour-probe-none', mount }],
      { mapperDir },
    );
    if (!result.ok) throw result.error;
    expect(result.sample.targets[0]?.mounted).toBe(true);
    expect(result.sample.targets[0]?.mountSource).toMatch(/^\/dev\/loop\d+$/);
  });
});
