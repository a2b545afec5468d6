import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildMonthlyReport } from '../../reports/monthly-report.js';
import { UsageError } from '../core/errors.js';
import { fill, type Locale, type Localized } from '../core/i18n.js';
import { shiftMonth } from '../core/month.js';
import type {
  MonthlyReport,
  MonthlyReportData,
  ReportChart,
  ReportOptions,
  ReportService,
} from '../core/ports/report.js';
import type { Db } from '../store/database.js';
import { ReportStore } from '../store/report-store.js';
import { monthRange, previousMonth } from './month-range.js';
import { monthlyFigures } from './monthly-figures.js';

const NOT_BEGUN: Localized = {
  en: '{month} has not begun yet: nothing is recorded for it.',
  fr: '{month} n’a pas encore commencé : rien n’est enregistré pour ce mois.',
};

/** Renders the charts of a month's figures (vega and resvg: loaded by the first report only). */
export type ChartRenderer = (
  data: MonthlyReportData,
  options: { locale: Locale; timeZone: string },
) => Promise<ReportChart[]>;

export interface ReportServiceDeps {
  db: Db;
  locale: Locale;
  timeZone: string;
  now: () => Date;
  /** Where reports are written by default: `<folder>/YYYY-MM/`. */
  reportsDir: string;
  renderCharts: ChartRenderer;
}

/**
 * Builds a month's report from the store alone: figures, the chat message, the Markdown and
 * the charts, written as files (`report-YYYY-MM.md`, `disk-YYYY-MM.png`, …) under the reports
 * folder. Writing again replaces the month's files: a report asked twice is the same report,
 * brought up to date.
 */
export function createReportService(deps: ReportServiceDeps): ReportService {
  const store = new ReportStore(deps.db);
  return {
    async monthly(options: ReportOptions = {}): Promise<MonthlyReport> {
      const builtAt = deps.now().toISOString();
      const month = options.month ?? previousMonth(deps.now(), deps.timeZone);
      const range = monthRange(month, deps.timeZone);
      if (range.from > builtAt) throw new UsageError(fill(NOT_BEGUN[deps.locale], { month }));
      const next = monthRange(shiftMonth(month, 1), deps.timeZone);
      const lookback = monthRange(shiftMonth(month, -1), deps.timeZone).from;
      const rows = store.read({ from: range.from, to: range.to, days: JSON.stringify(range.days), lookback });
      const data = monthlyFigures(rows, range, next, { timeZone: deps.timeZone, builtAt });
      const writing = options.files !== false;
      const charts =
        !writing || options.charts === false
          ? []
          : await deps.renderCharts(data, { locale: deps.locale, timeZone: deps.timeZone });
      const text = buildMonthlyReport({ data, locale: deps.locale, timeZone: deps.timeZone, charts });
      if (!writing) return { data, ...text, charts, files: [] };

      const dir = options.outDir ?? join(deps.reportsDir, month);
      // The report names people and hosts: readable by the bot's user only.
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const markdownFile = join(dir, `report-${month}.md`);
      await writeFile(markdownFile, text.markdown, { mode: 0o600 });
      const files = [markdownFile];
      for (const chart of charts) {
        const file = join(dir, chart.fileName);
        await writeFile(file, chart.png, { mode: 0o600 });
        files.push(file);
      }
      return { data, ...text, charts, files };
    },
  };
}
