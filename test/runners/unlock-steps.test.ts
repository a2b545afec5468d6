import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Secret } from '../../src/core/secret.js';
import { status, testPassphraseArgv } from '../../src/runners/cryptsetup.js';
import { execaRunner } from '../../src/runners/execa-runner.js';
import {
  ensureMounted,
  mountArgv,
  systemctlIsActiveArgv,
  systemctlStartArgv,
  unlockSteps,
} from '../../src/runners/unlock-steps.js';
import { createLuksImage, findCryptsetup } from '../support/luks.js';
import { callsLeaking, fixturePathRunner, recordingRunner } from '../support/recording-runner.js';

// Real mounts and systemd are not available in tests: mount, mountpoint, systemctl and (for
// status/open) cryptsetup are the shell scripts in this folder, found first on PATH.
const BIN = resolve(import.meta.dirname, '../fixtures/unlock/bin');
const cryptsetup = findCryptsetup();
const PASS = 'line one\nline two  ';

let state = '';
beforeEach(async () => {
  state = await mkdtemp(join(tmpdir(), 'detour-unlock-'));
});
afterEach(async () => {
  await rm(state, { recursive: true, force: true });
});

function fixtures(env: Record<string, string> = {}) {
  const runner = fixturePathRunner(execaRunner, {
    binDir: BIN,
    stateDir: state,
    ...(cryptsetup ? { realCryptsetup: cryptsetup } : {}),
    env,
  });
  return recordingRunner(runner);
}

/** What the fixture executables themselves saw: proves the calls went through PATH to them. */
async function fixtureLog(): Promise<string[]> {
  const text = await readFile(join(state, 'calls.log'), 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean);
}

const target = (services = ['db.service', 'app.service']) => ({
  device: '/dev/disk/by-uuid/0000',
  mapper: 'dataproxies',
  mount: '/srv/dataproxies',
  services,
});

describe('unlockSteps with fixture tools', () => {
  it('already unlocked: skips check and open, mounts, starts each service', async () => {
    const { run, calls } = fixtures({ FIXTURE_CRYPTSETUP_STATUS: '0' });
    const report = await unlockSteps(run, target(), new Secret(PASS));
    expect(report.ok).toBe(true);
    expect(report.steps.map((s) => [s.step, s.outcome])).toEqual([
      ['status', 'active'],
      ['mount', 'mounted'],
      ['service', 'started'],
      ['service', 'started'],
    ]);
    const expected = [
      'cryptsetup status dataproxies',
      'mountpoint -q /srv/dataproxies',
      'mount /dev/mapper/dataproxies /srv/dataproxies',
      'systemctl is-active db.service',
      'systemctl start db.service',
      'systemctl is-active db.service',
      'systemctl is-active app.service',
      'systemctl start app.service',
      'systemctl is-active app.service',
    ];
    expect(calls.map((c) => c.argv.join(' '))).toEqual(expected);
    expect(await fixtureLog()).toEqual(expected);
    // No call needed the key, so none received it.
    expect(calls.every((c) => c.stdin === undefined)).toBe(true);
  });

  it('already unlocked with checkOnly: only the status query runs', async () => {
    const { run, calls } = fixtures({ FIXTURE_CRYPTSETUP_STATUS: '0' });
    const report = await unlockSteps(run, target(), new Secret(PASS), { checkOnly: true });
    expect(report).toMatchObject({ ok: true, steps: [{ step: 'status', outcome: 'active' }] });
    expect(calls).toHaveLength(1);
  });

  // The check goes to the real cryptsetup on an image; without the program it cannot run.
  it.skipIf(!cryptsetup)('locked: real passphrase check, then open with the exact key on stdin', async () => {
    const image = await createLuksImage(cryptsetup as string, state, PASS);
    const { run, calls } = fixtures();
    const report = await unlockSteps(run, { ...target(['app.service']), device: image }, new Secret(PASS));
    expect(report.steps.map((s) => [s.step, s.outcome])).toEqual([
      ['status', 'inactive'],
      ['check_passphrase', 'ok'],
      ['open', 'unlocked'],
      ['mount', 'mounted'],
      ['service', 'started'],
    ]);
    expect(report.ok).toBe(true);
    expect(calls[1]?.argv).toEqual([...testPassphraseArgv(image)]);
    // Byte for byte what the fixture read on stdin: inner newline and trailing spaces, nothing added.
    expect(await readFile(join(state, 'open-stdin'), 'utf8')).toBe(PASS);
    const keyed = calls.filter((c) => c.stdin !== undefined);
    expect(keyed.map((c) => (c.stdin as Secret).reveal())).toEqual([PASS, PASS]);
    expect(callsLeaking(calls, PASS)).toEqual([]);
    expect(callsLeaking(calls, 'line one')).toEqual([]);
  });

  // The check before open goes to the real cryptsetup on an image; without the program it cannot run.
  it.skipIf(!cryptsetup)('open exit 5 counts as already unlocked and the steps go on', async () => {
    const image = await createLuksImage(cryptsetup as string, state, PASS);
    const { run } = fixtures({ FIXTURE_CRYPTSETUP_OPEN: '5' });
    const report = await unlockSteps(run, { ...target([]), device: image }, new Secret(PASS));
    expect(report.ok).toBe(true);
    expect(report.steps.map((s) => [s.step, s.outcome, s.ok])).toEqual([
      ['status', 'inactive', true],
      ['check_passphrase', 'ok', true],
      ['open', 'already_unlocked', true],
      ['mount', 'mounted', true],
    ]);
  });

  it('already mounted and already active: nothing is mounted or started', async () => {
    await writeFile(join(state, 'mounts'), '/srv/dataproxies\n');
    await writeFile(join(state, 'active'), 'db.service\n');
    const { run, calls } = fixtures({ FIXTURE_CRYPTSETUP_STATUS: '0' });
    const report = await unlockSteps(run, target(['db.service']), new Secret(PASS));
    expect(report.steps.map((s) => s.outcome)).toEqual(['active', 'already_mounted', 'already_active']);
    expect(calls.map((c) => c.argv[0])).toEqual(['cryptsetup', 'mountpoint', 'systemctl']);
  });

  it('a failed mount stops before any service', async () => {
    const { run, calls } = fixtures({ FIXTURE_CRYPTSETUP_STATUS: '0', FIXTURE_MOUNT_FAIL: '1' });
    const report = await unlockSteps(run, target(), new Secret(PASS));
    expect(report.ok).toBe(false);
    expect(report.steps.at(-1)).toMatchObject({ step: 'mount', outcome: 'failed', ok: false, exitCode: 32 });
    expect(report.steps.at(-1)?.detail).toMatch(/^mount: \/srv\/dataproxies: wrong fs type/);
    expect(calls.some((c) => c.argv[0] === 'systemctl')).toBe(false);
  });

  it('mountVia fstab mounts by mount point only', async () => {
    const { run, calls } = fixtures();
    const result = await ensureMounted(run, { mapper: 'dataproxies', mount: '/srv/x', via: 'fstab' });
    expect(result.outcome).toBe('mounted');
    expect(calls.map((c) => c.argv)).toEqual([
      ['mountpoint', '-q', '/srv/x'],
      [...mountArgv('dataproxies', '/srv/x', 'fstab')],
    ]);
    expect(mountArgv('dataproxies', '/srv/x', 'fstab')).toEqual(['mount', '/srv/x']);
  });

  it('reports each service on its own; a failure does not stop the next one', async () => {
    const { run } = fixtures({
      FIXTURE_CRYPTSETUP_STATUS: '0',
      FIXTURE_SYSTEMCTL_FAIL: 'a.service',
      FIXTURE_SYSTEMCTL_DIES: 'b.service',
      FIXTURE_SYSTEMCTL_MISSING: 'c.service',
    });
    const units = ['a.service', 'b.service', 'c.service', 'd.service'];
    const report = await unlockSteps(run, target(units), new Secret(PASS));
    expect(report.ok).toBe(false);
    const services = report.steps.filter((s) => s.step === 'service');
    expect(services.map((s) => [s.unit, s.outcome, s.ok])).toEqual([
      ['a.service', 'failed', false],
      ['b.service', 'not_active_after_start', false],
      ['c.service', 'unit_not_found', false],
      ['d.service', 'started', true],
    ]);
    expect(services[0]?.detail).toMatch(/^Job for a.service failed/);
    expect(services[1]?.detail).toBe('b.service is failed after start');
  });

  // The check before open goes to the real cryptsetup on an image; without the program it cannot run.
  it.skipIf(!cryptsetup)('scrubs the passphrase from stderr, even one spanning lines', async () => {
    const image = await createLuksImage(cryptsetup as string, state, PASS);
    const { run } = fixtures({ FIXTURE_CRYPTSETUP_OPEN: '2', FIXTURE_CRYPTSETUP_ECHO_KEY: '1' });
    const report = await unlockSteps(run, { ...target(), device: image }, new Secret(PASS));
    expect(report.steps.at(-1)).toMatchObject({ step: 'open', outcome: 'wrong_passphrase', ok: false });
    expect(report.steps.at(-1)?.detail).toBe('refused key: [secret]');
    expect(JSON.stringify(report)).not.toContain('line one');
  });

  it('runs every argv behind commandPrefix', async () => {
    const { run, calls } = fixtures({ FIXTURE_CRYPTSETUP_STATUS: '0' });
    // `env` stands in for `sudo -n`: it runs the rest of argv, found on PATH.
    const report = await unlockSteps(run, target([]), new Secret(PASS), { commandPrefix: ['env'] });
    expect(report.ok).toBe(true);
    expect(calls.map((c) => c.argv.slice(0, 2))).toEqual([
      ['env', 'cryptsetup'],
      ['env', 'mountpoint'],
      ['env', 'mount'],
    ]);
  });

  it('stops after a canceled step', async () => {
    const { run, calls } = fixtures();
    const report = await unlockSteps(run, target(), new Secret(PASS), { signal: AbortSignal.abort() });
    expect(report).toMatchObject({ ok: false, steps: [{ step: 'status', outcome: 'canceled' }] });
    expect(calls).toHaveLength(1);
  });
});

describe('single steps with fixture tools', () => {
  it('status: exit 4 is inactive, a hang is a timeout', async () => {
    const { run } = fixtures({ FIXTURE_CRYPTSETUP_STATUS: '4' });
    expect(await status(run, 'dataproxies')).toMatchObject({ outcome: 'inactive', exitCode: 4 });
    const hung = fixtures({ FIXTURE_CRYPTSETUP_HANG: 'status' });
    expect((await status(hung.run, 'dataproxies', { timeoutMs: 300 })).outcome).toBe('timeout');
  });

  it('builds systemctl argv', () => {
    expect(systemctlStartArgv('x.service')).toEqual(['systemctl', 'start', 'x.service']);
    expect(systemctlIsActiveArgv('x.service')).toEqual(['systemctl', 'is-active', 'x.service']);
    expect(() => systemctlStartArgv('--all')).toThrow(/invalid unit/);
  });
});
