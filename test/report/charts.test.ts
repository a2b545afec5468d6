import { resolve } from 'node:path';
import { execa } from 'execa';
import { PNG } from 'pngjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CHART_PALETTE } from '../../src/report/chart-specs.js';
import { renderReportChartSvgs, renderReportCharts } from '../../src/report/charts.js';
import { backup, days, mount, november, report } from './chart-data.js';

const CHARTS = resolve(import.meta.dirname, '../../dist/src/report/charts.js');

const options = { locale: 'en', timeZone: 'Europe/Paris' } as const;

function decode(png: Uint8Array): PNG {
  return PNG.sync.read(Buffer.from(png));
}

/** How many pixels have exactly this colour (#rrggbb). */
function pixels(image: PNG, hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
  let count = 0;
  for (let i = 0; i < image.data.length; i += 4) {
    if (image.data[i] === r && image.data[i + 1] === g && image.data[i + 2] === b) count++;
  }
  return count;
}

/** The text of every <text> element of an SVG. */
function texts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!);
}

/** The points (symbols) of an SVG: their description and position. */
function points(svg: string): { label: string; x: number; y: number }[] {
  return [
    ...svg.matchAll(
      /<path aria-label="([^"]*)"[^>]*aria-roledescription="point" transform="translate\(([^,]+),([^)]+)\)"/g,
    ),
  ].map((m) => ({ label: m[1]!, x: Number(m[2]), y: Number(m[3]) }));
}

describe('monthly report charts', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('draws disk use and backup sizes as 800×400 PNGs with one colour per series', async () => {
    const warn = vi.spyOn(console, 'warn');
    const charts = await renderReportCharts(november(), options);
    expect(charts.map((c) => [c.fileName, c.title])).toEqual([
      ['disk-2026-11.png', 'Disk use, November 2026'],
      ['backups-2026-11.png', 'Backup repository sizes, November 2026'],
    ]);
    for (const chart of charts) {
      const image = decode(chart.png);
      expect([image.width, image.height]).toEqual([800, 400]);
      // A line across the month leaves hundreds of pixels of its colour; a legend swatch alone, a few dozen.
      expect(pixels(image, CHART_PALETTE[0])).toBeGreaterThan(300);
      expect(pixels(image, CHART_PALETTE[1])).toBeGreaterThan(300);
      expect(pixels(image, CHART_PALETTE[2])).toBe(0);
      // White background, and not only background.
      const white = pixels(image, '#ffffff');
      expect(white).toBeGreaterThan(image.width * image.height * 0.5);
      expect(white).toBeLessThan(image.width * image.height * 0.97);
    }
    // vega warns on the console when a spec has something it ignores.
    expect(warn).not.toHaveBeenCalled();
  });

  it('writes the titles, axis labels and numbers in the locale', async () => {
    const [enDisk, enBackups] = await renderReportChartSvgs(november(), options);
    const [frDisk, frBackups] = await renderReportChartSvgs(november(), { ...options, locale: 'fr' });

    expect(texts(enDisk!.svg)).toEqual(expect.arrayContaining(['Disk use, November 2026', 'Nov 1', 'Nov 15', '50%']));
    expect(texts(frDisk!.svg)).toEqual(
      expect.arrayContaining(['Occupation des disques, novembre 2026', '1 nov.', '15 nov.', '50\u202f%']),
    );
    expect(texts(frDisk!.svg).join(' ')).not.toMatch(/Nov|\d%/);
    expect(texts(enDisk!.svg).join(' ')).not.toContain('nov.');
    expect(frBackups!.title).toBe('Taille des dépôts de sauvegarde, novembre 2026');
    expect(texts(enBackups!.svg)).toContain('Size (GiB)');
    expect(texts(frBackups!.svg)).toContain('Taille (Gio)');
    // From 30 GiB to 47.25 GiB: the axis ticks are in GiB.
    expect(texts(enBackups!.svg)).toEqual(expect.arrayContaining(['30', '48']));
    // Decimals: a point in English, a comma in French.
    const month = '2026-11';
    const small = report(
      month,
      [],
      [
        backup(
          'b',
          days(month, 10).map((day, i) => ({ day, bytes: (1 + i / 20) * 2 ** 30 })),
        ),
      ],
    );
    const [enSmall] = await renderReportChartSvgs(small, options);
    const [frSmall] = await renderReportChartSvgs(small, { ...options, locale: 'fr' });
    expect(texts(enSmall!.svg)).toEqual(expect.arrayContaining(['1.05', '1.25']));
    expect(texts(frSmall!.svg)).toEqual(expect.arrayContaining(['1,05', '1,25']));
    // As many decimals as the ticks need: no two ticks read the same.
    const ticks = texts(frSmall!.svg).filter((text) => /^\d/.test(text) && !text.includes('nov.'));
    expect(ticks.length).toBeGreaterThan(3);
    expect(new Set(ticks).size).toBe(ticks.length);
    expect(points(frSmall!.svg)[1]!.label).toBe('Jour: 2 nov.; Taille (Gio): 1,05; Dépôt: b');

    const [en, fr] = await Promise.all([
      renderReportCharts(november(), options),
      renderReportCharts(november(), { ...options, locale: 'fr' }),
    ]);
    expect(fr[0]!.title).toBe('Occupation des disques, novembre 2026');
    expect(Buffer.from(fr[0]!.png).equals(Buffer.from(en[0]!.png))).toBe(false);
  });

  it('leaves out a chart without data and draws nothing for an empty month', async () => {
    expect(await renderReportCharts(report('2026-11', [], []), options)).toEqual([]);

    const onlyBackups = november();
    onlyBackups.mounts = [mount('web', '/', [])];
    expect((await renderReportCharts(onlyBackups, options)).map((c) => c.fileName)).toEqual(['backups-2026-11.png']);

    const onlyDisks = november();
    // A size from another month is not this month's data.
    onlyDisks.backups = [backup('borg-main', [{ day: '2026-10-31', bytes: 2 ** 30 }]), backup('empty', [])];
    expect((await renderReportCharts(onlyDisks, options)).map((c) => c.fileName)).toEqual(['disk-2026-11.png']);
  });

  it('refuses a month that is not YYYY-MM', async () => {
    await expect(renderReportCharts(report('2026-13', [], []), options)).rejects.toThrow(
      'report month must be YYYY-MM, got "2026-13"',
    );
    await expect(renderReportChartSvgs({ ...november(), month: 'November' }, options)).rejects.toThrow(
      /got "November"/,
    );
  });

  it('puts the 1st and the 31st at both ends of the axis, whatever the process time zone', async () => {
    const month = '2026-12';
    const data = report(
      month,
      [
        mount(
          'db',
          '/srv',
          days(month, 31).map((day, i) => ({ day, percent: 40 + i })),
        ),
      ],
      [],
    );
    const saved = process.env.TZ;
    try {
      for (const zone of ['UTC', 'Pacific/Kiritimati', 'Pacific/Pago_Pago']) {
        process.env.TZ = zone;
        const [chart] = await renderReportChartSvgs(data, options);
        const drawn = points(chart!.svg);
        expect(drawn.map((p) => p.label.split(';')[0])).toEqual(days(month, 31).map((_, i) => `Day: Dec ${i + 1}`));
        expect(drawn[0]!.x).toBe(0);
        expect(drawn[30]!.x).toBe(Math.max(...drawn.map((p) => p.x)));
        expect(drawn[30]!.x).toBeGreaterThan(500);
        // Rising from 40 % to 70 %: the last point is higher (smaller y) by 30 % of the 0–100 % axis.
        const zero = drawn[0]!.y / 0.6;
        expect(drawn[30]!.y).toBeCloseTo(zero * 0.3, 1);
        expect(drawn[0]!.label).toBe('Day: Dec 1; Used (daily peak): 40%; Disk: db:/srv');
      }
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });

  it("breaks a disk's line on a day without samples, and joins a repository's checks", async () => {
    const month = '2026-11';
    const gappy = days(month, 30, [12, 13]);
    const data = report(
      month,
      [
        mount(
          'web',
          '/',
          gappy.map((day) => ({ day, percent: 50 })),
        ),
      ],
      [
        backup(
          'weekly',
          gappy.filter((_, i) => i % 7 === 0).map((day, i) => ({ day, bytes: (i + 1) * 2 ** 30 })),
        ),
      ],
    );
    const [disk, backups] = await renderReportChartSvgs(data, options);
    const line = (svg: string) => /aria-roledescription="line mark" d="([^"]*)"/.exec(svg)![1]!;
    expect(line(disk!.svg).match(/M/g)).toHaveLength(2);
    expect(points(disk!.svg)).toHaveLength(28);
    expect(line(backups!.svg).match(/M/g)).toHaveLength(1);
    expect(points(backups!.svg)).toHaveLength(4);
  });

  it('gives each of 30 disks its own colour and dash', async () => {
    const month = '2026-11';
    const mounts = Array.from({ length: 30 }, (_, i) =>
      mount(
        `host${Math.floor(i / 3)}`,
        ['/', '/var', '/srv'][i % 3]!,
        days(month, 30).map((day) => ({ day, percent: i * 3 })),
      ),
    );
    const [chart] = await renderReportChartSvgs(report(month, mounts, []), options);
    const styles = [
      ...chart!.svg.matchAll(
        /aria-roledescription="line mark" d="[^"]*" stroke="([^"]*)" stroke-width="2" stroke-dasharray="([^"]*)"/g,
      ),
    ].map((m) => `${m[1]} ${m[2]}`);
    expect(styles).toHaveLength(30);
    expect(new Set(styles).size).toBe(30);
    // Every disk is in the legend (vega cuts legends at 30 entries unless told not to).
    for (const m of mounts) expect(texts(chart!.svg)).toContain(`${m.host}:${m.mount}`);
  });

  it('picks one byte unit for the whole backup chart', async () => {
    const month = '2026-11';
    const small = report(
      month,
      [],
      [
        backup(
          'small',
          days(month, 5).map((day, i) => ({ day, bytes: (200 + i) * 2 ** 20 })),
        ),
      ],
    );
    const [mib] = await renderReportChartSvgs(small, { ...options, locale: 'fr' });
    expect(texts(mib!.svg)).toContain('Taille (Mio)');
    const big = report(month, [], [...small.backups, backup('big', [{ day: `${month}-03`, bytes: 3 * 2 ** 40 }])]);
    const [tib] = await renderReportChartSvgs(big, options);
    expect(texts(tib!.svg)).toContain('Size (TiB)');
    expect(points(tib!.svg).find((p) => p.label.startsWith('Day: Nov 3; Size (TiB): 3;'))).toBeDefined();
  });

  it('loads vega, vega-lite and resvg only when a chart is drawn', async () => {
    // A resolve hook refuses the three packages: importing the module and an empty report must not need them.
    const hook = `export async function resolve(s, c, next) { if (/^(vega|vega-lite|@resvg\\/resvg-js)$/.test(s)) throw new Error('LOADED ' + s); return next(s, c); }`;
    const script = `
      import { register } from 'node:module';
      register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hook)}));
      const { renderReportCharts } = await import(${JSON.stringify(CHARTS)});
      const empty = { month: '2026-11', mounts: [], backups: [] };
      console.log('empty', (await renderReportCharts(empty, { locale: 'en', timeZone: 'UTC' })).length);
      const one = { month: '2026-11', backups: [], mounts: [{ host: 'h', mount: '/', daily: [{ day: '2026-11-02', percent: 5 }] }] };
      await renderReportCharts(one, { locale: 'en', timeZone: 'UTC' }).catch((e) => console.log(e.message));
    `;
    const { stdout } = await execa(process.execPath, ['--input-type=module', '-e', script]);
    expect(stdout.split('\n')).toEqual(['empty 0', expect.stringMatching(/^LOADED (vega|vega-lite)$/)]);
  });
});
