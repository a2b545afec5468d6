import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parseMeminfo, parseMeminfoFields, probeMemory } from '../../src/probes/memory.js';
import { ProbeError } from '../../src/probes/probe-error.js';
import { fixture, localHost } from './helpers.js';

describe('parseMeminfo (captured /proc/meminfo)', () => {
  it('a host without swap: swap used percent is null, not NaN', async () => {
    const sample = parseMeminfo(await fixture('meminfo-noswap.txt'));
    expect(sample.totalBytes).toBe(24683620 * 1024);
    expect(sample.availableBytes).toBe(24010764 * 1024);
    expect(sample.availableEstimated).toBe(false);
    expect(sample.usedPercent).toBeCloseTo(((24683620 - 24010764) / 24683620) * 100, 6);
    expect(sample.swapTotalBytes).toBe(0);
    expect(sample.swapUsedPercent).toBeNull();
  });

  it('a host with swap: used percent from SwapTotal and SwapFree', async () => {
    const sample = parseMeminfo(await fixture('meminfo-swap-edited.txt'));
    expect(sample.swapTotalBytes).toBe(2097148 * 1024);
    expect(sample.swapFreeBytes).toBe(1572860 * 1024);
    expect(sample.swapUsedPercent).toBeCloseTo(((2097148 - 1572860) / 2097148) * 100, 6);
  });

  it('an old kernel without MemAvailable or swap lines: estimates, marked as such', async () => {
    const text = await fixture('meminfo-old-kernel-edited.txt');
    const f = parseMeminfoFields(text);
    const sample = parseMeminfo(text);
    expect(sample.availableEstimated).toBe(true);
    expect(sample.availableBytes).toBe(
      (f.get('MemFree') ?? NaN) + (f.get('Buffers') ?? NaN) + (f.get('Cached') ?? NaN),
    );
    expect(sample.swapTotalBytes).toBe(0);
    expect(sample.swapUsedPercent).toBeNull();
  });

  it('keeps unitless counters unitless and rejects text without MemTotal', async () => {
    const f = parseMeminfoFields(await fixture('meminfo-noswap.txt'));
    expect(f.get('HugePages_Total')).toBe(0);
    expect(f.get('Hugepagesize')).toBe(2048 * 1024);
    expect(() => parseMeminfo('Swap: nothing\n')).toThrow(ProbeError);
  });
});

describe('probeMemory on this machine', () => {
  it('total equals MemTotal read separately from /proc/meminfo', async () => {
    const result = await probeMemory(localHost);
    if (!result.ok) throw result.error;
    const raw = await readFile('/proc/meminfo', 'utf8');
    const kib = Number(/^MemTotal:\s+(\d+) kB$/m.exec(raw)?.[1]);
    expect(result.sample.totalBytes).toBe(kib * 1024);
    expect(result.sample.usedPercent).toBeGreaterThan(0);
    expect(result.sample.usedPercent).toBeLessThan(100);
    if (result.sample.swapTotalBytes === 0) expect(result.sample.swapUsedPercent).toBeNull();
    else expect(result.sample.swapUsedPercent).toBeGreaterThanOrEqual(0);
  });

  it('an unreadable file is a typed read error naming the path', async () => {
    const result = await probeMemory(localHost, { meminfoPath: '/proc/detour-no-such-file' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('probe-read');
    expect(result.error.message).toContain('/proc/detour-no-such-file');
    expect(result.error.message).toContain('ENOENT');
  });
});
