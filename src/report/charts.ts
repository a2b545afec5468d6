import type { Locale } from '../core/i18n.js';
import type { MonthlyReportData, ReportChart } from '../core/ports/report.js';
import { backupChartSpec, type ChartSpec, diskChartSpec } from './chart-specs.js';

export interface ChartOptions {
  locale: Locale;
  /**
   * The configured time zone. The figures' days are already local calendar dates and are drawn
   * as such (on a UTC scale), so nothing here depends on it or on the process's TZ.
   */
  timeZone: string;
}

export interface ChartSvg {
  fileName: string;
  title: string;
  svg: string;
}

/** The specs of the charts that have data: a chart without any is left out, never drawn blank. */
function chartSpecs(data: MonthlyReportData, locale: Locale): ChartSpec[] {
  return [diskChartSpec(data, locale), backupChartSpec(data, locale)].filter((c) => c !== null);
}

/**
 * The charts as SVG (vega-lite compiled to vega, rendered headless). vega and vega-lite are
 * imported here, on the first report, not when the bot starts: they weigh tens of megabytes that
 * an idle `detour serve` does not need.
 */
export async function renderReportChartSvgs(data: MonthlyReportData, options: ChartOptions): Promise<ChartSvg[]> {
  const specs = chartSpecs(data, options.locale);
  if (specs.length === 0) return [];
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  const svgs: ChartSvg[] = [];
  for (const chart of specs) {
    const view = new vega.View(vega.parse(vegaLite.compile(chart.spec).spec), { renderer: 'none' });
    try {
      svgs.push({ fileName: chart.fileName, title: chart.title, svg: await view.toSVG() });
    } finally {
      view.finalize();
    }
  }
  return svgs;
}

/**
 * The report's charts as PNG: the SVG rasterised by resvg (a prebuilt binary: no browser), on
 * libuv's thread pool (`renderAsync`) so the bot keeps answering the chat meanwhile.
 */
export async function renderReportCharts(data: MonthlyReportData, options: ChartOptions): Promise<ReportChart[]> {
  const svgs = await renderReportChartSvgs(data, options);
  if (svgs.length === 0) return [];
  const { renderAsync } = await import('@resvg/resvg-js');
  const charts: ReportChart[] = [];
  for (const { fileName, title, svg } of svgs) {
    const image = await renderAsync(svg, { font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } });
    charts.push({ fileName, title, png: image.asPng() });
  }
  return charts;
}
