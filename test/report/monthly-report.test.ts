import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MonthlyReport } from '../../src/core/ports/report.js';
import { CHART_PALETTE } from '../../src/report/chart-specs.js';
import { alice } from '../support/app.js';
import {
  at,
  BORG_ARCHIVE_DAYS,
  HOUR,
  RESTIC_SNAPSHOT_DAYS,
  type SimulatedMonth,
  simulateMonth,
  srvPercent,
} from './simulated-month.js';

/*
 * The monthly report of a simulated November (see simulated-month.ts), checked figure by figure
 * against what the simulation put in, in English and French; its files read back from disk and
 * its charts decoded.
 */

let month: SimulatedMonth;
let en: MonthlyReport;
let fr: MonthlyReport;
const DAYS = Array.from({ length: 30 }, (_, i) => `2026-11-${String(i + 1).padStart(2, '0')}`);

beforeAll(async () => {
  month = await simulateMonth();
  // 1 December, 09:00 in Paris: the scheduled report's time.
  month.clock.now = new Date('2026-12-01T08:00:00Z');
  en = await month.app.report.monthly();
  fr = await month.appIn('fr').report.monthly({ outDir: join(month.dir, 'fr') });
}, 240_000);
afterAll(() => month?.cleanup());

describe('the monthly report of a simulated month: figures', () => {
  it('covers last month in the configured time zone', () => {
    expect(en.data).toMatchObject({
      month: '2026-11',
      from: '2026-10-31T23:00:00.000Z',
      to: '2026-11-30T23:00:00.000Z',
      builtAt: '2026-12-01T08:00:00.000Z',
    });
  });

  it('activity: per person and command, as the pipeline ended them; the month only', () => {
    const inMonth = month.asked.filter((a) => a.at >= en.data.from && a.at < en.data.to);
    expect(month.asked.length - inMonth.length).toBe(2); // 31 October and 1 December
    const expected = new Map<string, { runs: number; ok: number; failed: number; refused: number }>();
    for (const a of inMonth) {
      const key = `${a.actor} ${a.command}`;
      const row = expected.get(key) ?? { runs: 0, ok: 0, failed: 0, refused: 0 };
      row.runs++;
      if (a.outcome === 'ok') row.ok++;
      else if (a.outcome === 'denied' || a.outcome === 'usage') row.refused++;
      else row.failed++;
      expected.set(key, row);
    }
    const got = new Map(en.data.activity.rows.map((r) => [`${r.actor} ${r.command}`, { ...r }]));
    expect(got.size).toBe(expected.size);
    for (const [key, row] of expected) expect(got.get(key)).toMatchObject(row);
    // The typed text that did not parse is counted under "?", refused.
    expect(got.get('bob@epicerieledetour.org ?')).toMatchObject({ runs: 1, refused: 1 });
    expect(got.get('bob@epicerieledetour.org backup run')).toMatchObject({ runs: 1, refused: 1 });
    expect(en.data.activity).toMatchObject({
      runs: inMonth.length,
      ok: inMonth.filter((a) => a.outcome === 'ok').length,
      refused: 2,
      scheduled: { runs: 4, failed: 0 },
    });
    expect(en.data.activity.failures[0]).toMatchObject({
      at: at(22, 9).toISOString(),
      text: 'unlock dataproxies',
      detail: 'wrong passphrase',
    });
  });

  it('backups: archives made, missed days, size at start and end, last check', () => {
    const borg = en.data.backups.find((b) => b.name === 'b7-borg');
    const restic = en.data.backups.find((b) => b.name === 'vps2-restic');
    const missed = (days: number[]) => DAYS.filter((_, i) => !days.includes(i + 1));
    expect(borg).toMatchObject({
      type: 'borg',
      archives: BORG_ARCHIVE_DAYS.length,
      missedDays: missed(BORG_ARCHIVE_DAYS),
      sizeStartBytes: month.sizes['b7-borg']?.first,
      sizeEndBytes: month.sizes['b7-borg']?.last,
      lastCheck: { at: at(30, 3).toISOString(), outcome: 'ok' },
    });
    expect(restic).toMatchObject({
      type: 'restic',
      archives: RESTIC_SNAPSHOT_DAYS.length,
      missedDays: missed(RESTIC_SNAPSHOT_DAYS),
      sizeStartBytes: month.sizes['vps2-restic']?.first,
      sizeEndBytes: month.sizes['vps2-restic']?.last,
    });
    expect(borg?.sizeEndBytes).toBeGreaterThan(borg?.sizeStartBytes ?? Number.POSITIVE_INFINITY);
  });

  it('resources: disk use at start, end and peak per host and mount; memory and load peaks', () => {
    const srv = en.data.mounts.find((m) => m.host === 'b7-srv' && m.mount === '/srv');
    expect(srv).toMatchObject({
      start: srvPercent(1, 0),
      end: srvPercent(30, 23),
      peak: { percent: 96, at: at(20, 11).toISOString() },
    });
    expect(srv?.daily.map((d) => d.day)).toEqual(DAYS);
    expect(srv?.daily[19]).toEqual({ day: '2026-11-20', percent: 96 });
    expect(srv?.daily[0]).toEqual({ day: '2026-11-01', percent: 60 });
    expect(en.data.mounts.find((m) => m.host === 'vps2')).toMatchObject({ start: 30, end: 59, peak: { percent: 59 } });
    // The real probe of this machine, taken once: start, end and peak are that one sample.
    const real = month.localProbe.disk.ok ? month.localProbe.disk.sample.mounts[0] : undefined;
    expect(real).toBeDefined();
    expect(en.data.mounts.find((m) => m.host === 'local' && m.mount === real?.mountPoint)).toMatchObject({
      start: real?.usedPercent,
      end: real?.usedPercent,
      peak: { percent: real?.usedPercent, at: at(30, 23, 30).toISOString() },
    });
    expect(en.data.hosts.find((h) => h.host === 'b7-srv')).toEqual({
      host: 'b7-srv',
      memoryPeak: { percent: 85, at: at(12, 3).toISOString() },
      loadPeak: { perCore: 1.5, at: at(5, 4).toISOString() },
      samples: 720,
      failedSamples: 0,
    });
    expect(en.data.hosts.find((h) => h.host === 'vps2')).toMatchObject({ samples: 720, failedSamples: 2 });
  });

  it('incidents: alerts fired and resolved, time in alert, the longest, unlocks after reboots', () => {
    // Each episode lasts from its first breaching sample to the sample that resolved it:
    // /srv 10:00 → 16:00 on the 20th, vps2 unreachable 02:00 → 04:00 on the 15th,
    // the certificate from its 21-day threshold (10th, 08:00) to its renewal (18th, 08:00).
    expect(en.data.incidents).toMatchObject({
      fired: 3,
      resolved: 3,
      timeInAlertMs: 6 * HOUR + 2 * HOUR + 8 * 24 * HOUR,
      longest: { key: `cert:${month.certFile}`, durationMs: 8 * 24 * HOUR, ongoing: false },
      unlocks: [
        { at: at(15, 4, 30).toISOString(), actor: alice.kind === 'user' ? alice.email : '', target: 'dataproxies' },
      ],
    });
    expect(Object.fromEntries(en.data.incidents.byKind.map((k) => [k.kind, k.fired]))).toEqual({
      disk: 1,
      unreachable: 1,
      cert: 1,
    });
  });

  it('certificates: renewed during the month, expiring next month', () => {
    expect(en.data.certificates).toEqual({
      renewed: [{ name: month.certFile, at: at(18, 8).toISOString(), notAfter: month.renewedCertNotAfter }],
      expiringNextMonth: [{ name: month.certFile, notAfter: month.renewedCertNotAfter }],
    });
  });
});

describe('the monthly report of a simulated month: text, in both languages', () => {
  it('the chat message gives the headline figures', () => {
    expect(en.title).toBe('IT usage report, November 2026');
    const lines = en.body.split('\n');
    expect(lines[0]).toMatch(
      /^Activity: 9 commands by 2 people: 22\.2% OK, 5 failed, 2 refused; scheduled jobs: 4 runs/,
    );
    expect(lines[1]).toContain('b7-borg: 8 archives, 22 missed days, ');
    expect(lines[1]).toContain('vps2-restic: 4 archives, 26 missed days, ');
    expect(lines[2]).toBe('Resources: Fullest disk: b7-srv:/srv at 96% (2026-11-20 11:00)');
    expect(lines[3]).toBe(
      `Incidents: 3 alerts fired, 3 resolved, 8 d 8 h in alert; longest: cert:${month.certFile}, 8 d; unlocks after reboots: 1`,
    );
    expect(lines[4]).toBe(`Certificates: 1 renewed; expiring in December 2026: ${month.certFile} (2026-12-20)`);
  });

  it('in French, written as such', () => {
    expect(fr.title).toBe('Rapport informatique, novembre 2026');
    const lines = fr.body.split('\n');
    expect(lines[0]).toMatch(/^Activité : 9 commandes par 2 personnes : 22,2 % réussies, 5 en échec, 2 refusées/);
    expect(lines[1]).toContain('b7-borg : 8 archives, 22 jours manqués, ');
    expect(lines[2]).toBe('Ressources : Disque le plus plein : b7-srv:/srv à 96 % (2026-11-20 11:00)');
    expect(lines[3]).toContain('3 alertes déclenchées, 3 résolues, 8 j 8 h en alerte');
    expect(lines[4]).toBe(`Certificats : 1 renouvelé(s) ; expirent en décembre 2026 : ${month.certFile} (2026-12-20)`);
    expect(fr.markdown).toContain('| b7-srv | /srv | 60 % | 74,5 % | 96 % (2026-11-20 11:00) |');
  });

  it('the Markdown has the same sections and tables in both languages', () => {
    const shape = (md: string) =>
      md.split('\n').map((l) => (l.startsWith('#') ? l.replace(/[^#]/g, '') : l.startsWith('|') ? '|' : ''));
    expect(shape(fr.markdown)).toEqual(shape(en.markdown));
    expect(en.markdown).toContain('| b7-borg (borg) | 8 | 22: 06, 07,');
    expect(en.markdown).toContain('![Disk use, November 2026](disk-2026-11.png)');
  });
});

describe('the monthly report of a simulated month: files', () => {
  it('writes the Markdown and the charts under the data folder, readable by the bot only', async () => {
    const dir = join(month.dir, 'reports', '2026-11');
    expect(en.files).toEqual([
      join(dir, 'report-2026-11.md'),
      join(dir, 'disk-2026-11.png'),
      join(dir, 'backups-2026-11.png'),
    ]);
    expect(await readFile(join(dir, 'report-2026-11.md'), 'utf8')).toBe(en.markdown);
    for (const file of en.files) expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
  });

  it('the charts are PNGs of the chart size with each series drawn in its colour', async () => {
    const count = (png: PNG, hex: string) => {
      const [r, g, b] = [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
      let n = 0;
      for (let i = 0; i < png.data.length; i += 4) {
        if (png.data[i] === r && png.data[i + 1] === g && png.data[i + 2] === b) n++;
      }
      return n;
    };
    const disk = PNG.sync.read(await readFile(en.files[1] as string));
    expect(disk.width).toBeGreaterThanOrEqual(600);
    expect(disk.height).toBeGreaterThanOrEqual(300);
    // Four series: b7-srv:/, b7-srv:/srv, local:/… and vps2:/; a fifth colour is not used.
    for (const colour of CHART_PALETTE.slice(0, 3)) expect(count(disk, colour)).toBeGreaterThan(20);
    expect(count(disk, CHART_PALETTE[6] as string)).toBe(0);
    const backups = PNG.sync.read(await readFile(en.files[2] as string));
    for (const colour of CHART_PALETTE.slice(0, 2)) expect(count(backups, colour)).toBeGreaterThan(20);
    expect(count(backups, CHART_PALETTE[2] as string)).toBe(0);
  });
});

describe('asking for a report', () => {
  it('the current month says it is in progress; a month not begun is refused', async () => {
    const december = await month.app.report.monthly({
      month: '2026-12',
      charts: false,
      outDir: join(month.dir, 'dec'),
    });
    expect(december.body.split('\n')[0]).toBe('(month in progress: figures up to 2026-12-01 09:00)');
    expect(december.data.activity.runs).toBe(1);
    await expect(month.app.report.monthly({ month: '2027-01' })).rejects.toThrow(
      '2027-01 has not begun yet: nothing is recorded for it.',
    );
  });

  it('`report` through the pipeline: the headline, no file written; a bad month is a usage error', async () => {
    const before = await stat(join(month.dir, 'reports', '2026-11', 'report-2026-11.md'));
    const ok = await month.app.pipeline({ text: 'report 2026-11', actor: alice, platform: 'test' });
    expect(ok.outcome).toBe('ok');
    expect(ok.text.split('\n')[0]).toBe('IT usage report, November 2026');
    expect(ok.text.split('\n').slice(1, 6)).toEqual(en.body.split('\n'));
    expect(ok.text).toContain('on the server: detour report monthly --month 2026-11');
    expect((await stat(join(month.dir, 'reports', '2026-11', 'report-2026-11.md'))).mtimeMs).toBe(before.mtimeMs);
    await expect(stat(join(month.dir, 'reports', '2026-10'))).rejects.toThrow();
    expect((await month.app.pipeline({ text: 'report 2026-10', actor: alice, platform: 'test' })).outcome).toBe('ok');
    await expect(stat(join(month.dir, 'reports', '2026-10'))).rejects.toThrow();
    const bad = await month.app.pipeline({ text: 'report november', actor: alice, platform: 'test' });
    expect(bad.outcome).toBe('usage');
    expect(bad.text).toContain('"november" is not a month: give it as YYYY-MM (2026-11)');
  });
});
