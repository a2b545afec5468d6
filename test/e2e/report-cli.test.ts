import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditStore } from '../../src/store/audit-store.js';
import { openDatabase } from '../../src/store/database.js';
import { SampleStore } from '../../src/store/sample-store.js';
import { hostReport } from '../alerts/harness.js';
import { detour } from '../support/detour.js';

/* `detour report monthly` as an operator types it on the server, on a store with a month in it. */

let dir: string;
const MONTH = '2026-11';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'detour-report-cli-'));
  await writeFile(join(dir, 'detour.yaml'), 'locale: en\ntimezone: Europe/Paris\ndatabase: ./detour.db\n');
  const db = openDatabase(join(dir, 'detour.db'));
  for (const [day, percent] of [
    [3, 41],
    [17, 88],
    [28, 52],
  ] as const) {
    const at = new Date(`2026-11-${String(day).padStart(2, '0')}T10:00:00.000Z`);
    new SampleStore(db).addHostReports([hostReport('vps2', at, { mounts: { '/': percent } })]);
  }
  db.close();
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const report = (...args: string[]) => detour(['report', ...args, '--config', join(dir, 'detour.yaml')], { cwd: dir });

describe('detour report monthly', () => {
  it('writes the Markdown and the chart to --out, prints the headline and the files, and is audited', async () => {
    const out = join(dir, 'out');
    const r = await report('monthly', '--month', MONTH, '--out', out);
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('IT usage report, November 2026');
    expect(r.stdout).toContain('Resources: Fullest disk: vps2:/ at 88% (2026-11-17 11:00)');
    expect(lines.slice(-2)).toEqual([join(out, 'report-2026-11.md'), join(out, 'disk-2026-11.png')]);
    expect((await readdir(out)).sort()).toEqual(['disk-2026-11.png', 'report-2026-11.md']);
    expect(await readFile(join(out, 'report-2026-11.md'), 'utf8')).toContain(
      '| vps2 | / | 41% | 52% | 88% (2026-11-17 11:00) |',
    );
    const db = openDatabase(join(dir, 'detour.db'));
    const [entry] = new AuditStore(db).list({ limit: 1 });
    db.close();
    expect(entry).toMatchObject({
      actor: `local:${userInfo().username}`,
      command: 'report monthly',
      text: 'report monthly --month 2026-11',
      status: 'ok',
      detail: '2 file(s) written',
    });
  });

  it('refuses a malformed month, a month not begun and an unknown report, with exit 2', async () => {
    const bad = await report('monthly', '--month', '2026-13');
    expect([bad.exitCode, bad.stderr.split('\n')[0]]).toEqual([
      2,
      'detour report monthly: --month must be YYYY-MM (2026-11), got "2026-13"',
    ]);
    const future = await report('monthly', '--month', '2999-01');
    expect([future.exitCode, future.stderr.trim()]).toEqual([
      2,
      'detour report monthly: 2999-01 has not begun yet: nothing is recorded for it.',
    ]);
    const weekly = await report('weekly');
    expect([weekly.exitCode, weekly.stderr.split('\n')[0]]).toEqual([2, 'detour report: unknown report "weekly"']);
  });
});
