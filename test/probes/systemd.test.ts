import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localHostAccess } from '../../src/probes/host-access.js';
import {
  parseSystemctlJson,
  parseSystemctlPlain,
  probeSystemd,
  SYSTEMCTL_JSON_ARGV,
  SYSTEMCTL_PLAIN_ARGV,
  SYSTEMD_RUN_DIR,
} from '../../src/probes/systemd.js';
import { fixture, localHost, makeTempDir, removeDir, runnerWithPath, scriptedHost } from './helpers.js';

const JSON_KEY = SYSTEMCTL_JSON_ARGV.join(' ');
const PLAIN_KEY = SYSTEMCTL_PLAIN_ARGV.join(' ');

describe('systemctl parsers', () => {
  it('reads the JSON list, and an empty one', async () => {
    const units = parseSystemctlJson(await fixture('systemctl-failed-json-handmade.txt'));
    expect(units).toEqual([
      {
        unit: 'backup-b7.service',
        load: 'loaded',
        active: 'failed',
        sub: 'failed',
        description: 'Nightly borg backup to b7',
      },
      {
        unit: 'srv-dataproxies.mount',
        load: 'loaded',
        active: 'failed',
        sub: 'failed',
        description: '/srv/dataproxies',
      },
    ]);
    expect(parseSystemctlJson(await fixture('systemctl-none-json-handmade.txt'))).toEqual([]);
  });

  it('says "not JSON" for an old systemd table or a JSON of another shape', async () => {
    expect(parseSystemctlJson(await fixture('systemctl-failed-table-v241-handmade.txt'))).toBe(undefined);
    expect(parseSystemctlJson('{"unit":"a"}')).toBeUndefined();
    expect(parseSystemctlJson('[{"unit":"a"}]')).toBeUndefined();
  });

  it('reads plain lines, descriptions with spaces, and a stray bullet', async () => {
    const plain = parseSystemctlPlain(await fixture('systemctl-failed-plain-handmade.txt'));
    const json = parseSystemctlJson(await fixture('systemctl-failed-json-handmade.txt'));
    expect(plain).toEqual(json);
    expect(parseSystemctlPlain('● x.service loaded failed failed X Y\n\n')).toEqual([
      { unit: 'x.service', load: 'loaded', active: 'failed', sub: 'failed', description: 'X Y' },
    ]);
  });
});

describe('probeSystemd on this machine', () => {
  it('gives failed units on a systemd host, a reason otherwise', async () => {
    const result = await probeSystemd(localHost);
    if (!result.ok) throw result.error;
    const booted = existsSync(SYSTEMD_RUN_DIR);
    if (booted) {
      expect(result.sample.status).toBe('ok');
      if (result.sample.status === 'ok') expect(Array.isArray(result.sample.failed)).toBe(true);
    } else {
      expect(result.sample.status).toBe('unavailable');
      if (result.sample.status === 'unavailable') expect(result.sample.reason.length).toBeGreaterThan(5);
    }
  });
});

describe('probeSystemd decisions', () => {
  // A directory standing for /run/systemd/system: "this host was booted with systemd".
  let booted = '';
  beforeAll(async () => {
    booted = await makeTempDir('systemd');
  });
  afterAll(() => removeDir(booted));

  it('not booted with systemd: unavailable, and systemctl is not even run', async () => {
    const calls: string[] = [];
    const result = await probeSystemd(scriptedHost({}, calls), { systemdRunDir: `${booted}/absent` });
    expect(result).toEqual({
      ok: true,
      sample: { status: 'unavailable', reason: `the host was not booted with systemd (no ${booted}/absent)` },
    });
    expect(calls).toEqual([]);
  });

  it('booted, but no systemctl at all: unavailable, not an error', async () => {
    const result = await probeSystemd(localHostAccess(runnerWithPath(booted)), { systemdRunDir: booted });
    expect(result).toEqual({
      ok: true,
      sample: { status: 'unavailable', reason: 'systemctl is not installed' },
    });
  });

  it('systemd answering JSON: one call, units from JSON', async () => {
    const calls: string[] = [];
    const stdout = await fixture('systemctl-failed-json-handmade.txt');
    const result = await probeSystemd(scriptedHost({ [JSON_KEY]: { stdout } }, calls), { systemdRunDir: booted });
    expect(result.ok && result.sample.status === 'ok' && result.sample.source).toBe('json');
    expect(result.ok && result.sample.status === 'ok' && result.sample.failed).toHaveLength(2);
    expect(calls).toEqual([JSON_KEY]);
  });

  it('an old systemd that ignores --output: falls back to the plain list', async () => {
    const result = await probeSystemd(
      scriptedHost({
        [JSON_KEY]: { stdout: await fixture('systemctl-failed-table-v241-handmade.txt') },
        [PLAIN_KEY]: { stdout: 'backup-b7.service loaded failed failed Nightly borg backup\n' },
      }),
      { systemdRunDir: booted },
    );
    if (!result.ok || result.sample.status !== 'ok') throw new Error('expected units');
    expect(result.sample.source).toBe('plain');
    expect(result.sample.failed.map((u) => u.unit)).toEqual(['backup-b7.service']);
  });

  it('systemctl failing on a host booted with systemd is an error, with stderr kept apart', async () => {
    const fail = { exitCode: 1, stderr: 'Failed to connect to bus: Permission denied\n' };
    const result = await probeSystemd(scriptedHost({ [JSON_KEY]: fail, [PLAIN_KEY]: fail }), {
      systemdRunDir: booted,
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('probe-exit-status');
    expect(result.error.message).not.toContain('Permission denied');
    expect(result.error.detail).toBe('Failed to connect to bus: Permission denied');
  });
});
