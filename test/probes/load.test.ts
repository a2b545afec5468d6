import { writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import {
  buildLoadSample,
  countCpuinfoProcessors,
  countCpuList,
  parseLoadavg,
  probeLoad,
} from '../../src/probes/load.js';
import { ProbeError } from '../../src/probes/probe-error.js';
import { fixture, localHost, makeTempDir, removeDir } from './helpers.js';

describe('load parsers (captured files)', () => {
  it('reads the three averages and the task counts', async () => {
    expect(parseLoadavg(await fixture('loadavg.txt'))).toEqual({
      load1: 1.26,
      load5: 0.74,
      load15: 0.43,
      runnable: 5,
      processes: 159,
    });
    expect(() => parseLoadavg('garbage')).toThrow(ProbeError);
  });

  it('counts CPUs from the kernel CPU list or /proc/cpuinfo', async () => {
    expect(countCpuinfoProcessors(await fixture('cpuinfo.txt'))).toBe(2);
    expect(countCpuinfoProcessors('')).toBeUndefined();
    expect(countCpuList('0\n')).toBe(1);
    expect(countCpuList('0-7\n')).toBe(8);
    expect(countCpuList('0-3,6,8-9\n')).toBe(7);
    expect(countCpuList('')).toBeUndefined();
    expect(countCpuList('3-1')).toBeUndefined();
    expect(countCpuList('0-1,x')).toBeUndefined();
  });

  it('divides by cores', () => {
    const s = buildLoadSample({ load1: 3, load5: 1.5, load15: 0.75, runnable: 1, processes: 10 }, 3);
    expect([s.load1PerCore, s.load5PerCore, s.load15PerCore]).toEqual([1, 0.5, 0.25]);
  });
});

describe('probeLoad on this machine', () => {
  let dir: string | undefined;
  afterAll(() => removeDir(dir));

  it('gives finite, non-negative averages and the machine CPU count', async () => {
    const result = await probeLoad(localHost);
    if (!result.ok) throw result.error;
    const s = result.sample;
    for (const value of [s.load1, s.load5, s.load15, s.load1PerCore, s.load15PerCore]) {
      expect(Number.isFinite(value)).toBe(true);
      expect(value).toBeGreaterThanOrEqual(0);
    }
    expect(s.cores).toBe(cpus().length);
    expect(s.load5PerCore).toBeCloseTo(s.load5 / s.cores, 10);
    expect(s.processes).toBeGreaterThanOrEqual(s.runnable);
  });

  it('falls back to /proc/cpuinfo when the CPU list cannot be read', async () => {
    dir = await makeTempDir('load');
    const result = await probeLoad(localHost, { cpuOnlinePath: `${dir}/absent` });
    if (!result.ok) throw result.error;
    expect(result.sample.cores).toBe(cpus().length);
    const garbled = `${dir}/online`;
    await writeFile(garbled, 'all of them\n');
    const again = await probeLoad(localHost, { cpuOnlinePath: garbled });
    expect(again.ok && again.sample.cores).toBe(cpus().length);
  });

  it('says so when neither tells the CPU count', async () => {
    const result = await probeLoad(localHost, { cpuOnlinePath: `${dir}/absent`, cpuinfoPath: `${dir}/absent` });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).toContain(`cannot read ${dir}/absent (ENOENT)`);
  });
});
