import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../support/detour.js';
import { createLuksImage, findCryptsetup } from '../support/luks.js';

/*
 * The canary: unlock with a known passphrase through the real binary, then
 * look for it everywhere it must not be: every log line, every reply, the
 * SQLite files, the audit rows, and the argv of every process on the machine
 * while the unlock runs.
 */
const CANARY = 'canary-7d1f0c-passphrase';
const cryptsetup = findCryptsetup();
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'detour-canary-'));
  const image = cryptsetup ? await createLuksImage(cryptsetup, dir, CANARY) : '/nonexistent';
  await writeFile(
    join(dir, 'detour.yaml'),
    `locale: en
database: ./detour.db
hosts: { local: { local: true } }
unlock:
  dataproxies: { host: local, device: ${image}, mapper: detour-canary, mount: ${dir}/mnt, services: [dataproxies.service] }
`,
  );
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Reads the argv of every process, over and over, until stopped; returns every distinct one. */
function watchProcessArguments(): { stop(): Promise<Set<string>> } {
  const seen = new Set<string>();
  let running = true;
  const loop = (async () => {
    while (running) {
      for (const pid of await readdir('/proc').catch(() => [] as string[])) {
        if (!/^\d+$/.test(pid)) continue;
        const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
        if (cmdline) seen.add(cmdline.replaceAll('\0', ' '));
      }
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return seen;
    },
  };
}

describe.skipIf(!cryptsetup)('the unlock passphrase never leaks (built binary, real cryptsetup)', () => {
  it('is nowhere: logs, replies, database, audit, process arguments', async () => {
    const watcher = watchProcessArguments();
    const runs = [];
    const invocations = [['unlock dataproxies --check'], ['unlock dataproxies'], ['unlock dataproxies', '--json']];
    for (const [text, ...flags] of invocations) {
      runs.push(
        await execa(process.execPath, [CLI, 'run', text as string, '--config', join(dir, 'detour.yaml'), ...flags], {
          cwd: dir,
          input: `${CANARY}\n`,
          env: { DETOUR_LOG_LEVEL: 'debug', DETOUR_CONFIG: '' },
          reject: false,
        }),
      );
    }
    const processes = await watcher.stop();
    // The check worked: the passphrase reached cryptsetup.
    expect(runs[0]?.exitCode).toBe(0);
    expect(runs[0]?.stdout).toContain('✓ passphrase: ok');
    expect(processes.size).toBeGreaterThan(10);
    for (const argv of processes) expect(argv).not.toContain(CANARY);
    for (const r of runs) {
      expect(r.stdout).not.toContain(CANARY);
      expect(r.stderr).not.toContain(CANARY);
    }
    expect(runs.every((r) => r.stderr.includes('"msg":"command started"'))).toBe(true); // logs were on
    for (const file of await readdir(dir, { withFileTypes: true })) {
      // The database's files; its owner locks are a folder beside them.
      if (file.isFile() && file.name.startsWith('detour.db'))
        expect((await readFile(join(dir, file.name))).includes(CANARY)).toBe(false);
    }
    const audit = await execa(process.execPath, [CLI, 'audit', '--json', '--config', join(dir, 'detour.yaml')], {
      cwd: dir,
    });
    expect(audit.stdout).toContain('unlock dataproxies');
    expect(audit.stdout).not.toContain(CANARY);
  });
});
