import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DetourError } from '../../src/core/errors.js';
import { Secret } from '../../src/core/secret.js';
import {
  open,
  openArgv,
  status,
  statusArgv,
  testPassphrase,
  testPassphraseArgv,
} from '../../src/runners/cryptsetup.js';
import { execaRunner } from '../../src/runners/execa-runner.js';
import type { ProcessRunner } from '../../src/runners/process.js';
import { unlockSteps } from '../../src/runners/unlock-steps.js';
import { createLuksImage, findCryptsetup, hasDeviceMapper } from '../support/luks.js';
import { callsLeaking, extendPathRunner, recordingRunner } from '../support/recording-runner.js';

const cryptsetup = findCryptsetup();
const deviceMapper = hasDeviceMapper();
const PASS = 'correct horse battery staple';
// Inner newline and trailing spaces: any newline handling or trimming would change the key.
const TRICKY = 'first line\nsecond line  ';

describe('cryptsetup argv', () => {
  it('builds the documented command lines, key from stdin', () => {
    expect(testPassphraseArgv('/dev/sdb1')).toEqual([
      'cryptsetup',
      'open',
      '--type',
      'luks',
      '--test-passphrase',
      '--key-file=-',
      '/dev/sdb1',
    ]);
    expect(statusArgv('data')).toEqual(['cryptsetup', 'status', 'data']);
    expect(openArgv('/dev/sdb1', 'data')).toEqual([
      'cryptsetup',
      'open',
      '--type',
      'luks',
      '--key-file=-',
      '/dev/sdb1',
      'data',
    ]);
  });

  it('refuses values a tool would read as options, and mapper names with a slash', () => {
    expect(() => testPassphraseArgv('--debug')).toThrow(DetourError);
    expect(() => openArgv('/dev/sdb1', '')).toThrow(DetourError);
    expect(() => statusArgv('a/b')).toThrow(/invalid mapper name/);
  });
});

// Everything below drives the real cryptsetup on an image file; without the program there is nothing to drive.
describe.skipIf(!cryptsetup)('cryptsetup on a real LUKS2 image', () => {
  let dir = '';
  let image = '';
  let trickyImage = '';
  let real: ProcessRunner;

  beforeAll(async () => {
    const bin = cryptsetup as string;
    dir = await mkdtemp(join(tmpdir(), 'detour-luks-'));
    image = await createLuksImage(bin, dir, PASS);
    trickyImage = await createLuksImage(bin, dir, TRICKY, 'tricky.img');
    real = extendPathRunner(execaRunner, [dirname(bin)]);
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('accepts the right passphrase, which travels only on stdin, as a Secret', async () => {
    const { run, calls } = recordingRunner(real);
    const result = await testPassphrase(run, { device: image, passphrase: new Secret(PASS) });
    expect(result).toMatchObject({ outcome: 'ok', exitCode: 0 });
    expect(calls.map((c) => c.argv)).toEqual([[...testPassphraseArgv(image)]]);
    const stdin = calls[0]?.stdin;
    expect(stdin).toBeInstanceOf(Secret);
    expect((stdin as Secret).reveal()).toBe(PASS);
    expect(callsLeaking(calls, PASS)).toEqual([]);
  });

  it('reports a wrong passphrase as wrong_passphrase (exit 2)', async () => {
    const result = await testPassphrase(real, { device: image, passphrase: new Secret('nope') });
    expect(result).toMatchObject({ outcome: 'wrong_passphrase', exitCode: 2 });
    expect(result.detail).toMatch(/No key available/);
  });

  it('sends a passphrase with an inner newline and trailing spaces byte for byte', async () => {
    const ok = await testPassphrase(real, { device: trickyImage, passphrase: new Secret(TRICKY) });
    expect(ok.outcome).toBe('ok');
    // The same key plus a newline, or cut at the newline, is another key: nothing is added or trimmed.
    const withNewline = await testPassphrase(real, { device: trickyImage, passphrase: new Secret(`${TRICKY}\n`) });
    expect(withNewline.outcome).toBe('wrong_passphrase');
    const firstLine = await testPassphrase(real, { device: trickyImage, passphrase: new Secret('first line') });
    expect(firstLine.outcome).toBe('wrong_passphrase');
  });

  it('tells a missing device (bad_device) from a file that is not LUKS (bad_parameters)', async () => {
    const passphrase = new Secret(PASS);
    const missing = await testPassphrase(real, { device: join(dir, 'absent.img'), passphrase });
    expect(missing).toMatchObject({ outcome: 'bad_device', exitCode: 4 });
    const plain = join(dir, 'plain.img');
    await writeFile(plain, Buffer.alloc(1024 * 1024));
    const notLuks = await testPassphrase(real, { device: plain, passphrase });
    expect(notLuks).toMatchObject({ outcome: 'bad_parameters', exitCode: 1 });
    expect(notLuks.detail).toMatch(/not a valid LUKS device/);
  });

  // With device-mapper an unknown mapping is reported as inactive (exit 4).
  it.skipIf(!deviceMapper)('status of an unknown mapper is inactive', async () => {
    const result = await status(real, `detour-test-${process.pid}`);
    expect(result).toMatchObject({ outcome: 'inactive', exitCode: 4 });
  });

  // This machine has no device-mapper: cryptsetup status exits 1, not 4 (checked with cryptsetup 2.6.1).
  it.skipIf(deviceMapper)('status without device-mapper says no_device_mapper', async () => {
    const result = await status(real, `detour-test-${process.pid}`);
    expect(result).toMatchObject({ outcome: 'no_device_mapper', exitCode: 1 });
  });

  // Needs a machine without device-mapper: with it, open would really create a mapping.
  it.skipIf(deviceMapper)('open without device-mapper fails before reading the key', async () => {
    const { run, calls } = recordingRunner(real);
    const mapper = `detour-test-${process.pid}`;
    const right = await open(run, { device: image, mapper, passphrase: new Secret(PASS) });
    expect(right).toMatchObject({ outcome: 'no_device_mapper', exitCode: 1 });
    expect(right.detail).toMatch(/Cannot initialize device-mapper/);
    // Even a wrong key gets the same answer: only --test-passphrase can tell a wrong key here.
    const wrong = await open(run, { device: image, mapper, passphrase: new Secret('nope') });
    expect(wrong.outcome).toBe('no_device_mapper');
    expect(calls.map((c) => c.argv)).toEqual([[...openArgv(image, mapper)], [...openArgv(image, mapper)]]);
    expect(callsLeaking(calls, PASS)).toEqual([]);
  });

  describe('unlockSteps', () => {
    const target = () => ({
      device: image,
      mapper: `detour-test-${process.pid}`,
      mount: join(dir, 'mnt'),
      services: ['detour-test.service'],
    });

    it('stops at a wrong passphrase: no open, no mount, no service', async () => {
      const { run, calls } = recordingRunner(real);
      const t = target();
      const report = await unlockSteps(run, t, new Secret('wrong one'));
      expect(report.ok).toBe(false);
      expect(report.steps.map((s) => [s.step, s.outcome])).toEqual([
        ['status', deviceMapper ? 'inactive' : 'no_device_mapper'],
        ['check_passphrase', 'wrong_passphrase'],
      ]);
      expect(calls.map((c) => c.argv)).toEqual([[...statusArgv(t.mapper)], [...testPassphraseArgv(t.device)]]);
      expect(callsLeaking(calls, 'wrong one')).toEqual([]);
    });

    it('checkOnly stops after a right passphrase and reports success', async () => {
      const { run, calls } = recordingRunner(real);
      const t = target();
      const report = await unlockSteps(run, t, new Secret(PASS), { checkOnly: true });
      expect(report.ok).toBe(true);
      expect(report.steps.map((s) => s.step)).toEqual(['status', 'check_passphrase']);
      expect(calls.map((c) => c.argv[1])).toEqual(['status', 'open']);
      expect(calls[1]?.argv).toContain('--test-passphrase');
      const stdin = calls[1]?.stdin;
      expect(stdin).toBeInstanceOf(Secret);
      expect((stdin as Secret).reveal()).toBe(PASS);
      expect(callsLeaking(calls, PASS)).toEqual([]);
    });

    // Needs a machine without device-mapper (with it, this would really unlock and try to mount).
    it.skipIf(deviceMapper)('a right passphrase passes the check, then open reports no_device_mapper', async () => {
      const { run, calls } = recordingRunner(real);
      const report = await unlockSteps(run, target(), new Secret(PASS));
      expect(report.ok).toBe(false);
      expect(report.steps.map((s) => [s.step, s.outcome, s.ok])).toEqual([
        ['status', 'no_device_mapper', true],
        ['check_passphrase', 'ok', true],
        ['open', 'no_device_mapper', false],
      ]);
      expect(calls).toHaveLength(3);
      expect(JSON.stringify(report)).not.toContain(PASS);
      expect(callsLeaking(calls, PASS)).toEqual([]);
    });
  });
});
