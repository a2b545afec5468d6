import { accessSync, constants, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';

/** Where cryptsetup lives: PATH first, then the sbin folders a non-root PATH may lack. */
export function findCryptsetup(): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(':').filter(Boolean), '/usr/sbin', '/sbin'];
  for (const dir of dirs) {
    const candidate = join(dir, 'cryptsetup');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this folder: try the next one
    }
  }
  return undefined;
}

/** True when the kernel offers device-mapper (a real `cryptsetup open` can then succeed). */
export function hasDeviceMapper(): boolean {
  try {
    return /\bdevice-mapper\b/.test(readFileSync('/proc/misc', 'utf8'));
  } catch {
    return false;
  }
}

/**
 * Creates a LUKS2 image file DIR/NAME (sparse, 32 MiB) whose only key slot opens with `passphrase`
 * (every byte of it: --key-file=- reads stdin to the end, newlines included). luksFormat on a
 * plain file needs no loop device and no device-mapper. pbkdf2 with its minimum of 1000
 * iterations keeps each later key check to milliseconds.
 */
export async function createLuksImage(
  cryptsetup: string,
  dir: string,
  passphrase: string,
  name = 'luks.img',
): Promise<string> {
  const path = join(dir, name);
  await execa('truncate', ['-s', '32M', path], { timeout: 30_000 });
  await execa(
    cryptsetup,
    [
      'luksFormat',
      '--batch-mode',
      '--type',
      'luks2',
      '--pbkdf',
      'pbkdf2',
      '--pbkdf-force-iterations',
      '1000',
      '--key-file=-',
      path,
    ],
    { input: passphrase, timeout: 60_000, env: { LC_ALL: 'C.UTF-8' } },
  );
  return path;
}
