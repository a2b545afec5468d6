import type { TopLevelSpec } from 'vega-lite';
import type { Locale } from '../core/i18n.js';
import { fill } from '../core/i18n.js';
import { monthName } from '../core/month.js';
import type { MonthlyReportData } from '../core/ports/report.js';
import { chartLocales } from './chart-locale.js';

/**
 * The vega-lite specs of the monthly report's charts. Pure: no vega code is loaded here, so the
 * specs can be built and checked without rendering anything.
 */

/** Line colours, in series order; fixed so that tests (and readers) can find each series. */
export const CHART_PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#59a14f',
  '#b07aa1',
  '#9c755f',
  '#edc948',
  '#76b7b2',
  '#ff9da7',
  '#17becf',
] as const;

/** After every colour has been used once, the next series reuse them with these dashes. */
const DASHES: number[][] = [[], [8, 4], [2, 3]];

export const CHART_WIDTH = 800;
export const CHART_HEIGHT = 400;

export interface ChartSpec {
  /** `disk-2026-11.png` */
  fileName: string;
  title: string;
  spec: TopLevelSpec;
}

interface Row {
  series: string;
  /** The day's midnight in UTC: the day is a calendar date, drawn on a UTC scale so it never shifts. */
  day: number;
  value: number | null;
}

interface Month {
  year: number;
  month: number;
  days: number;
}

function parseMonth(month: string): Month {
  const match = /^(\d{4})-(\d{2})$/.exec(month);
  const m = match ? Number(match[2]) : 0;
  if (!match || m < 1 || m > 12) throw new Error(`report month must be YYYY-MM, got "${month}"`);
  const year = Number(match[1]);
  return { year, month: m, days: new Date(Date.UTC(year, m, 0)).getUTCDate() };
}

/** The day of the month of a `YYYY-MM-DD` string within `month`, or null when it is not one. */
function dayOfMonth(day: string, month: Month): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match || Number(match[1]) !== month.year || Number(match[2]) !== month.month) return null;
  const d = Number(match[3]);
  return d >= 1 && d <= month.days ? d : null;
}

/**
 * The series' rows, one per day with a value. With `breakGaps`, days without a value between its
 * first and last get a null row, so the line breaks there: a disk's daily peak is unknown on a day
 * the bot sampled nothing. A repository's size is only seen when the bot checks it, and it did
 * not vanish in between, so its line goes straight from one check to the next.
 */
function seriesRows(series: string, points: { day: string; value: number }[], month: Month, breakGaps: boolean): Row[] {
  const byDay = new Map<number, number>();
  for (const point of points) {
    const d = dayOfMonth(point.day, month);
    if (d !== null && Number.isFinite(point.value)) byDay.set(d, point.value);
  }
  const observed = [...byDay.keys()].sort((a, b) => a - b);
  const first = observed[0] ?? 0;
  const last = observed.at(-1) ?? -1;
  const days = breakGaps ? Array.from({ length: last - first + 1 }, (_, i) => first + i) : observed;
  return days.map((d) => ({ series, day: Date.UTC(month.year, month.month - 1, d), value: byDay.get(d) ?? null }));
}

interface LineChart {
  locale: Locale;
  month: Month;
  title: string;
  rows: Row[];
  series: string[];
  seriesTitle: string;
  valueTitle: string;
  /** d3 number format of the values; by default vega picks the precision the ticks need. */
  valueFormat?: string;
  valueScale: { domain?: [number, number]; zero?: boolean; clamp?: boolean };
}

function lineChartSpec(chart: LineChart): TopLevelSpec {
  const text = chartLocales[chart.locale];
  const { year, month, days } = chart.month;
  const dayValue = (d: number) => Date.UTC(year, month - 1, d);
  const ticks = [1, 5, 10, 15, 20, 25, days].map(dayValue);
  const seriesScale = { domain: chart.series };
  // A stroke in the legend shows each series' dash as well as its colour; columns keep 30 series in 400 px.
  const legend = {
    title: chart.seriesTitle,
    columns: Math.ceil(chart.series.length / 16),
    symbolLimit: 0,
    symbolType: 'stroke',
    symbolStrokeWidth: 2,
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
    autosize: { type: 'fit', contains: 'padding' },
    background: 'white',
    title: chart.title,
    config: { font: 'DejaVu Sans', locale: { number: text.number, time: text.time } },
    data: { values: chart.rows },
    mark: { type: 'line', strokeWidth: 2, point: { size: 20 } },
    encoding: {
      x: {
        field: 'day',
        type: 'temporal',
        title: text.day,
        scale: { type: 'utc', domain: [dayValue(1), dayValue(days)] },
        axis: { title: null, format: text.dayFormat, values: ticks },
      },
      y: {
        field: 'value',
        type: 'quantitative',
        title: chart.valueTitle,
        scale: { ...chart.valueScale, nice: true },
        axis: chart.valueFormat ? { format: chart.valueFormat } : {},
      },
      color: {
        field: 'series',
        type: 'nominal',
        title: chart.seriesTitle,
        scale: { ...seriesScale, range: chart.series.map((_, i) => CHART_PALETTE[i % CHART_PALETTE.length]!) },
        legend,
      },
      strokeDash: {
        field: 'series',
        type: 'nominal',
        title: chart.seriesTitle,
        scale: {
          ...seriesScale,
          range: chart.series.map((_, i) => DASHES[Math.floor(i / CHART_PALETTE.length) % DASHES.length]!),
        },
        legend,
      },
    },
  };
}

/** Daily peak used percent, one line per host:mount; null when no mount has a day in the month. */
export function diskChartSpec(data: MonthlyReportData, locale: Locale): ChartSpec | null {
  const month = parseMonth(data.month);
  const text = chartLocales[locale];
  const series: string[] = [];
  const rows: Row[] = [];
  for (const mount of data.mounts) {
    const name = `${mount.host}:${mount.mount}`;
    const points = mount.daily.map((d) => ({ day: d.day, value: d.percent / 100 }));
    const own = seriesRows(name, points, month, true);
    if (own.length === 0 || series.includes(name)) continue;
    series.push(name);
    rows.push(...own);
  }
  if (rows.length === 0) return null;
  const title = fill(text.diskTitle, { month: monthName(data.month, locale) });
  const spec = lineChartSpec({
    locale,
    month,
    title,
    rows,
    series,
    seriesTitle: text.disk,
    valueTitle: text.used,
    valueFormat: '.0%',
    valueScale: { domain: [0, 1], clamp: true },
  });
  return { fileName: `disk-${data.month}.png`, title, spec };
}

/** The power of 1024 (0 for bytes up to 4 for TiB) that keeps the biggest size at 1 or more. */
function byteUnit(maxBytes: number): number {
  let power = 0;
  while (power < 4 && maxBytes >= 1024 ** (power + 1)) power++;
  return power;
}

/** Daily repository size, one line per repository, in one unit chosen for the whole chart. */
export function backupChartSpec(data: MonthlyReportData, locale: Locale): ChartSpec | null {
  const month = parseMonth(data.month);
  const text = chartLocales[locale];
  const valid = (bytes: number) => Number.isFinite(bytes) && bytes >= 0;
  const sizes = data.backups.flatMap((b) => b.sizes.filter((s) => valid(s.bytes) && dayOfMonth(s.day, month) !== null));
  if (sizes.length === 0) return null;
  const power = byteUnit(Math.max(...sizes.map((s) => s.bytes)));
  const series: string[] = [];
  const rows: Row[] = [];
  for (const backup of data.backups) {
    const points = backup.sizes
      .filter((s) => valid(s.bytes))
      .map((s) => ({ day: s.day, value: s.bytes / 1024 ** power }));
    const own = seriesRows(backup.name, points, month, false);
    if (own.length === 0 || series.includes(backup.name)) continue;
    series.push(backup.name);
    rows.push(...own);
  }
  const title = fill(text.backupTitle, { month: monthName(data.month, locale) });
  const spec = lineChartSpec({
    locale,
    month,
    title,
    rows,
    series,
    seriesTitle: text.repository,
    valueTitle: fill(text.size, { unit: text.units[power]! }),
    // Not from zero: a month's growth is a few percent of a repository and would look flat.
    valueScale: { zero: false },
  });
  return { fileName: `backups-${data.month}.png`, title, spec };
}
